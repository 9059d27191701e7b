"""Print the CloudFormation that `sam deploy` sends for a SAM template, as JSON.

Uses the real SAM translator (the samtranslator package that cfn-lint ships
and runs), offline. Usage: python3 translate.py template.yaml [region]
"""
import json
import sys

from cfnlint.decode import decode
from cfnlint.template.transforms._sam import Transform


def main():
    path = sys.argv[1]
    region = sys.argv[2] if len(sys.argv) > 2 else "us-east-1"
    template, problems = decode(path)
    if problems:
        sys.exit("decode %s: %s" % (path, "; ".join(str(p) for p in problems)))
    transform = Transform(path, template, region)
    problems = transform.transform_template()
    if problems:
        sys.exit("transform %s: %s" % (path, "; ".join(str(p) for p in problems)))
    json.dump(transform.template(), sys.stdout, indent=1, sort_keys=True, default=str)


if __name__ == "__main__":
    main()

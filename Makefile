# Build, test and run faas-grip for Go. `sam build` calls the build-<LogicalId>
# targets with ARTIFACTS_DIR set; everything else is for people.

GO            ?= go
GOOS          ?= linux
GOARCH        ?= arm64
ARTIFACTS_DIR ?= .build/$(GOOS)-$(GOARCH)
GOFLAGS_BUILD := -tags lambda.norpc -trimpath -ldflags '-s -w'

# sam build runs `make build-<LogicalId>`: the convention is that <Name>Function
# lives in functions/<lower-cased Name> (ChatFunction: functions/chat), so a new
# function needs a folder and a template block, nothing here.
build-%Function:
	@pkg=./functions/$$(printf %s '$*' | tr '[:upper:]' '[:lower:]'); \
	if [ ! -d "$$pkg" ]; then \
	  echo "make build-$*Function: no folder $$pkg: the function $*Function of template.yaml lives in functions/<lower-cased $*> (README: Fork a function)" >&2; exit 1; \
	fi; \
	echo "CGO_ENABLED=0 GOOS=$(GOOS) GOARCH=$(GOARCH) $(GO) build $(GOFLAGS_BUILD) -o $(ARTIFACTS_DIR)/bootstrap $$pkg"; \
	CGO_ENABLED=0 GOOS=$(GOOS) GOARCH=$(GOARCH) $(GO) build $(GOFLAGS_BUILD) -o "$(ARTIFACTS_DIR)/bootstrap" "$$pkg"

.PHONY: build test test-samples vet lint unit e2e dev invoke bench loadtest fuzz deploy smoke delete clean

## build: every function of template.yaml for Lambda (linux/arm64) into .build/<LogicalId>/bootstrap
build:
	@ids=$$($(GO) run ./tools/cmd/functions) || exit 1; \
	for id in $$ids; do \
	  $(MAKE) --no-print-directory build-$$id ARTIFACTS_DIR=.build/$$id || exit 1; done

## test: what CI runs: vet, every test (unit, sam build checks, end-to-end through
## Pushpin and Chromium), template lint
test: vet unit lint

vet:
	$(GO) vet ./...

# The two longest suites first (the sample deletion and fork copies, the
# end-to-end stack), so that the short ones fill the other slot meanwhile
# instead of running before them.
SLOW_TESTS := ./tools/samcheck/ ./tools/e2e/
unit:
	$(GO) test -count=1 -skip '^$(SAMPLE_DELETIONS)$$' $(SLOW_TESTS) $$($(GO) list ./... | grep -v -e '/tools/samcheck$$' -e '/tools/e2e$$')
	@# Every benchmark once, so one that no longer runs on the samples fails here, not in make bench.
	@out=$$($(GO) test -count=1 -run '^$$' -bench . -benchtime 1x ./... 2>&1) || { echo "$$out"; exit 1; }; echo "every benchmark ran once"

## test-samples: each sample deleted in a copy of the tree, and everything that can see it
## tested there (four copies, minutes: CI runs it after make test)
SAMPLE_DELETIONS := TestDeleteASample
test-samples:
	$(GO) test -count=1 -timeout 30m -run '^$(SAMPLE_DELETIONS)$$' ./tools/samcheck/

## e2e: only the end-to-end suites (real Pushpin, function binaries, Chromium)
e2e:
	$(GO) test -count=1 ./tools/e2e/

lint:
	cfn-lint template.yaml

## invoke: run one function on one event, e.g. make invoke FN=ChatFunction EVENT=events/chat-message.json
# stdout carries the response JSON alone (make echoes nothing), so that
# `make invoke ... | jq` works; logs and timings go to stderr.
invoke:
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=ChatFunction EVENT=events/chat-message.json" >&2; exit 2; }
	@$(GO) run ./tools/cmd/invoke -fn "$(FN)" -event "$(EVENT)"

## dev: the whole stack on this machine behind a real Pushpin (DEV_FLAGS=-help for options)
dev:
	@$(GO) build -o .build/dev ./tools/cmd/dev && exec .build/dev $(DEV_FLAGS)

## bench: the performance report: per-invocation cost, cold start, bootstrap size, memory,
## end-to-end chat latency through Pushpin, publishes per invocation (BENCH_FLAGS=-help for options)
bench:
	$(GO) run ./tools/cmd/bench $(BENCH_FLAGS)

## loadtest: hundreds of clients through real Pushpin (two instances) and the local stack
loadtest:
	$(GO) run ./tools/cmd/loadtest $(LOADTEST_FLAGS)

## fuzz: every fuzz target of the module for FUZZTIME each (regressions live in testdata/fuzz)
FUZZTIME ?= 60s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz: $$pkg $$t ($(FUZZTIME))"; \
	    $(GO) test $$pkg -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) || exit 1; \
	  done; \
	done

## deploy: sam build, then sam deploy --guided the first time (no stack yet: the GRIP URLs must
## be given once and sam never saves a NoEcho value) and sam deploy after (needs sam, aws, credentials)
STACK_NAME ?= faas-grip-go
deploy:
	sam build
	@if aws cloudformation describe-stacks --stack-name "$(STACK_NAME)" >/dev/null 2>&1; then \
	  echo "deploy: stack $(STACK_NAME) exists: sam deploy with samconfig.toml's answers"; sam deploy; \
	else \
	  echo "deploy: no stack $(STACK_NAME) yet: sam deploy --guided (see README: Deploy with SAM)"; sam deploy --guided; \
	fi

## smoke: prove a stack works end to end through its GRIP proxy: a direct call is refused,
## two chat clients talk, the publish queue reaches a stream and a long-poll, the dead-letter
## queue is empty; one line per check, naming the hop that failed (README: Smoke test).
## STACK defaults to STACK_NAME; REGION, or AWS_REGION, names its region.
## A deployed stack: make smoke STACK=faas-grip-go AWS_REGION=us-east-1 PROXY_URL=https://...
## make dev in deployed mode: make smoke OUTPUTS=.build/local/outputs.json PROXY_URL=http://localhost:7999
smoke:
	@$(GO) run ./tools/cmd/smoke $(if $(OUTPUTS),-outputs "$(OUTPUTS)",-stack "$(or $(STACK),$(STACK_NAME))") -region "$(or $(REGION),$(AWS_REGION))" -proxy "$(PROXY_URL)" $(SMOKE_FLAGS)

## delete: tear a deployed stack down, e.g. make delete STACK=faas-grip-go-dev (REGION, or
## AWS_REGION from the environment, names its region; README, Operate: Teardown says what stays)
REGION ?= $(AWS_REGION)
delete:
	@# Only a STACK given by the caller: never a default another target may set.
	@case "$(origin STACK)" in "command line"|environment*) test -n "$(STACK)";; *) false;; esac || \
	  { echo "usage: make delete STACK=<stack name> [REGION=<region>]: no default, so that a stack is never deleted by mistake" >&2; exit 2; }
	sam delete --stack-name "$(STACK)" --no-prompts$(if $(REGION), --region "$(REGION)")

clean:
	rm -rf .build .aws-sam

package samcheck

import (
	"bufio"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// trackerWords are references to this project's issue tracker, which
// readers of the code do not have (the word issue or task and a number). An upstream
// project's issue ("aws-sam-cli issues #1604") keeps its "#".
var trackerWords = regexp.MustCompile(`\b(?i:issues?|tasks?) [0-9]+\b`)

// repoPath is a path into the repository as docs and comments write it.
var repoPath = regexp.MustCompile(`\b(?:functions|internal|tools|events|docs)/[A-Za-z0-9_./*<>{}-]*`)

// The project's files speak of the project alone: no tracker words in code
// or docs.
func TestNoTrackerWords(t *testing.T) {
	for _, file := range trackedFiles(t) {
		eachLine(t, file, func(n int, line string) {
			if m := trackerWords.FindString(line); m != "" {
				t.Errorf("%s:%d: %q refers to the issue tracker; say what the code does instead", file, n, m)
			}
		})
	}
}

// Every path that README.md, docs/ or a Go comment names exists (a glob
// such as events/stream-*.json matches a file); placeholders such as
// functions/<name> are not paths.
func TestDocPathsExist(t *testing.T) {
	deleted := deletedSamples(t)
	for _, file := range trackedFiles(t) {
		isGo := strings.HasSuffix(file, ".go")
		if !isGo && !strings.HasSuffix(file, ".md") {
			continue
		}
		eachLine(t, file, func(n int, line string) {
			if isGo {
				_, comment, ok := strings.Cut(line, "//")
				if !ok {
					return
				}
				line = comment
			}
			for _, at := range repoPath.FindAllStringIndex(line, -1) {
				p := strings.TrimRight(line[at[0]:at[1]], ".,:;-")
				if !namesRepoPath(line[:at[0]], p) || ofDeletedSample(p, deleted) {
					continue
				}
				p = withoutGoName(p)
				matches, _ := filepath.Glob(filepath.Join(Root(), filepath.FromSlash(strings.TrimSuffix(p, "/"))))
				if len(matches) == 0 {
					t.Errorf("%s:%d names %s, which does not exist", file, n, p)
				}
			}
		})
	}
}

// withoutGoName drops an exported Go name after a package's path:
// internal/feed.Poll is the folder internal/feed.
func withoutGoName(p string) string {
	dir, name := path.Split(p)
	pkg, after, ok := strings.Cut(name, ".")
	if ok && after != "" && unicode.IsUpper(rune(after[0])) {
		return dir + pkg
	}
	return p
}

// namesRepoPath tells a path into the repository from the look-alikes:
// part of a URL (pushpin.org/docs/install/), a placeholder
// (functions/<name>, events/name.json), the README's worked fork
// (functions/myfeature), a Go name (internal/feed.Poll is checked as
// internal/feed).
func namesRepoPath(before, p string) bool {
	switch {
	case strings.HasSuffix(before, "/"), strings.HasSuffix(before, "."):
		return false
	case strings.ContainsAny(p, "<>{}"), p == "events/name.json", strings.Contains(p, "myfeature"):
		return false
	}
	return true
}

// samples are the sample functions' folders, which docs keep naming after a
// fork deletes one.
var samples = []string{"chat", "stream", "longpoll", "publish"}

// deletedSamples are the samples whose function is not in template.yaml.
func deletedSamples(t *testing.T) []string {
	t.Helper()
	tmpl, err := LoadTemplate()
	if err != nil {
		t.Fatal(err)
	}
	var gone []string
	for _, name := range samples {
		found := false
		for _, fn := range tmpl.Functions {
			found = found || fn.Dir() == "functions/"+name
		}
		if !found {
			gone = append(gone, name)
		}
	}
	return gone
}

// ofDeletedSample reports whether p is a deleted sample's folder or event.
func ofDeletedSample(p string, deleted []string) bool {
	for _, name := range deleted {
		if p == "functions/"+name || strings.HasPrefix(p, "functions/"+name+"/") || strings.HasPrefix(p, "events/"+name+"-") {
			return true
		}
	}
	return false
}

// trackedFiles are the repository's files, relative to the root: what git
// would keep (no hidden folder such as .git or .build), without go.sum and
// testdata (data, not prose). A walk, not git ls-files: the fork and
// delete checks run this test in scratch copies without .git.
func trackedFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(Root(), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != Root() && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if name == "go.sum" || strings.HasSuffix(name, ".png") || strings.HasPrefix(name, ".") {
			return nil
		}
		rel, err := filepath.Rel(Root(), path)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func eachLine(t *testing.T, file string, f func(n int, line string)) {
	t.Helper()
	fh, err := os.Open(filepath.Join(Root(), file))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		f(n, sc.Text())
	}
}

package devstack

import (
	"os"
	"path/filepath"
)

// LocalEnv is what `make dev` and `make invoke` offer every function on top
// of the template's environment: HISTORY_DIR, so that the publish and
// long-poll functions keep their channel history in .build/local/history
// instead of the template's DynamoDB table. Like an env-vars file, it only
// sets the variable for functions that declare it (template.yaml declares
// it empty on those two). Both commands share it, so a
// `make invoke` of the publish function numbers items after the ones a
// running `make dev` published. `make clean` removes it. HISTORY_DIR in
// this process's environment chooses another directory.
func LocalEnv(projectDir string) (map[string]string, error) {
	dir := os.Getenv("HISTORY_DIR")
	if dir == "" {
		dir = filepath.Join(projectDir, ".build", "local", "history")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return map[string]string{"HISTORY_DIR": dir}, nil
}

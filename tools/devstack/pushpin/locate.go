package pushpin

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrNotInstalled is returned when no pushpin executable is on PATH.
var ErrNotInstalled = errors.New("pushpin is not installed")

// installation is where a Pushpin package put its files.
type installation struct {
	binary     string // the pushpin runner
	baseConfig string // the packaged pushpin.conf
	libDir     string // holds internal.conf ({libdir} in pushpin.conf)
}

// locate finds the pushpin executable (binary, or PATH's) and the config
// files its package installed: Debian puts them in /etc/pushpin and
// /usr/lib/pushpin, Homebrew in <prefix>/etc/pushpin and <prefix>/lib/pushpin.
func locate(binary string) (*installation, error) {
	if binary == "" {
		binary = "pushpin"
	}
	path, err := exec.LookPath(binary)
	if err != nil {
		return nil, ErrNotInstalled
	}
	inst := &installation{binary: path}

	prefix := filepath.Dir(filepath.Dir(path))
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		prefix = filepath.Dir(filepath.Dir(resolved))
	}
	etc := filepath.Join(prefix, "etc")
	if prefix == "/usr" {
		etc = "/etc"
	}
	inst.baseConfig = firstExisting(
		filepath.Join(etc, "pushpin", "pushpin.conf"),
		filepath.Join(filepath.Dir(filepath.Dir(path)), "etc", "pushpin", "pushpin.conf"),
		"/etc/pushpin/pushpin.conf",
		"/usr/local/etc/pushpin/pushpin.conf",
		"/opt/homebrew/etc/pushpin/pushpin.conf",
	)
	inst.libDir = filepath.Dir(firstExisting(
		filepath.Join(prefix, "lib", "pushpin", "internal.conf"),
		filepath.Join(filepath.Dir(filepath.Dir(path)), "lib", "pushpin", "internal.conf"),
		"/usr/lib/pushpin/internal.conf",
		"/usr/local/lib/pushpin/internal.conf",
		"/opt/homebrew/lib/pushpin/internal.conf",
	))
	if inst.baseConfig == "" || inst.libDir == "." {
		return nil, &SetupError{Msg: "found " + path + " but not its pushpin.conf and internal.conf; reinstall the pushpin package"}
	}
	return inst, nil
}

func firstExisting(paths ...string) string {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// includePath resolves pushpin.conf's include= line ("{libdir}/internal.conf").
func (inst *installation) includePath(baseConfig string) string {
	inc, ok := iniValue(baseConfig, "global", "include")
	if !ok {
		return filepath.Join(inst.libDir, "internal.conf")
	}
	inc = strings.ReplaceAll(inc, "{libdir}", inst.libDir)
	if !filepath.IsAbs(inc) {
		inc = filepath.Join(filepath.Dir(inst.baseConfig), inc)
	}
	return inc
}

// SetupError is a Pushpin installation or configuration we cannot use.
type SetupError struct {
	Msg string
}

func (e *SetupError) Error() string { return "pushpin: " + e.Msg }

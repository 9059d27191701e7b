package pushpin

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// zurlSockets are the zurl specs of internal.conf's [proxy] section, as the
// runner's zurl.conf template names them. Debian's internal.conf points them
// at /var/run/zurl (its zurl system service); ours live in our rundir.
var zurlSockets = map[string]string{
	"zurl_out_specs":        "ipc://{rundir}/{ipc_prefix}zurl-in",
	"zurl_out_stream_specs": "ipc://{rundir}/{ipc_prefix}zurl-in-stream",
	"zurl_in_specs":         "ipc://{rundir}/{ipc_prefix}zurl-out",
}

// writeConfig writes pushpin.conf, internal.conf and routes into dir and
// returns the path of pushpin.conf.
func writeConfig(inst *installation, dir string, cfg *Config, probeAddr string) (string, error) {
	baseBytes, err := os.ReadFile(inst.baseConfig)
	if err != nil {
		return "", &SetupError{Msg: err.Error()}
	}
	base := string(baseBytes)
	internalBytes, err := os.ReadFile(inst.includePath(base))
	if err != nil {
		return "", &SetupError{Msg: err.Error()}
	}
	internal := string(internalBytes)

	// internal.conf: the zurl sockets move into our rundir.
	var internalSettings []setting
	_, usesZurl := iniValue(internal, "proxy", "zurl_out_specs")
	for key, spec := range zurlSockets {
		internalSettings = append(internalSettings, setting{"proxy", key, spec})
	}
	internal = rewriteINI(internal, internalSettings, false)

	// The runner must start zurl itself when the proxy talks to zurl.
	services, hasServices := iniValue(base, "runner", "services")
	if hasServices && usesZurl && !containsService(services, "zurl") {
		services = addService(services, "zurl")
	}

	for _, d := range []string{"run", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return "", err
		}
	}
	// Everything but the two ports we serve is an ipc socket in our rundir,
	// so that instances never collide on the packaged zmq tcp ports.
	settings := []setting{
		{"global", "include", filepath.Join(dir, "internal.conf")},
		{"global", "rundir", filepath.Join(dir, "run")},
		{"global", "port_offset", "0"},
		{"runner", "http_port", "127.0.0.1:" + strconv.Itoa(cfg.HTTPPort)},
		{"runner", "logdir", filepath.Join(dir, "log")},
		{"proxy", "routesfile", filepath.Join(dir, "routes")},
		{"proxy", "debug", strconv.FormatBool(cfg.Debug)},
		{"proxy", "sig_iss", SigIssuer},
		{"proxy", "sig_key", cfg.SigKey},
		{"proxy", "updates_check", "off"},
		{"handler", "push_in_spec", "ipc://{rundir}/{ipc_prefix}push-in"},
		{"handler", "push_in_sub_specs", "ipc://{rundir}/{ipc_prefix}push-in-sub"},
		{"handler", "push_in_sub_connect", "false"},
		{"handler", "push_in_http_addr", "127.0.0.1"},
		{"handler", "push_in_http_port", strconv.Itoa(cfg.ControlPort)},
		{"handler", "command_spec", "ipc://{rundir}/{ipc_prefix}command"},
		{"handler", "stats_spec", "ipc://{rundir}/{ipc_prefix}stats"},
	}
	if hasServices {
		settings = append(settings, setting{"runner", "services", services})
	}
	switch {
	case cfg.MessageRate > 0:
		settings = append(settings, setting{"handler", "message_rate", strconv.Itoa(cfg.MessageRate)})
	case cfg.MessageRate < 0:
		settings = append(settings, setting{"handler", "message_rate", "0"}) // Pushpin: 0 is no limit
	}
	if cfg.MessageHWM > 0 {
		settings = append(settings, setting{"handler", "message_hwm", strconv.Itoa(cfg.MessageHWM)})
	}
	if cfg.MaxOpenRequests > 0 {
		settings = append(settings, setting{"proxy", "max_open_requests", strconv.Itoa(cfg.MaxOpenRequests)})
	}
	conf := rewriteINI(base, settings, true)

	// Every request goes to the origin, WebSocket clients as
	// WebSocket-over-HTTP, except the readiness probe.
	route := "* " + cfg.Origin + ",over_http"
	if cfg.Route != "" {
		route = cfg.Route
	}
	routes := "*,path_beg=" + readyPath + " " + probeAddr + "\n" + route + "\n"

	confPath := filepath.Join(dir, "pushpin.conf")
	for path, content := range map[string]string{
		confPath:                            conf,
		filepath.Join(dir, "internal.conf"): internal,
		filepath.Join(dir, "routes"):        routes,
	} {
		// 0600: pushpin.conf holds the signing key.
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			return "", fmt.Errorf("pushpin: %w", err)
		}
	}
	return confPath, nil
}

func containsService(services, name string) bool {
	for _, s := range strings.Split(services, ",") {
		if strings.TrimSpace(s) == name {
			return true
		}
	}
	return false
}

// addService adds name after condure (the runner starts them in its own
// order; this only keeps the line readable).
func addService(services, name string) string {
	parts := strings.Split(services, ",")
	for i, s := range parts {
		if strings.TrimSpace(s) == "condure" {
			return strings.Join(append(parts[:i+1], append([]string{name}, parts[i+1:]...)...), ",")
		}
	}
	return strings.Join(append(parts, name), ",")
}

package pushpin

import (
	"net"
	"net/http"
	"strconv"

	"github.com/faas-grip/faas-grip-go/tools/devstack/guard"
)

// startGuard serves the guard on the instance's two ports and returns the
// loopback ports Pushpin itself is to listen on, free a moment ago.
func (i *Instance) startGuard() (httpPort, controlPort int, err error) {
	var own [2]int
	for k := range own {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, 0, err
		}
		own[k] = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
	}
	for port, h := range map[int]http.Handler{
		i.cfg.HTTPPort:    guard.Client(loopback(own[0]), append(guard.LocalHosts(i.cfg.HTTPPort), i.cfg.Hosts...)...),
		i.cfg.ControlPort: guard.Control(loopback(own[1])),
	} {
		ln, err := net.Listen("tcp", loopback(port))
		if err != nil {
			return 0, 0, &SetupError{Msg: err.Error()}
		}
		i.guards = append(i.guards, guard.Serve(ln, h))
	}
	return own[0], own[1], nil
}

func loopback(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }

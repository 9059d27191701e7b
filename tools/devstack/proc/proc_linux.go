package proc

import "syscall"

// setParentDeathSignal makes the kernel kill the child when we die, so that
// even a SIGKILLed `make dev` leaves no function or Pushpin behind. (Pushpin
// stops its own children when it gets SIGTERM.)
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGTERM
}

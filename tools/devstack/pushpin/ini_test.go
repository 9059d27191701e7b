package pushpin

import "testing"

func TestRewriteINI(t *testing.T) {
	in := "[global]\n# a comment\nrundir=/var/run/pushpin\n\n[runner]\n#https_ports=443\nhttp_port=7999\n"
	settings := []setting{
		{"global", "rundir", "/tmp/x/run"},
		{"runner", "http_port", "127.0.0.1:8000"},
		{"runner", "https_ports", "1"},
		{"global", "port_offset", "0"},
		{"proxy", "sig_key", "k"},
	}
	want := "[global]\n# a comment\nrundir=/tmp/x/run\nport_offset=0\n\n[runner]\n#https_ports=443\nhttp_port=127.0.0.1:8000\nhttps_ports=1\n\n[proxy]\nsig_key=k\n"
	if got := rewriteINI(in, settings, true); got != want {
		t.Errorf("addMissing:\n%q\nwant\n%q", got, want)
	}

	want = "[global]\n# a comment\nrundir=/tmp/x/run\n\n[runner]\n#https_ports=443\nhttp_port=127.0.0.1:8000\n"
	if got := rewriteINI(in, settings, false); got != want {
		t.Errorf("replace only:\n%q\nwant\n%q", got, want)
	}

	if v, ok := iniValue(in, "runner", "http_port"); !ok || v != "7999" {
		t.Errorf("iniValue = %q, %v", v, ok)
	}
	if _, ok := iniValue(in, "runner", "https_ports"); ok {
		t.Error("iniValue found a commented-out key")
	}
}

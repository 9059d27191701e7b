package pushpin

import "strings"

// setting is one key to set in a section of an INI file.
type setting struct {
	section, key, value string
}

// rewriteINI sets keys in an INI text, keeping its comments and order: a
// key already in its section is replaced in place; with addMissing, other
// keys are appended to their section (or a new section at the end).
func rewriteINI(text string, settings []setting, addMissing bool) string {
	done := make([]bool, len(settings))
	var out []string
	section := ""

	// flush adds the missing settings of the section that is ending, after
	// its last non-blank line.
	flush := func() {
		if !addMissing {
			return
		}
		at := len(out)
		for at > 0 && strings.TrimSpace(out[at-1]) == "" {
			at--
		}
		var add []string
		for i, s := range settings {
			if !done[i] && s.section == section {
				add = append(add, s.key+"="+s.value)
				done[i] = true
			}
		}
		out = append(out[:at], append(add, out[at:]...)...)
	}

	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]") {
			flush()
			section = trimmed[1 : len(trimmed)-1]
			out = append(out, line)
			continue
		}
		if key, _, ok := strings.Cut(trimmed, "="); ok && !strings.HasPrefix(trimmed, "#") && !strings.HasPrefix(trimmed, ";") {
			key = strings.TrimSpace(key)
			replaced := false
			for i, s := range settings {
				if s.section == section && s.key == key {
					out = append(out, s.key+"="+s.value)
					done[i], replaced = true, true
					break
				}
			}
			if replaced {
				continue
			}
		}
		out = append(out, line)
	}
	flush()

	if addMissing {
		for i, s := range settings {
			if done[i] {
				continue
			}
			out = append(out, "", "["+s.section+"]")
			for j := i; j < len(settings); j++ {
				if !done[j] && settings[j].section == s.section {
					out = append(out, settings[j].key+"="+settings[j].value)
					done[j] = true
				}
			}
		}
	}
	return strings.Join(out, "\n") + "\n"
}

// iniValue returns the value of key in section, and whether it is set.
func iniValue(text, section, key string) (string, bool) {
	current := ""
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]") {
			current = trimmed[1 : len(trimmed)-1]
			continue
		}
		if current != section || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";") {
			continue
		}
		if k, v, ok := strings.Cut(trimmed, "="); ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

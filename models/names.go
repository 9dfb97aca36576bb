package models

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLength bounds team and round names, in characters.
const MaxNameLength = 120

// CleanName trims a name and checks it is non-empty, not too long and text.
func CleanName(what, name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", fmt.Errorf("%s name is empty", what)
	case utf8.RuneCountInString(name) > MaxNameLength:
		return "", fmt.Errorf("%s name is longer than %d characters", what, MaxNameLength)
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		return "", fmt.Errorf("%s name holds characters that are not text", what)
	}
	return name, nil
}

// truncateRunes cuts s to at most n characters.
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

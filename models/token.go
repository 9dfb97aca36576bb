package models

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// NewToken returns 256 random bits, URL-safe: for invite links, resume and
// result links, and set-password links.
func NewToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms.
	return base64.RawURLEncoding.EncodeToString(b)
}

// wellFormedToken reports whether s could be a token of NewToken: 43
// URL-safe base64 characters. Anything else is not looked up at all, so text
// that is not even UTF-8 never reaches a database that would refuse it.
func wellFormedToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// HashToken is how resume, result and set-password tokens are stored: hex
// SHA-256. The tokens carry 256 random bits, so a plain hash is enough (no
// salt or stretching is needed against guessing).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

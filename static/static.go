// Package static embeds icare's stylesheet, images and the little JavaScript
// there is, so the binary carries everything it serves.
package static

import "embed"

// Files is the embedded tree: css/, img/.
//
//go:embed css img
var Files embed.FS

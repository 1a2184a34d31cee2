// Package data embeds the curated dataset, so that a fresh binary serves it with no other file.
package data

import "embed"

// FS holds the curated data files (*.yaml) at its root.
//
//go:embed *.yaml
var FS embed.FS

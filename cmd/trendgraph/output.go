package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// writeOutput writes the output of export -o or backup to path, by what path is: "-" (and
// /dev/stdout) is standard output; a device, pipe or other special file, also behind a link, is
// written to as a stream and never replaced; a new regular file, or an existing one when force
// is set, is replaced whole by writeAtomically. It reports whether it wrote a stream, where a
// status line would mix with the output.
func writeOutput(e *env, path string, force bool, write func(io.Writer) error) (stream bool, err error) {
	if path == "-" || path == "/dev/stdout" {
		return true, write(e.stdout)
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if link, lerr := os.Lstat(path); lerr == nil && link.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(path)
			return false, fmt.Errorf("write %s: a symbolic link to %s, which does not exist: give a file, not the link", path, target)
		}
		return false, writeAtomically(path, write)
	case err != nil:
		return false, fmt.Errorf("write %s: %w", path, err)
	case info.IsDir():
		return false, fmt.Errorf("write %s: it is a directory", path)
	case info.Mode().IsRegular():
		if !force {
			return false, fmt.Errorf("%s exists: pass --force to overwrite it", path)
		}
		// Through a link, replace the file it points to and keep the link.
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return false, fmt.Errorf("write %s: %w", path, err)
		}
		return false, writeAtomically(real, write)
	}
	// Renaming a file over a device or a pipe would replace it (as root, /dev/null itself):
	// write into it instead.
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return true, fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(f); err != nil {
		_ = f.Close()
		return true, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return true, fmt.Errorf("write %s: %w", path, err)
	}
	return true, nil
}

//go:build unix

package main

import (
	"os"
	"syscall"
)

// unlockedFile reports whether no process holds a lock on the regular file at path: bbolt
// locks its file (flock) from open to close, and a killed process's lock is gone with it.
// A creation could be caught in the instant between its close and its rename, or its create
// and its lock; it then fails with an error and leaves nothing behind.
func unlockedFile(path string) bool {
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return false
	}
	return true
}

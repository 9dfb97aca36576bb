//go:build !linux

package main

import "os/exec"

// dieWithParent does nothing where the kernel cannot tie a child's life to
// its parent's: close the driver with Ctrl-C, which stops its children.
func dieWithParent(*exec.Cmd) {}

#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, types one line once it prompts, and prints
everything the terminal showed (stdout, stderr and any echo) to stdout.

usage: on_a_terminal.py PROMPT LINE COMMAND [ARGS...]; exits with the command's exit code.
"""
import os
import pty
import select
import sys
import time


def main():
    prompt, line, argv = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    shown, typed, deadline = b"", False, time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the command ended and closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        if not typed and prompt in shown:
            os.write(fd, line + b"\n")
            typed = True
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(shown)
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()

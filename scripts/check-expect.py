#!/usr/bin/env python3
"""Check a guest console log against an expectation file.

Each non-comment line of the expectation file is an extended regular expression that must match
somewhere in the log, after the match of the line before it. A line starting with '!' must match
nowhere in the log. Prints what it missed; exit status 0 when everything matched.
"""
import re
import sys


def main() -> int:
    log_path, expect_path = sys.argv[1], sys.argv[2]
    with open(log_path, errors="replace") as f:
        lines = [l.rstrip("\r\n").replace("\r", "") for l in f]
    ok = True
    pos = 0
    for raw in open(expect_path):
        pattern = raw.rstrip("\n")
        if not pattern or pattern.startswith("#"):
            continue
        if pattern.startswith("!"):
            rx = re.compile(pattern[1:])
            for n, line in enumerate(lines, 1):
                if rx.search(line):
                    print(f"check-expect: forbidden /{pattern[1:]}/ found at log line {n}: {line}")
                    ok = False
                    break
            continue
        rx = re.compile(pattern)
        for n in range(pos, len(lines)):
            if rx.search(lines[n]):
                pos = n + 1
                break
        else:
            print(f"check-expect: /{pattern}/ not found after log line {pos}")
            ok = False
    print(f"check-expect: {expect_path}: {'all lines matched' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Print the packages whose newest resolution differs from the lock: ``lockdiff.py LOCK FREEZE``.

``make test-latest`` calls it so that a failure there names the releases that moved.
"""

from __future__ import annotations

import re
import sys

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pins(path: str) -> dict[str, str]:
    found: dict[str, str] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            match = _PIN.match(line.strip())
            if match:
                found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


def main(lock: str, freeze: str) -> int:
    locked, resolved = pins(lock), pins(freeze)
    moved = sorted(name for name in locked.keys() & resolved.keys()
                   if locked[name] != resolved[name])
    for name in moved:
        print(f"  {name}: locked {locked[name]}, newest {resolved[name]}")
    if not moved:
        print("  none")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))

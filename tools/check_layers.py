#!/usr/bin/env python3
"""Checks the layering of src/: a file may include headers of its own layer and of
the layers below it (docs/ARCHITECTURE.md), never of a higher one."""
import re
import sys
from pathlib import Path

ORDER = ["base", "format", "kernels", "runtime", "model", "serve", "sim", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/', re.M)


def main():
    src = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "src")
    bad = []
    for f in sorted(src.rglob("*")):
        if f.suffix not in (".h", ".cpp"):
            continue
        layer = f.relative_to(src).parts[0]
        if layer not in ORDER:
            bad.append(f"{f}: folder '{layer}' is not a known layer")
            continue
        for dep in INCLUDE.findall(f.read_text()):
            if dep in ORDER and ORDER.index(dep) > ORDER.index(layer):
                bad.append(f"{f}: {layer}/ includes higher layer {dep}/")
    for b in bad:
        print(b)
    print(f"layers: {'ok' if not bad else str(len(bad)) + ' violations'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

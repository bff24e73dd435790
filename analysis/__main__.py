"""Command line: ``python -m analysis validate [DATA_DIR]``.

Exit 0 with a one-line summary when every table is valid; exit 1 listing every problem as
``file:row:column: message`` otherwise (no traceback).  Exit 2 for a usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .core.paths import DATA_DIR
from .core.tables import validate_all

USAGE = "usage: python -m analysis validate [DATA_DIR]"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "validate" or len(args) > 2:
        print(USAGE, file=sys.stderr)
        return 2
    data_dir = Path(args[1]) if len(args) == 2 else DATA_DIR
    if not data_dir.is_dir():
        print(f"{data_dir}: not a directory", file=sys.stderr)
        return 1
    try:
        counts, problems = validate_all(data_dir)
    except Exception as exc:  # a last resort: the validator itself must never print a traceback
        print(f"{data_dir}::: validator failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    if problems:
        for p in problems:
            print(p)
        print(f"{len(problems)} problem(s) found in {data_dir}", file=sys.stderr)
        return 1
    summary = ", ".join(f"{name} {n} rows" for name, n in counts.items())
    print(f"OK: {data_dir} is valid ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

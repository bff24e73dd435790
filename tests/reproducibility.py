"""Two executions from the same inputs must give the same book.

Used by ``make test`` around the strict build (run it from the repository root):

    python tests/reproducibility.py snapshot OUT.json      # sha256 of every exported figure file
    python tests/reproducibility.py compare-figures A.json B.json
    python tests/reproducibility.py compare-notebooks book _build/jupyter_execute/book

* **Figures.** ``make test`` snapshots ``_static/figures`` (PNG, SVG and CSV written by
  :func:`analysis.figures.style.publish`) after nbval has executed every chapter, then again after
  the strict build has executed every chapter a second time; the CSV and SVG files must be
  byte-identical (PNG is listed but compared only for presence: rasterisation may differ in
  anti-aliasing between Chromium runs).
* **Notebooks.** The notebooks the build executed are compared with the executed notebooks
  stored in ``book/`` cell by cell, every output (not only ``NBVAL_CHECK_OUTPUT`` cells), after
  the sanitising rules of ``tests/nbval_sanitize.cfg`` and after rounding decimal numbers to 9
  significant digits (stored notebooks may come from a machine whose BLAS differs in the last
  bits; a real change in a result still shows).  Cells marked ``# NBVAL_IGNORE_OUTPUT`` are
  skipped, as nbval skips them.

Exit code 0 when identical, 1 with a list of every difference.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "_static" / "figures"
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
BYTE_STABLE = (".csv", ".svg")
_DECIMAL = re.compile(r"(?<![\w.])-?\d+\.\d+(?:[eE][-+]?\d+)?")
#: plotly div ids hash the figure JSON, so they change with the last bit of any float; the JSON
#: itself is compared (rounded) instead.
_PLOTLY_ID = re.compile(r"plotly-[0-9a-f]{16}")
#: plotly 6+ writes numeric arrays as base64 ("bdata"); decoded and rounded before comparing.
_BDATA = re.compile(r'\{"dtype":"([fiu]\d)","bdata":"([^"]*)"(?:,"shape":"([^"]*)")?\}')


def snapshot(folder: Path = FIGURES) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*")) if p.is_file()}


def compare_figures(a: dict[str, str], b: dict[str, str]) -> list[str]:
    problems = [f"{n}: only in the first execution" for n in sorted(set(a) - set(b))]
    problems += [f"{n}: only in the second execution" for n in sorted(set(b) - set(a))]
    problems += [f"{n}: differs between the two executions" for n in sorted(set(a) & set(b))
                 if n.endswith(BYTE_STABLE) and a[n] != b[n]]
    return problems


def _rules() -> list[tuple[re.Pattern, str]]:
    cfg = configparser.ConfigParser()
    cfg.read(SANITIZE, encoding="utf-8")
    return [(re.compile(cfg[s]["regex"]), cfg[s]["replace"]) for s in cfg.sections()]


def _round(m: re.Match) -> str:
    return format(float(m.group(0)), ".9g")


def _decode_bdata(m: re.Match) -> str:
    import base64

    import numpy as np

    raw = base64.b64decode(m.group(2).replace("\\u002f", "/").replace("\\u002b", "+"))
    values = np.frombuffer(raw, dtype=np.dtype(m.group(1)).newbyteorder("<"))
    return "[" + ",".join(format(float(v), ".9g") for v in values) + "]"


def sanitise(text: str, rules=None) -> str:
    text = _BDATA.sub(_decode_bdata, text)
    for pattern, replace in rules if rules is not None else _rules():
        text = pattern.sub(replace, text)
    text = _PLOTLY_ID.sub("plotly-ID", text)
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return _DECIMAL.sub(_round, text)


def cell_outputs(nb: dict, rules=None) -> list[tuple[int, str]]:
    """(code-cell index, sanitised outputs) for every code cell not marked NBVAL_IGNORE_OUTPUT."""
    out = []
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for i, cell in enumerate(code):
        if "NBVAL_IGNORE_OUTPUT" in "".join(cell["source"]):
            continue
        parts, last_stream = [], None
        for o in cell.get("outputs", []):
            if o["output_type"] == "stream":
                # a kernel may split one print into several stream messages: merge them, as nbval does
                text = "".join(o["text"])
                if last_stream == o["name"]:
                    parts[-1] += text
                else:
                    parts.append(o["name"] + ":" + text)
                last_stream = o["name"]
                continue
            last_stream = None
            if o["output_type"] in ("execute_result", "display_data"):
                for mime in sorted(o["data"]):
                    value = o["data"][mime]
                    parts.append(mime + ":" + ("".join(value) if isinstance(value, list) else str(value)))
            elif o["output_type"] == "error":
                parts.append("error:" + o["ename"])
        out.append((i, sanitise("\n".join(parts), rules)))
    return out


def compare_notebooks(stored_dir: Path, executed_dir: Path) -> list[str]:
    rules = _rules()
    problems = []
    stored = sorted(stored_dir.glob("*.ipynb"))
    if not stored:
        return [f"no notebooks in {stored_dir}"]
    for nb_path in stored:
        other = executed_dir / nb_path.name
        if not other.exists():
            problems.append(f"{nb_path.name}: not executed by the build ({other} missing)")
            continue
        a = cell_outputs(json.loads(nb_path.read_text(encoding="utf-8")), rules)
        b = cell_outputs(json.loads(other.read_text(encoding="utf-8")), rules)
        if len(a) != len(b):
            problems.append(f"{nb_path.name}: {len(a)} checked cells stored, {len(b)} executed")
            continue
        for (i, x), (_, y) in zip(a, b):
            if x != y:
                at = next((k for k in range(min(len(x), len(y))) if x[k] != y[k]), min(len(x), len(y)))
                problems.append(f"{nb_path.name}: code cell {i} differs from the stored output near "
                                f"{x[max(0, at - 40):at + 40]!r} vs {y[max(0, at - 40):at + 40]!r}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "snapshot":
        Path(argv[1]).parent.mkdir(parents=True, exist_ok=True)
        snap = snapshot()
        if not snap:
            print(f"no exported figures in {FIGURES}")
            return 1
        Path(argv[1]).write_text(json.dumps(snap, indent=1, sort_keys=True) + "\n")
        print(f"snapshot of {len(snap)} figure files written to {argv[1]}")
        return 0
    if len(argv) == 3 and argv[0] == "compare-figures":
        a, b = (json.loads(Path(p).read_text()) for p in argv[1:])
        problems = compare_figures(a, b)
        label = f"{sum(n.endswith(BYTE_STABLE) for n in a)} CSV/SVG exports byte-identical across two executions"
    elif len(argv) == 3 and argv[0] == "compare-notebooks":
        problems = compare_notebooks(Path(argv[1]), Path(argv[2]))
        label = f"executed notebooks in {argv[2]} match the stored ones in {argv[1]}"
    else:
        print(__doc__)
        return 2
    for p in problems:
        print(p)
    if problems:
        print(f"reproducibility: {len(problems)} difference(s)")
        return 1
    print("reproducibility: " + label)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

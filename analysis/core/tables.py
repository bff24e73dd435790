"""Reading the curated tables in ``data/`` and checking them against their schemas.

Every table ``data/<name>.csv`` has a Frictionless Table Schema in
``data/schemas/<name>.schema.yaml`` (columns, types, descriptions, allowed values,
uniqueness, foreign keys).  The schema is the single description of the table: it is published
with the book and it is turned here into a `pandera <https://pandera.readthedocs.io>`_ schema
that checks types and constraints; its ``foreignKeys`` are checked against the referenced
table (every report key must be a row of ``sources.csv``).  Checks that need more than one
table or the report texts are registered per table with :func:`register_check` by the modules
of :mod:`analysis.checks`; this module imports none of them statically (they sit in the layer
above): :func:`check_table` imports the modules named in :data:`CHECK_MODULES` before its first
cross-check, so a program that never checks a table (the Sphinx extensions, the chapter executor)
loads neither them nor pandera.

Every loader takes an optional data directory and returns a validated DataFrame or raises
:class:`DataValidationError`, which lists *all* problems as ``file:row:column: message``
(``row`` is the line number in the CSV file, the header being line 1).
"""

from __future__ import annotations

import hashlib
import importlib
import re
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd
import pandera.pandas as pa
from pandera.engines import pandas_engine

from .paths import DATA_DIR
from .registry import UnknownReport
from .schemas import TABLES, file_stamp, read_table_schema, schema_path

#: ISO date or datetime with the precision the text gives: 2021, 2021-12, 2021-12-20, 2021-12-20T21:00.
ISO_PARTIAL = re.compile(r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2})?)?)?")

@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file, located as precisely as possible."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        row = "" if self.row is None else str(self.row)
        col = self.column or ""
        return f"{self.file}:{row}:{col}: {self.message}"


class DataValidationError(ValueError):
    """Raised by the loaders; ``problems`` holds every :class:`Problem` found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = "\n".join(str(p) for p in self.problems[:50])
        more = "" if len(self.problems) <= 50 else f"\n... and {len(self.problems) - 50} more"
        super().__init__(f"{len(self.problems)} problem(s) in the data:\n{shown}{more}")


# --------------------------------------------------------------------------------------
# Table Schema -> pandera

def _valid_date(s: pd.Series) -> pd.Series:
    ok = s.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    parsed = pd.to_datetime(s.where(ok), format="%Y-%m-%d", errors="coerce")
    return ok & parsed.notna()


def _valid_iso_partial(s: pd.Series) -> pd.Series:
    ok = s.map(lambda v: bool(ISO_PARTIAL.fullmatch(v)))
    padded = s.map(_pad_iso)
    parsed = pd.to_datetime(padded.where(ok), format="%Y-%m-%dT%H:%M", errors="coerce")
    return ok & parsed.notna()


def _pad_iso(value: str) -> str:
    """Complete a partial ISO string to minute precision (for validity checks only)."""
    value = str(value)
    if len(value) == 4:
        return value + "-01-01T00:00"
    if len(value) == 7:
        return value + "-01T00:00"
    if len(value) == 10:
        return value + "T00:00"
    return value


def _geopandas_dtype_unless_none(dtype, _check=pandas_engine.is_geopandas_dtype):
    """pandera 0.35 asks ``is_geopandas_dtype(None)`` for every frame it validates (the frame-level
    dtype), and that question imports geopandas (about 0.6 s) to answer "no". None is never a
    geometry type, so it is answered here; every other dtype goes to pandera's own function."""
    return False if dtype is None else _check(dtype)


pandas_engine.is_geopandas_dtype = _geopandas_dtype_unless_none


def pandera_schema(table_schema: dict) -> pa.DataFrameSchema:
    """Build the pandera schema that enforces a Frictionless Table Schema.

    Types: ``string`` (optionally ``format: iso-partial``), ``number``, ``integer``,
    ``date``, ``boolean``.  Constraints: ``required``, ``unique``, ``enum``, ``pattern``
    (full match), ``minimum``, ``maximum``.
    """
    columns = {}
    for field in table_schema["fields"]:
        cons = field.get("constraints", {})
        ftype = field.get("type", "string")
        checks: list[pa.Check] = []
        if "enum" in cons:
            checks.append(pa.Check.isin([str(v) for v in cons["enum"]] if ftype == "string" else cons["enum"],
                                        error=f"value not in the allowed list {cons['enum']}"))
        if "pattern" in cons:
            rx = re.compile(f"(?:{cons['pattern']})")
            checks.append(pa.Check(lambda s, rx=rx: s.map(lambda v: bool(rx.fullmatch(v))), element_wise=False,
                                   error=f"does not match the pattern {cons['pattern']}"))
        if "minimum" in cons:
            checks.append(pa.Check.ge(cons["minimum"], error=f"less than the minimum {cons['minimum']}"))
        if "maximum" in cons:
            checks.append(pa.Check.le(cons["maximum"], error=f"greater than the maximum {cons['maximum']}"))
        if ftype == "date":
            checks.append(pa.Check(_valid_date, error="not a valid ISO date (YYYY-MM-DD)"))
            dtype = str
        elif field.get("format") == "iso-partial":
            checks.append(pa.Check(_valid_iso_partial, error="not a valid ISO date/datetime (YYYY[-MM[-DD[THH:MM]]])"))
            dtype = str
        elif ftype == "number":
            dtype = float
        elif ftype == "integer":
            dtype = pd.Int64Dtype()  # an instance: the string "Int64" makes pandera import geopandas
        elif ftype == "boolean":
            dtype = pd.BooleanDtype()
        else:
            dtype = str
        columns[field["name"]] = pa.Column(
            dtype, checks=checks, nullable=not cons.get("required", False),
            unique=bool(cons.get("unique", False)), coerce=dtype not in (str,), required=True,
        )
    return pa.DataFrameSchema(columns, strict=True, ordered=True, coerce=False)


# --------------------------------------------------------------------------------------
# Reading and validating

def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_raw(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read a CSV as text (empty cells -> missing); problems instead of exceptions."""
    name = _relative(path)
    if not path.exists():
        return None, [Problem(name, None, None, "file not found")]
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(name, line, None, f"not valid UTF-8 (byte {exc.start}: {exc.reason})")]
    if not data.strip():
        return None, [Problem(name, None, None, "file is empty (no header row)")]
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    except (pd.errors.ParserError, ValueError) as exc:
        return None, [Problem(name, None, None, f"not a readable CSV: {exc}")]
    return df, []


def _failure_rows(failure_cases: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    for case in failure_cases.itertuples(index=False):
        column = case.column if isinstance(case.column, str) else None
        index = case.index
        row = int(index) + 2 if index is not None and not pd.isna(index) else None
        check = str(case.check)
        value = case.failure_case
        if check == "column_in_dataframe":
            msg = f"required column {value!r} is missing"
            column = str(value)
        elif check == "column_in_schema":
            msg = f"unexpected column {value!r}"
            column = str(value)
        elif check == "column_ordered":
            msg = f"column {value!r} is out of order"
        elif check == "not_nullable":
            msg = "value is required but empty"
        elif check == "field_uniqueness":
            msg = f"duplicate value {value!r}"
        elif check.startswith("coerce_dtype"):
            msg = f"{value!r} is not a valid {check[len('coerce_dtype('):-1].strip(chr(39))}"
        else:
            msg = f"{check}: {value!r}"
        problems.append(Problem(file, row, column, msg))
    return problems


def validate_frame(name: str, raw: pd.DataFrame, file: str, data_dir: Path | str | None = None
                   ) -> tuple[pd.DataFrame, list[Problem]]:
    """Check ``raw`` (text columns, as read) against table ``name``'s schema.

    Returns the typed frame (numbers as floats, ``Int64`` integers) and the problems.
    """
    schema = pandera_schema(read_table_schema(name, data_dir))
    try:
        typed = schema.validate(raw, lazy=True)
        problems: list[Problem] = []
    except pa.errors.SchemaErrors as err:
        problems = _failure_rows(err.failure_cases, file)
        typed = raw
    return typed, problems



CrossCheck = Callable[[pd.DataFrame, str, Path], Iterable["Problem"]]
#: Extra checks per table, run only when the schema checks pass (filled by analysis.checks).
CROSS_CHECKS: dict[str, list[CrossCheck]] = {}
#: The modules whose import registers the cross-checks; named, not imported, since they sit in the
#: layer above. :func:`cross_checks` imports them (once: Python keeps them in ``sys.modules``).
CHECK_MODULES = ("analysis.checks",)


def register_check(table: str):
    """Register a function ``(df, file, data_dir) -> problems`` for ``table``."""
    def register(fn: CrossCheck) -> CrossCheck:
        CROSS_CHECKS.setdefault(table, []).append(fn)
        return fn
    return register


def cross_checks(name: str) -> list[CrossCheck]:
    """The checks registered for table ``name``, after importing :data:`CHECK_MODULES`."""
    for module in CHECK_MODULES:
        importlib.import_module(module)
    return CROSS_CHECKS.get(name, [])


def iter_rows(df: pd.DataFrame):
    """(line number in the CSV, row) pairs."""
    for i, row in enumerate(df.itertuples(index=False)):
        yield i + 2, row


def is_blank(value) -> bool:
    """True for an empty cell (None, NaN, NA or "")."""
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA or value == ""


def check_table_schema_only(name: str, data_dir: Path | str | None = None):
    """Read table ``name`` and check it against its schema only (no cross-table checks).

    The result is cached until the CSV or its schema changes (the cross-table checks ask for the
    same sibling tables many times); a copy is returned, so callers may modify it.
    """
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    path = base / TABLES[name]
    if not path.exists():
        return None, [Problem(_relative(path), None, None, "file not found")]
    schema = schema_path(name, base)
    schema = schema if schema.exists() else schema_path(name)
    df, problems = _schema_checked(name, str(path), *file_stamp(path), str(base), *file_stamp(schema))
    return (None if df is None else df.copy()), list(problems)


@lru_cache(maxsize=64)
def _schema_checked(name: str, path: str, mtime_ns: int, size: int, base: str, schema_mtime: int, schema_size: int):
    raw, problems = read_raw(Path(path))
    if raw is None:
        return None, tuple(problems)
    df, problems = validate_frame(name, raw, _relative(Path(path)), base)
    return df, tuple(problems)


def sibling_table(base: Path, name: str) -> pd.DataFrame | None:
    """Another table, already schema-valid, or None (its own problems are reported separately)."""
    df, problems = check_table_schema_only(name, base)
    return None if problems else df


def check_foreign_keys(name: str, df: pd.DataFrame, file: str, base: Path) -> list[Problem]:
    """Every value of a ``foreignKeys`` field is a value of the referenced table's column."""
    problems = []
    for fk in read_table_schema(name, base).get("foreignKeys", []):
        field, ref = fk["fields"], fk["reference"]
        target = sibling_table(base, ref["resource"])
        if target is None:
            continue  # the referenced table's own problems are reported with it
        known = set(target[ref["fields"]].dropna().astype(str))
        for line, value in zip(range(2, len(df) + 2), df[field]):
            if not is_blank(value) and str(value) not in known:
                problems.append(Problem(file, line, field,
                                        f"{value!r} is not a {ref['fields']} of {TABLES[ref['resource']]}"))
    return problems


def check_table(name: str, data_dir: Path | str | None = None) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read and fully validate one table; never raises for bad data."""
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    file = _relative(base / TABLES[name])
    typed, problems = check_table_schema_only(name, base)
    if problems or typed is None:
        return None, problems
    problems = check_foreign_keys(name, typed, file, base)
    if problems:
        return None, problems
    for fn in cross_checks(name):
        try:
            problems.extend(fn(typed, file, base))
        except (UnknownReport, OSError) as exc:  # a broken registry or a missing text: reported, not raised
            problems.append(Problem(file, None, None, f"not checked against the report texts: {exc}"))
    return (None if problems else typed), problems


def load_table(name: str, data_dir: Path | str | None = None) -> pd.DataFrame:
    """Validated table ``name``; raises :class:`DataValidationError` listing every problem."""
    df, problems = check_table(name, data_dir)
    if problems:
        raise DataValidationError(problems)
    return df


def validate_all(data_dir: Path | str | None = None) -> tuple[dict[str, int], list[Problem]]:
    """Validate every table: (row counts of the valid tables, all problems)."""
    counts, problems = {}, []
    for name in TABLES:
        df, found = check_table(name, data_dir)
        problems.extend(found)
        if df is not None:
            counts[name] = len(df)
    return counts, problems


def scratch_copy(target: Path | str, data_dir: Path | str | None = None) -> Path:
    """Copy the data directory to ``target`` (for trying edits without touching data/)."""
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    target = Path(target)
    shutil.copytree(base, target, ignore=shutil.ignore_patterns("_fragments", "__pycache__"), dirs_exist_ok=True)
    return target


def append_rows(table: str, rows: list[dict], data_dir: Path | str) -> Path:
    """Append rows (dicts keyed by column name; missing columns left empty) to a table's CSV."""
    base = Path(data_dir)
    path = base / TABLES[table]
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    new = pd.DataFrame([{c: ("" if r.get(c) is None else str(r.get(c))) for c in df.columns} for r in rows])
    pd.concat([df, new], ignore_index=True).to_csv(path, index=False, lineterminator="\n")
    return path


def add_report(data_dir: Path | str, key: str, text: str, **fields) -> Path:
    """Add a report to a copy of the data: its text in ``sources/`` and its row in ``sources.csv``.

    The file is named like the seeds (``NNN_<16 hex digits of its SHA-256>.txt``, NNN the next
    free number), the row gets the file's SHA-256 and the next display order; ``fields`` fill the
    other columns (city and province names, period and its quote, kind, script, defects, colour,
    normalisation). Nothing in ``analysis/`` changes: the registry reads the new row.
    """
    base = Path(data_dir)
    data = text.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    sources = pd.read_csv(base / TABLES["sources"], dtype=str, keep_default_na=False)
    number = 1 + max((int(f[:3]) for f in sources["source_file"] if f[:3].isdigit()), default=-1)
    name = f"{number:03d}_{digest[:16]}.txt"
    (base / "sources" / name).write_bytes(data)
    order = 1 + max((int(o) for o in sources.get("order", pd.Series(dtype=str)) if str(o).isdigit()), default=0)
    append_rows("sources", [{"report": key, "source_file": name, "sha256": digest, "order": order, **fields}], base)
    return base / "sources" / name

"""Loading and validating the curated tables in ``data/``.

Every table ``data/<name>.csv`` has a Frictionless Table Schema in
``data/schemas/<name>.schema.yaml`` (columns, types, descriptions, allowed values,
uniqueness).  The schema is the single description of the table: it is published with the
book and it is turned here into a `pandera <https://pandera.readthedocs.io>`_ schema that
checks types and constraints.  Checks that need more than one table or the report texts
(quotes found in the source, SHA-256 of the texts, ...) are registered per table in
:data:`CROSS_CHECKS`.

Every loader takes an optional data directory and returns a validated DataFrame or raises
:class:`DataValidationError`, which lists *all* problems as ``file:row:column: message``
(``row`` is the line number in the CSV file, the header being line 1).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd
import pandera.pandas as pa
import yaml

from . import sources as src

DATA_DIR = src.DATA_DIR

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

def schema_path(name: str, data_dir: Path | str | None = None) -> Path:
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    return base / "schemas" / f"{name}.schema.yaml"


def read_table_schema(name: str, data_dir: Path | str | None = None) -> dict:
    """The Frictionless Table Schema of table ``name`` as a dict.

    Schemas are read from the project's own ``data/schemas`` unless that folder exists in
    ``data_dir``: a user's copy of the data is validated against the published schema.
    """
    path = schema_path(name, data_dir)
    if not path.exists():
        path = schema_path(name)
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


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
            dtype = "Int64"
        elif ftype == "boolean":
            dtype = "boolean"
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


CrossCheck = Callable[[pd.DataFrame, str, Path], Iterable[Problem]]
#: Extra checks per table, run only when the schema checks pass.
CROSS_CHECKS: dict[str, list[CrossCheck]] = {}


def cross_check(table: str):
    """Register a function ``(df, file, data_dir) -> problems`` for ``table``."""
    def register(fn: CrossCheck) -> CrossCheck:
        CROSS_CHECKS.setdefault(table, []).append(fn)
        return fn
    return register


#: Table name -> CSV path relative to the data directory.
TABLES = {
    "sources": "sources.csv",
}


def check_table(name: str, data_dir: Path | str | None = None) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read and fully validate one table; never raises for bad data."""
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    path = base / TABLES[name]
    file = _relative(path)
    raw, problems = read_raw(path)
    if raw is None:
        return None, problems
    typed, problems = validate_frame(name, raw, file, base)
    if problems:
        return None, problems
    for fn in CROSS_CHECKS.get(name, []):
        problems.extend(fn(typed, file, base))
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


# --------------------------------------------------------------------------------------
# sources.csv

@cross_check("sources")
def _sources_match_files(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    for i, row in enumerate(df.itertuples(index=False)):
        line = i + 2
        if row.source_file != src.SOURCE_FILES[row.report]:
            yield Problem(file, line, "source_file", f"{row.report} is stored as {src.SOURCE_FILES[row.report]}")
            continue
        path = base / "sources" / row.source_file
        if not path.exists():
            yield Problem(file, line, "source_file", f"{path} does not exist")
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != row.sha256:
            yield Problem(file, line, "sha256", f"file {row.source_file} has SHA-256 {digest}, not the recorded one")
        if row.period_end < row.period_start:
            yield Problem(file, line, "period_end", "period ends before it starts")
        if row.period_source == "report":
            text = src.normalised_text(row.report, base)
            for quote in str(row.period_quote).split("|"):
                if quote not in text:
                    yield Problem(file, line, "period_quote", f"quote not found in the normalised text: {quote!r}")
        if isinstance(row.published_quote, str) and row.published_quote not in src.normalised_text(row.report, base):
            yield Problem(file, line, "published_quote", f"quote not found in the normalised text: {row.published_quote!r}")


def load_sources(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/sources.csv``: the five report texts, validated; dates parsed."""
    df = load_table("sources", data_dir)
    for col in ("period_start", "period_end"):
        df[col] = pd.to_datetime(df[col], format="%Y-%m-%d")
    return df

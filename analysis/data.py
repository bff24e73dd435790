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
def discover_tables(schema_dir: Path | None = None) -> dict[str, str]:
    """Table name -> CSV path (relative to the data directory), one per ``*.schema.yaml``.

    A new table needs only its CSV and a schema with a ``path`` key; the referenced tables
    come first so that cross-table checks can rely on them.
    """
    schema_dir = schema_dir or DATA_DIR / "schemas"
    found = {}
    for f in sorted(schema_dir.glob("*.schema.yaml")):
        with open(f, encoding="utf-8") as fh:
            found[f.name[: -len(".schema.yaml")]] = yaml.safe_load(fh)["path"]
    first = [n for n in ("sources", "supplementary", "codebook", "facts") if n in found]
    return {n: found[n] for n in first + [n for n in found if n not in first]}


#: Table name -> CSV path relative to the data directory.
TABLES = discover_tables()


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
            text, where = src.normalised_text(row.report, base), "the normalised text"
        else:
            supp = _sibling(base, "supplementary")
            match = None if supp is None else supp[supp["source_id"] == row.period_source]
            if match is None or match.empty:
                yield Problem(file, line, "period_source", f"{row.period_source} is not in sources/supplementary.csv")
                continue
            text, where = match["quote"].iloc[0], f"the supplementary quote {row.period_source}"
        for quote in str(row.period_quote).split("|"):
            if quote not in text:
                yield Problem(file, line, "period_quote", f"quote not found in {where}: {quote!r}")
        if isinstance(row.published_quote, str) and row.published_quote not in src.normalised_text(row.report, base):
            yield Problem(file, line, "published_quote", f"quote not found in the normalised text: {row.published_quote!r}")


def load_sources(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/sources.csv``: the five report texts, validated; dates parsed."""
    df = load_table("sources", data_dir)
    for col in ("period_start", "period_end"):
        df[col] = pd.to_datetime(df[col], format="%Y-%m-%d")
    return df


# --------------------------------------------------------------------------------------
# facts, events, screening, districts, supplementary, codebook, uncounted numbers

#: Sites graded X / EXCLUDED in shared/reference/README.md: never a source.
EXCLUDED_SITES = (
    "lfcredit.cn", "instres.cn", "lakalal.cn", "shunweifood.com", "zzyxh.com", "84808.cn", "dszyy.cn",
    "hymcn.com", "cha-zuo.cn", "joyhs.com", "78hcp.com", "hbwgpqb.cn", "xitulive.cn", "webzy.cn",
    "wnsqxx.cn", "sxzxw.com.cn", "yzmysy.cn",
)
#: Words that state a zero without a digit: "all negative" (阴性/陰性), "zero" (零).
ZERO_WORDS = ("阴性", "陰性", "零")
_FORMULA_REF = re.compile(r"\{([a-z]+-\d{3})\}")
_FORMULA_SAFE = re.compile(r"[\d\s.+\-*/()]*")


def _rows(df: pd.DataFrame):
    """(line number in the CSV, row) pairs."""
    for i, row in enumerate(df.itertuples(index=False)):
        yield i + 2, row


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA or value == ""


def _sibling(base: Path, name: str) -> pd.DataFrame | None:
    """Another table, already schema-valid, or None (its own problems are reported separately)."""
    df, problems = check_table_schema_only(name, base)
    return None if problems else df


def check_table_schema_only(name: str, data_dir: Path | str | None = None):
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    path = base / TABLES[name]
    raw, problems = read_raw(path)
    if raw is None:
        return None, problems
    return validate_frame(name, raw, _relative(path), base)


def evaluate_formula(formula: str, values: dict[str, float]) -> float:
    """Evaluate ``{fact-id} + {fact-id} ...`` with the given values; only + - * / ( ) and numbers."""
    def sub(m: re.Match) -> str:
        key = m.group(1)
        if key not in values or _blank(values[key]):
            raise KeyError(key)
        return repr(float(values[key]))

    expr = _FORMULA_REF.sub(sub, formula)
    if not _FORMULA_SAFE.fullmatch(expr):
        raise ValueError(f"formula may only use fact ids, numbers and + - * / ( ): {formula!r}")
    return float(eval(expr, {"__builtins__": {}}, {}))  # noqa: S307 - checked to be plain arithmetic


def _decimals(value: float) -> int:
    text = repr(float(value))
    return 0 if text.endswith(".0") else len(text.split(".")[1])


def matches_derived(value: float, computed: float) -> bool:
    """A derived value matches its formula when it equals the result rounded to the value's decimals."""
    return round(computed, _decimals(value)) == round(float(value), _decimals(value))


def quote_supports(value: float, quote: str) -> bool:
    """Whether ``quote`` states ``value`` (after numeral conversion; zero also by 阴性/零)."""
    from .numerals import numbers_in

    if float(value) in numbers_in(quote):
        return True
    return float(value) == 0 and any(w in quote for w in ZERO_WORDS)


def _check_conflicts(df: pd.DataFrame, id_col: str, file: str) -> Iterable[Problem]:
    ids = set(df[id_col])
    links = {}
    for line, row in _rows(df):
        raw = getattr(row, "conflicts_with")
        targets = [] if _blank(raw) else str(raw).split(";")
        links[getattr(row, id_col)] = (line, targets)
    for own, (line, targets) in links.items():
        for t in targets:
            if t not in ids:
                yield Problem(file, line, "conflicts_with", f"{t} does not exist")
            elif own not in links[t][1]:
                yield Problem(file, line, "conflicts_with", f"{t} does not point back at {own}")
            if t == own:
                yield Problem(file, line, "conflicts_with", "a row cannot conflict with itself")


def _check_quote(row, line: int, file: str, base: Path, supp: pd.DataFrame | None) -> Iterable[Problem]:
    if row.status == "supplemented":
        if _blank(row.source_id):
            yield Problem(file, line, "source_id", "a supplemented row needs a source_id")
        elif supp is not None:
            match = supp[supp["source_id"] == row.source_id]
            if match.empty:
                yield Problem(file, line, "source_id", f"{row.source_id} is not in sources/supplementary.csv")
            elif row.quote not in match["quote"].iloc[0]:
                yield Problem(file, line, "quote", f"quote not found in the supplementary excerpt {row.source_id}")
    else:
        if row.quote not in src.normalised_text(row.report, base):
            yield Problem(file, line, "quote", f"quote not found in the normalised {row.report} text: {row.quote[:40]!r}")


@cross_check("supplementary")
def _supplementary_sites(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    for line, row in _rows(df):
        if _blank(row.url):
            if _blank(row.note) or "no url recorded" not in row.note.lower():
                yield Problem(file, line, "url", 'a source without a URL must say "no URL recorded" in its note')
            continue
        host = re.sub(r"^https?://", "", row.url).split("/")[0].lower()
        if any(host == s or host.endswith("." + s) for s in EXCLUDED_SITES):
            yield Problem(file, line, "url", f"{host} is an excluded (grade X) site")


@cross_check("facts")
def _facts_rules(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    supp = _sibling(base, "supplementary")
    codebook = _sibling(base, "codebook")
    values = dict(zip(df["fact_id"], df["value"]))
    units = {} if codebook is None else dict(zip(codebook["metric"], codebook["unit"]))
    for line, row in _rows(df):
        if not row.fact_id.startswith(row.report + "-"):
            yield Problem(file, line, "fact_id", f"id does not start with its report key {row.report}")
        yield from _check_quote(row, line, file, base, supp)
        has_value = not _blank(row.value)
        if row.status == "stripped" and has_value:
            yield Problem(file, line, "value", "a stripped row must have no value")
        if row.status in ("reported", "supplemented"):
            if not has_value:
                yield Problem(file, line, "value", f"a {row.status} row needs a value")
            elif not quote_supports(row.value, row.quote):
                yield Problem(file, line, "value", f"{row.value:g} is not stated in its quote")
            if _blank(row.qualifier):
                yield Problem(file, line, "qualifier", "a stated number needs a qualifier")
        if row.status != "supplemented" and not _blank(row.source_id):
            yield Problem(file, line, "source_id", "only supplemented rows cite a supplementary source")
        if row.status == "derived":
            if _blank(row.formula):
                yield Problem(file, line, "formula", "a derived row needs a formula")
            elif not has_value:
                yield Problem(file, line, "value", "a derived row needs a value")
            else:
                try:
                    computed = evaluate_formula(row.formula, values)
                except KeyError as exc:
                    yield Problem(file, line, "formula", f"refers to {exc.args[0]}, which does not exist or has no value")
                except (ValueError, SyntaxError, ZeroDivisionError) as exc:
                    yield Problem(file, line, "formula", f"cannot evaluate: {exc}")
                else:
                    if not matches_derived(row.value, computed):
                        yield Problem(file, line, "value", f"{row.value:g} does not match its formula ({computed:g})")
        elif not _blank(row.formula):
            yield Problem(file, line, "formula", "only derived rows have a formula")
        if units and row.metric not in units:
            yield Problem(file, line, "metric", f"{row.metric!r} is not defined in codebook.csv")
        elif units and units[row.metric] != row.unit:
            yield Problem(file, line, "unit", f"{row.unit!r} differs from the codebook unit {units[row.metric]!r} of {row.metric}")
    yield from _check_conflicts(df, "fact_id", file)


_PRECISION_FORMAT = {
    "minute": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),
    "hour": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:00"),
    "part_of_day": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "day": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "month": re.compile(r"\d{4}-\d{2}"),
}


@cross_check("events")
def _events_rules(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    supp = _sibling(base, "supplementary")
    for line, row in _rows(df):
        if not row.event_id.startswith(row.report + "-"):
            yield Problem(file, line, "event_id", f"id does not start with its report key {row.report}")
        yield from _check_quote(row, line, file, base, supp)
        for end in ("start", "end"):
            when, precision, part = getattr(row, end), getattr(row, f"{end}_precision"), getattr(row, f"{end}_part")
            if _blank(when):
                if not _blank(precision) or not _blank(part):
                    yield Problem(file, line, f"{end}_precision", f"precision given without a {end}")
                continue
            if _blank(precision):
                yield Problem(file, line, f"{end}_precision", f"{end} needs a precision")
                continue
            if not _PRECISION_FORMAT[precision].fullmatch(when):
                yield Problem(file, line, end, f"{when!r} is not written to {precision} precision")
            if (precision == "part_of_day") != (not _blank(part)):
                yield Problem(file, line, f"{end}_part", "a part of the day goes with part_of_day precision, and only with it")
        if row.status == "stripped" and not _blank(row.start):
            yield Problem(file, line, "start", "a stripped event has no start")
        if not _blank(row.start) and not _blank(row.end) and str(row.end)[:10] < str(row.start)[:10]:
            yield Problem(file, line, "end", "event ends before it starts")
    yield from _check_conflicts(df, "event_id", file)


@cross_check("screening")
def _screening_rules(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    """Units, ids and where each number comes from.

    A number (tested, positives) must be the value of a linked fact; a supplemented row with a
    ``source_id`` and no linked facts (an external anchor) must instead have the number stated in
    its supplementary quote (numeral matching as :func:`quote_supports`: ``9,899,828``,
    ``30.49萬``, ``4.74 million``; zero also by 阴性).
    """
    facts = _sibling(base, "facts")
    supp = _sibling(base, "supplementary")
    fact_values = {} if facts is None else dict(zip(facts["fact_id"], facts["value"]))
    fact_quotes = {} if facts is None else dict(zip(facts["fact_id"], facts["quote"]))
    supp_quotes = None if supp is None else dict(zip(supp["source_id"], supp["quote"]))
    for line, row in _rows(df):
        anchor = row.screening_id.startswith("anchor-")
        if _blank(row.report):
            if not anchor:
                yield Problem(file, line, "screening_id", "a row without a report is an external anchor: its id is anchor-sNN")
        elif anchor or not row.screening_id.startswith(row.report + "-"):
            yield Problem(file, line, "screening_id", f"id does not start with its report key {row.report}")
        if anchor and row.status != "supplemented":
            yield Problem(file, line, "status", "an external anchor comes from an outside source: status supplemented")
        if not _blank(row.tested) and _blank(row.tested_unit):
            yield Problem(file, line, "tested_unit", "a number tested needs its unit (persons, person_tests or samples)")
        if not _blank(row.tested) and _blank(row.tested_qualifier):
            yield Problem(file, line, "tested_qualifier", "a number tested needs a qualifier (exact, about, ...)")
        if not _blank(row.tested) and not _blank(row.positives) and row.positives > row.tested:
            yield Problem(file, line, "positives", f"{row.positives:g} positives exceed {row.tested:g} tested")
        linked = [] if _blank(row.fact_ids) else str(row.fact_ids).split(";")
        for fid in linked:
            if facts is not None and fid not in fact_values:
                yield Problem(file, line, "fact_ids", f"{fid} does not exist in facts.csv")
        if row.status == "supplemented" and _blank(row.source_id):
            yield Problem(file, line, "source_id", "a supplemented row needs a source_id")
        quote = None
        if not _blank(row.source_id) and supp_quotes is not None:
            quote = supp_quotes.get(row.source_id)
            if quote is None:
                yield Problem(file, line, "source_id", f"{row.source_id} is not in sources/supplementary.csv")
        if row.status == "supplemented" and not _blank(row.source_id) and not linked:
            # an outside anchor: the number must be stated in the cited excerpt itself
            for col in ("tested", "positives"):
                v = getattr(row, col)
                if not _blank(v) and quote is not None and not quote_supports(v, quote):
                    yield Problem(file, line, col, f"{v:g} is not stated in the quote of {row.source_id}")
            continue
        linked_values = {float(fact_values[f]) for f in linked if f in fact_values and not _blank(fact_values[f])}
        says_negative = any(w in fact_quotes.get(f, "") for f in linked for w in ZERO_WORDS)
        for col in ("tested", "positives"):
            v = getattr(row, col)
            if _blank(v) or facts is None:
                continue
            # zero positives may rest on a linked quote that says all results were negative (全部阴性)
            if float(v) not in linked_values and not (col == "positives" and float(v) == 0 and says_negative):
                yield Problem(file, line, col, f"{v:g} is not the value of any linked fact ({';'.join(linked) or 'none linked'})")


@cross_check("districts")
def _districts_rules(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    facts = _sibling(base, "facts")
    if facts is None:
        return
    by_id = facts.set_index("fact_id")
    for line, row in _rows(df):
        if (row.kind == "development_zone") != _blank(row.adcode):
            yield Problem(file, line, "adcode", "development zones have no adcode; every other unit has one")
        for col, fcol in (("new_confirmed", "confirmed_fact_id"), ("new_asymptomatic", "asymptomatic_fact_id"),
                          ("new_confirmed_supplemented", "supplemented_fact_id")):
            fid, v = getattr(row, fcol), getattr(row, col)
            if _blank(fid):
                if not _blank(v):
                    yield Problem(file, line, fcol, f"{col} has a value but no fact behind it")
                continue
            if fid not in by_id.index:
                yield Problem(file, line, fcol, f"{fid} does not exist in facts.csv")
                continue
            fv = by_id.loc[fid, "value"]
            if _blank(v) != _blank(fv) or (not _blank(v) and float(v) != float(fv)):
                yield Problem(file, line, col, f"{v} differs from {fid}'s value {fv}")


@cross_check("uncounted_numbers")
def _uncounted_in_text(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    for line, row in _rows(df):
        if row.context not in src.normalised_text(row.report, base):
            yield Problem(file, line, "context", "context not found in the normalised text")
        elif row.number not in row.context:
            yield Problem(file, line, "number", "number not in its context")


def uncovered_numbers(report: str, data_dir: Path | str | None = None) -> list[tuple[int, str]]:
    """Arabic-digit runs of a normalised text covered by no quote and no uncounted_numbers row.

    Returns ``(offset, digits)`` pairs; the coverage test asserts the list is empty.
    """
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    text = src.normalised_text(report, base)
    spans: list[tuple[int, int]] = []

    def cover(snippet: str) -> None:
        i = text.find(snippet)
        while i >= 0 and snippet:
            spans.append((i, i + len(snippet)))
            i = text.find(snippet, i + 1)

    for name in ("facts", "events"):
        df = load_table(name, base)
        for row in df[(df["report"] == report) & (df["status"] != "supplemented")].itertuples():
            cover(row.quote)
    sources_df = load_table("sources", base)
    for row in sources_df[sources_df["report"] == report].itertuples():
        if row.period_source == "report":
            for q in row.period_quote.split("|"):
                cover(q)
        if isinstance(row.published_quote, str):
            cover(row.published_quote)
    unc = load_table("uncounted_numbers", base)
    for row in unc[unc["report"] == report].itertuples():
        cover(row.context)
    missing = []
    for m in re.finditer(r"\d+", text):
        if not any(a <= m.start() and m.end() <= b for a, b in spans):
            missing.append((m.start(), m.group(0)))
    return missing


def load_facts(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/facts.csv``, validated."""
    return load_table("facts", data_dir)


def load_events(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/events.csv``, validated (times stay as ISO text with their precision)."""
    return load_table("events", data_dir)


def load_screening(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/screening.csv``, validated."""
    return load_table("screening", data_dir)


def load_districts(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/districts.csv``, validated."""
    return load_table("districts", data_dir)


def load_supplementary(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/sources/supplementary.csv``, validated."""
    return load_table("supplementary", data_dir)


def load_codebook(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/codebook.csv``, validated."""
    return load_table("codebook", data_dir)


def scratch_copy(target: Path | str, data_dir: Path | str | None = None) -> Path:
    """Copy the data directory to ``target`` (for trying edits without touching data/)."""
    import shutil

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
    pd.concat([df, new], ignore_index=True).to_csv(path, index=False)
    return path


# Table-specific checks that live with their module register themselves on import.
from . import curves as _curves  # noqa: E402,F401  (daily_cases)
from . import speed as _speed  # noqa: E402,F401  (benchmarks)
from . import geo as _geo  # noqa: E402,F401  (places)

"""Notes hold explanation, not facts (issue 17, item 6): every quotation in a ``note`` column of
``data/*.csv`` is verbatim in the report's normalised text or in a supplementary excerpt the row cites.

The negative cases edit a scratch copy of data/ (``analysis.core.tables.scratch_copy``): a note
quoting 後 where the text has 后, an outside quote no cited excerpt holds, and an unchanged text
with a quotation the row does cite, which must pass.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.checks.common import note_quotes, quote_found, unverified_note_quotes
from analysis.core.paths import DATA_DIR
from analysis.core.tables import TABLES, scratch_copy, validate_all

NOTE_TABLES = [name for name, path in TABLES.items()
               if "/" not in path and "note" in pd.read_csv(DATA_DIR / path, dtype=str, nrows=0).columns]


def _read(base: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(Path(base) / TABLES[name], dtype=str, keep_default_na=False)


def test_the_rule_covers_every_note_column_of_data():
    assert {"facts", "events", "screening", "districts", "daily_cases", "places", "translations"} <= set(NOTE_TABLES)


@pytest.mark.parametrize("table", NOTE_TABLES)
def test_every_quotation_in_a_note_is_verbatim(table):
    df = _read(DATA_DIR, table)
    assert unverified_note_quotes(df, DATA_DIR) == []


def test_notes_do_quote_the_texts():
    """The check has something to check: many notes quote the texts in 「」, “” or ''."""
    quoted = sum(len(note_quotes(n)) for t in NOTE_TABLES for n in _read(DATA_DIR, t)["note"])
    assert quoted >= 30


def test_quotation_marks_and_glosses():
    note = "x 「截至12月31日」 and “双清零” and \"全部阴性\" and ('在發現首例陽性人員后') but \"four earlys\" and \"[N]/万\""
    assert note_quotes(note) == ["截至12月31日", "双清零", "全部阴性", "在發現首例陽性人員后"]
    assert quote_found("12月21日起…有序开展", ["12月21日起,东兴市有序开展全员核酸检测采样"])
    assert not quote_found("12月21日起…有序开展", ["12月21日起"])


def _edit_note(copy: Path, table: str, id_col: str, row_id: str, note: str) -> int:
    path = copy / TABLES[table]
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    idx = df.index[df[id_col] == row_id][0]
    df.loc[idx, "note"] = note
    df.to_csv(path, index=False, lineterminator="\n")
    return idx + 2


def _note_problems(copy: Path, file: str, line: int) -> list[str]:
    return [p.message for p in validate_all(copy)[1] if p.file.endswith(file) and p.row == line and p.column == "note"]


def test_a_traditional_variant_not_in_the_text_fails(tmp_path):
    """The text has 后; a note quoting 後 is not verbatim."""
    copy = scratch_copy(tmp_path / "data")
    line = _edit_note(copy, "events", "event_id", "yushu-e12", "Relative timing: ('在發現首例陽性人員後').")
    assert any("在發現首例陽性人員後" in m for m in _note_problems(copy, "events.csv", line))
    assert unverified_note_quotes(_read(copy, "events"), copy) == [(line, "在發現首例陽性人員後")]


def test_an_outside_quote_no_cited_excerpt_holds_fails(tmp_path):
    copy = scratch_copy(tmp_path / "data")
    note = "Closest: 「3月21日至4月7日24时，绥芬河口岸累计进境2443人」 (央视), a window that may not match."
    line = _edit_note(copy, "facts", "fact_id", "mudanjiang-004", note)
    assert _note_problems(copy, "facts.csv", line)


def test_a_quote_of_a_cited_excerpt_passes(tmp_path):
    copy = scratch_copy(tmp_path / "data")
    supp = _read(copy, "supplementary").set_index("source_id")
    excerpt = supp.loc["sup-dongxing-04", "quote"]
    line = _edit_note(copy, "events", "event_id", "dongxing-e09", f"Start from 「{excerpt}」 (sup-dongxing-04).")
    assert _note_problems(copy, "events.csv", line) == []
    line = _edit_note(copy, "events", "event_id", "dongxing-e09", f"Start from 「{excerpt}」.")  # not cited
    assert _note_problems(copy, "events.csv", line)

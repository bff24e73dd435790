"""The curated tables: every rule the validator enforces, on the shipped data and on corrupted copies.

Each corruption test edits one cell of a scratch copy of data/ and asserts that the validator
reports that exact row and column: the checks are shown to fail when they should.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.core.registry import report_keys

REPORT_KEYS = report_keys()
from analysis.checks.coverage import chinese_numeral_hits, uncovered_numbers, uncurated_zeros
from analysis.core.loaders import load_districts, load_events, load_facts, load_screening, load_supplementary
from analysis.core.rules import evaluate_formula, quote_supports
from analysis.core.tables import scratch_copy, validate_all
from analysis.core.numerals import numbers_in
from analysis.core.texts import normalised_text


@pytest.fixture(scope="module")
def facts():
    return load_facts()


# ---------------------------------------------------------------- shipped data

def test_every_table_validates(data_dir):
    counts, problems = validate_all(data_dir)
    assert [str(p) for p in problems] == []
    assert set(counts) >= {"facts", "events", "screening", "districts", "supplementary", "codebook"}


@pytest.mark.parametrize("report", REPORT_KEYS)
def test_every_number_is_covered(report):
    """Coverage: each digit run and each counting Chinese numeral (两级, 第九版, “四早”) is in some
    quote or listed in uncounted_numbers.csv with its reason class."""
    assert uncovered_numbers(report) == []


def test_every_report_has_facts(facts):
    assert set(facts["report"]) == set(REPORT_KEYS)
    assert len(facts) >= 150


def test_quotes_are_verbatim(facts):
    supp = load_supplementary().set_index("source_id")
    for row in facts.itertuples():
        if row.status == "supplemented":
            assert row.quote in supp.loc[row.source_id, "quote"], row.fact_id
        else:
            assert row.quote in normalised_text(row.report), row.fact_id


def test_reported_values_are_in_their_quotes(facts):
    stated = facts[facts["status"].isin(["reported", "supplemented"])]
    for row in stated.itertuples():
        assert quote_supports(row.value, row.quote), (row.fact_id, row.value, sorted(numbers_in(row.quote)))


def test_stripped_rows_are_empty_and_digitless(facts):
    stripped = facts[facts["status"] == "stripped"]
    assert stripped["value"].isna().all()
    assert len(stripped[stripped["report"] == "mudanjiang"]) >= 20  # "a few dozen" gaps in 000


def test_derived_rows_recompute(facts):
    values = dict(zip(facts["fact_id"], facts["value"]))
    for row in facts[facts["status"] == "derived"].itertuples():
        computed = evaluate_formula(row.formula, values)
        assert computed == pytest.approx(row.value, rel=1e-3, abs=1e-3), row.fact_id


def test_changchun_asymptomatic_total_is_the_district_sum(facts):
    """330 new asymptomatic infections on 27 March: the district figures add up to it."""
    districts = load_districts()
    total = facts[(facts.report == "changchun") & (facts.metric == "new_asymptomatic") & facts.place.isna()]
    assert set(total["status"]) == {"stripped", "derived", "supplemented"}
    derived = total[total.status == "derived"]["value"].item()
    supplemented = total[total.status == "supplemented"]["value"].item()
    assert districts["new_asymptomatic"].sum() == derived == supplemented


def test_jiutai_confirmed_is_stripped_with_restored_value_beside_it():
    districts = load_districts().set_index("district_zh")
    jiutai = districts.loc["九台区"]
    assert pd.isna(jiutai["new_confirmed"])
    assert jiutai["new_confirmed_supplemented"] > 0
    listed = districts["new_confirmed"].sum()
    total = load_facts().set_index("fact_id")
    assert jiutai["new_confirmed_supplemented"] + listed == total.loc[
        (total.report == "changchun") & (total.metric == "new_confirmed") & total.place.isna()
        & (total.status == "supplemented"), "value"].item()


def test_development_zones_have_no_code():
    d = load_districts()
    assert d.loc[d.kind == "development_zone", "adcode"].isna().all()
    assert d.loc[d.kind != "development_zone", "adcode"].notna().all()


@pytest.mark.parametrize("pair", [
    ("yushu", "secondary_contacts", {697, 671}),
    ("yushu", "vegetable_packs_distributed", {29938, 30200}),
])
def test_known_conflicts_point_at_each_other(facts, pair):
    report, metric, values = pair
    rows = facts[(facts.report == report) & (facts.metric == metric) & facts.conflicts_with.notna()]
    assert set(rows["value"]) == values
    ids = set(rows["fact_id"])
    for row in rows.itertuples():
        assert set(row.conflicts_with.split(";")) <= ids


def test_yushu_static_management_alternatives_conflict():
    ev = load_events()
    sm = ev[(ev.report == "yushu") & (ev.event_type == "static_management_start")]
    assert len(sm) == 2
    assert {s[:10] for s in sm["start"]} == {"2022-10-28", "2022-10-29"}
    assert all(isinstance(c, str) for c in sm["conflicts_with"])


def test_evening_is_part_of_day_not_midnight():
    ev = load_events()
    first = ev[(ev.report == "dongxing") & (ev.event_type == "first_detection")].iloc[0]
    assert (first["start"], first["start_precision"], first["start_part"]) == ("2021-12-20", "part_of_day", "evening")


def test_suining_cold_chain_alert_to_the_minute():
    ev = load_events()
    alert = ev[(ev.report == "suining") & (ev.event_type == "alert_received")].iloc[0]
    assert (alert["start"], alert["start_precision"]) == ("2020-11-16T00:30", "minute")


def test_screening_units_never_mixed():
    s = load_screening()
    assert s["tested_unit"].dropna().isin(["persons", "person_tests", "samples"]).all()
    yushu = s[(s.report == "yushu") & (s.tested == 304900)]
    assert list(yushu["tested_unit"]) == ["person_tests"]


def test_supplementary_never_uses_excluded_sites():
    from analysis.core.rules import EXCLUDED_SITES

    for url in load_supplementary()["url"].dropna():
        assert not any(site in url for site in EXCLUDED_SITES)


# ---------------------------------------------------------------- corrupted copies

def _corrupt(data_copy, table, fact_id_col, fact_id, column, value):
    path = data_copy / table
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    idx = df.index[df[fact_id_col] == fact_id][0]
    df.loc[idx, column] = value
    df.to_csv(path, index=False)
    return idx + 2  # line in the file


def _problems(data_copy):
    return validate_all(data_copy)[1]


def _located(problems, file, line, column):
    return [p for p in problems if p.file.endswith(file) and p.row == line and p.column == column]


@pytest.mark.parametrize("table, id_col, row_id, column, value, message", [
    ("facts.csv", "fact_id", "yushu-005", "quote", "已排查密接者999人", "quote not found"),
    ("facts.csv", "fact_id", "yushu-005", "value", "472", "not stated in its quote"),
    ("facts.csv", "fact_id", "mudanjiang-002", "value", "658772", "stripped row must have no value"),
    ("facts.csv", "fact_id", "yushu-041", "value", "2.5", "does not match its formula"),
    ("facts.csv", "fact_id", "yushu-005", "topic", "weather", "not in the allowed list"),
    ("facts.csv", "fact_id", "yushu-005", "status", "guessed", "not in the allowed list"),
    ("facts.csv", "fact_id", "yushu-005", "metric", "contacts_close", "not defined in codebook"),
    ("facts.csv", "fact_id", "yushu-006", "conflicts_with", "yushu-005", "does not point back"),
    ("facts.csv", "fact_id", "yushu-005", "value", "-471", "not stated in its quote"),
    ("events.csv", "event_id", "dongxing-e01", "start", "2021-12-20T18:00", "not written to part_of_day precision"),
    ("events.csv", "event_id", "dongxing-e01", "start", "2021-02-30", "not a valid ISO"),
    ("screening.csv", "screening_id", "yushu-s06", "positives", "400000", "exceed"),
    ("screening.csv", "screening_id", "yushu-s06", "tested_unit", "", "needs its unit"),
    ("sources/supplementary.csv", "source_id", "sup-changchun-01", "url", "http://lfcredit.cn/post/6233.html", "excluded"),
    ("facts.csv", "fact_id", "dongxing-012", "qualifier", "exact", "implies about"),          # 17.13万: rounded
    ("facts.csv", "fact_id", "suining-025", "qualifier", "exact", "implies more_than"),       # 3000余
    ("facts.csv", "fact_id", "yushu-031", "qualifier", "about", "implies nearly"),           # 近三個月
    ("facts.csv", "fact_id", "dongxing-008", "qualifier", "exact", "implies at_most"),       # 24小时内
    ("facts.csv", "fact_id", "changchun-054", "qualifier", "exact", "cannot be exact"),      # stripped
    ("facts.csv", "fact_id", "mudanjiang-005", "qualifier", "more_than", "implies at_least"),  # 以上 inclusive
    ("facts.csv", "fact_id", "mudanjiang-029", "qualifier", "", "implies at_most"),            # 以下 inclusive
    ("uncounted_numbers.csv", "context", "一是迅速實現", "reason_class", "vibes", "not in the allowed list"),
])
def test_corruption_is_located(data_copy, table, id_col, row_id, column, value, message):
    line = _corrupt(data_copy, table, id_col, row_id, column, value)
    problems = _problems(data_copy)
    hits = _located(problems, table.split("/")[-1], line, column)
    assert hits, f"no problem at {table}:{line}:{column}; got {[str(p) for p in problems]}"
    assert any(message in p.message for p in hits), [p.message for p in hits]


def test_duplicate_fact_id(data_copy):
    line = _corrupt(data_copy, "facts.csv", "fact_id", "yushu-006", "fact_id", "yushu-005")
    assert _located(_problems(data_copy), "facts.csv", line, "fact_id")


def test_a_new_number_in_a_source_is_uncovered(data_copy):
    text_file = data_copy / "sources" / "004_223626c3ffda7a65.txt"
    text_file.write_text(text_file.read_text(encoding="utf-8") + "\n另有4321人参与。\n", encoding="utf-8")
    # record the new checksum, as an editor adding a source would
    import hashlib
    sources = pd.read_csv(data_copy / "sources.csv", dtype=str, keep_default_na=False)
    sources.loc[sources.report == "dongxing", "sha256"] = hashlib.sha256(text_file.read_bytes()).hexdigest()
    sources.to_csv(data_copy / "sources.csv", index=False)
    assert [n for _, n in uncovered_numbers("dongxing", data_copy)] == ["4321"]


def test_a_new_chinese_numeral_count_is_uncovered(tmp_path):
    """A count in Chinese numerals added to a report (text and checksum) is reported; words are not."""
    import hashlib
    copy = scratch_copy(tmp_path / "data")
    sources = pd.read_csv(copy / "sources.csv", dtype=str, keep_default_na=False)
    row = sources.index[sources.report == "yushu"][0]
    text_file = copy / "sources" / sources.loc[row, "source_file"]
    text_file.write_text(text_file.read_text(encoding="utf-8") + "\n另派出十二名醫護人員,進一步加強一線力量。\n",
                         encoding="utf-8")
    sources.loc[row, "sha256"] = hashlib.sha256(text_file.read_bytes()).hexdigest()
    sources.to_csv(copy / "sources.csv", index=False)
    assert uncovered_numbers("yushu") == []
    assert [n for _, n in uncovered_numbers("yushu", copy)] == ["十二"]


def test_every_uncounted_row_has_a_reason_class(data_dir):
    unc = pd.read_csv(data_dir / "uncounted_numbers.csv", dtype=str, keep_default_na=False)
    assert (unc.reason_class != "").all(), unc[unc.reason_class == ""]


def test_uncounted_rows_are_needed(tmp_path):
    """Every Chinese-numeral row of uncounted_numbers covers a number the check would otherwise report."""
    copy = scratch_copy(tmp_path / "data")
    unc = pd.read_csv(copy / "uncounted_numbers.csv", dtype=str, keep_default_na=False)
    unc.iloc[:0].to_csv(copy / "uncounted_numbers.csv", index=False)
    for report in REPORT_KEYS:
        text = normalised_text(report)
        missing = uncovered_numbers(report, copy)
        rows = unc[(unc.report == report) & ~unc.number.str.contains(r"\d")]
        assert len(rows) > 0
        for row in rows.itertuples():
            start = text.find(row.context) + row.context.find(row.number)
            assert (start, row.number) in missing, (report, row.context)


def test_formula_refuses_code():
    with pytest.raises(ValueError):
        evaluate_formula("__import__('os').getcwd()", {})
    assert evaluate_formula("{a-001} + {a-002} * 2", {"a-001": 1.0, "a-002": 3.0}) == 7.0


def test_quote_supports_zero_only_by_words():
    assert quote_supports(0, "结果全部阴性")
    assert quote_supports(0, "医务人员“零感染”")
    assert not quote_supports(0, "检测结果已出")
    assert quote_supports(304900, "累计完成核酸检测30.49萬人份")


def test_fact_ids_follow_text_order_within_reported_rows(facts):
    """Reported rows are numbered in the order their quotes appear in the text."""
    for report in REPORT_KEYS:
        text = normalised_text(report)
        rows = facts[(facts.report == report) & (facts.status == "reported")]
        positions = [text.find(q) for q in rows["quote"]]
        # allow equal positions (several numbers in one quote) and a few back-references
        inversions = sum(1 for a, b in zip(positions, positions[1:]) if b < a)
        assert inversions <= max(3, len(rows) // 5), (report, inversions)
        assert all(re.fullmatch(rf"{report}-\d{{3}}", f) for f in rows["fact_id"])


# ---------------------------------------------------------------- issue 17: hits, stated zeros, slogans

def _with_sentence(tmp_path, report, sentence):
    """A scratch copy whose ``report`` text ends with ``sentence`` (checksum updated)."""
    import hashlib
    copy = scratch_copy(tmp_path / "data")
    sources = pd.read_csv(copy / "sources.csv", dtype=str, keep_default_na=False)
    row = sources.index[sources.report == report][0]
    text_file = copy / "sources" / sources.loc[row, "source_file"]
    text_file.write_text(text_file.read_text(encoding="utf-8") + sentence, encoding="utf-8")
    sources.loc[row, "sha256"] = hashlib.sha256(text_file.read_bytes()).hexdigest()
    sources.to_csv(copy / "sources.csv", index=False)
    return copy


@pytest.mark.parametrize("report", REPORT_KEYS)
def test_every_chinese_numeral_hit_is_resolved(report):
    """Each hit is a row carrying its value, context of a quoted row, or an uncounted row with a class."""
    hits = chinese_numeral_hits(report)
    assert hits, report
    assert {h["resolution"] for h in hits} <= {"row", "context", "uncounted"}
    assert all(h["reason_class"] for h in hits if h["resolution"] == "uncounted")
    assert not [h for h in hits if h["reason_class"] in ("stated_zero", "count_not_curated")], report


def test_levels_are_rows_in_every_report():
    """Counts of levels (两级, 三级, 五级) are facts rows wherever a report states one (one rule for the kind)."""
    hits = {r: chinese_numeral_hits(r) for r in REPORT_KEYS}
    text = {r: normalised_text(r) for r in REPORT_KEYS}
    levels = [(r, h) for r in REPORT_KEYS for h in hits[r] if text[r][h["offset"] + len(h["numeral"]):][:1] in ("级", "級")
              and text[r][h["offset"] - 1:h["offset"]] != "第" and "巡视员" not in text[r][h["offset"]:h["offset"] + 6]]
    assert len(levels) >= 6
    assert all(h["resolution"] == "row" for _, h in levels), [(r, h["numeral"], h["offset"]) for r, h in levels
                                                              if h["resolution"] != "row"]


def test_stated_zeros_are_rows():
    """无一例, 无新增, 未出现 ... are quotes of value-0 rows (issue 17, item 5)."""
    for report in REPORT_KEYS:
        assert uncurated_zeros(report) == [], report
    facts = load_facts().set_index("fact_id")
    assert facts.loc["suining-062", "value"] == 0 and "无一例" in facts.loc["suining-062", "quote"]
    assert quote_supports(0, "无一例境外输入性病例")
    assert not quote_supports(0, "发现1例")


def test_a_new_stated_zero_is_reported(tmp_path):
    copy = _with_sentence(tmp_path, "dongxing", "\n全市未发现新的阳性感染者。\n")
    assert [w for _, w in uncurated_zeros("dongxing", copy)] == ["未发现"]


def test_slogan_numbers_are_labels_not_reported_counts(facts, data_dir):
    """“14+7+7” and “2+1” are labels: no reported row reads them as days or tests; the days reading is derived."""
    unc = pd.read_csv(data_dir / "uncounted_numbers.csv", dtype=str, keep_default_na=False)
    for slogan in ("“14+7+7”", "“2+1”"):
        reported = facts[(facts.status == "reported") & facts.quote.str.contains(slogan, regex=False)]
        assert reported.empty, reported.fact_id.tolist()
        assert (unc[unc.context.str.contains(slogan, regex=False)].reason_class == "slogan_or_label").sum() >= 2
    total = facts.set_index("fact_id").loc["suining-057"]
    assert total["status"] == "derived" and total["value"] == 28
    assert evaluate_formula(total["formula"], {}) == 28

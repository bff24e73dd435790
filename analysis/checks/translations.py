"""Rules for ``data/translations.csv``: the Chinese sentences of each report are its normalised text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..core.tables import Problem, register_check, sibling_table
from ..core.texts import normalised_text, split_sentences

#: How the English marks a number that the copy lost (stripped digits).
GAP_MARK = "[gap]"


@register_check("translations")
def check_translations(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    """Per report: sentences numbered 1..N; their Chinese, in order, is exactly the normalised text
    and cut where :func:`analysis.core.texts.split_sentences` cuts it; no ellipsis in the English."""
    lines = {i: i + 2 for i in range(len(df))}
    for report, group in df.groupby("report", sort=False):
        numbers = list(group["sentence"])
        if numbers != list(range(1, len(group) + 1)):
            yield Problem(file, lines[group.index[0]], "sentence", f"{report}: sentences must run 1..{len(group)} in order")
            continue
        text = normalised_text(report, base)
        joined = "".join(group["zh"])
        if joined != text:
            at = next((k for k, (a, b) in enumerate(zip(joined, text)) if a != b), min(len(joined), len(text)))
            row = group.index[min(range(len(group)), key=lambda k: abs(len("".join(group["zh"].iloc[:k + 1])) - at))]
            yield Problem(file, lines[row], "zh",
                          f"{report}: the Chinese sentences differ from the normalised text at character {at}")
        elif list(group["zh"]) != split_sentences(text):
            yield Problem(file, lines[group.index[0]], "zh", f"{report}: sentences are not cut where split_sentences cuts")
        for idx, en in zip(group.index, group["en"]):
            if "…" in str(en) or "..." in str(en):
                yield Problem(file, lines[idx], "en", "no ellipsis in the English: write the words")


_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
          "sixteen seventeen eighteen nineteen twenty").split()


def english_forms(value: float) -> set[str]:
    """How the English may write a curated value: ``304900``, ``304,900``, ``0.25``; ``two`` up to twenty."""
    v = float(value)
    forms = {f"{v:g}", f"{v:,.0f}" if v == int(v) else f"{v:,}", str(int(v)) if v == int(v) else repr(v)}
    if v == int(v) and 0 <= v <= 20:
        forms.add(_WORDS[int(v)])
    return forms


def sentence_spans(group: pd.DataFrame) -> list[tuple[int, int]]:
    """(start, end) character offsets of each sentence of one report in its normalised text."""
    spans, pos = [], 0
    for zh in group["zh"]:
        spans.append((pos, pos + len(zh)))
        pos += len(zh)
    return spans


def english_of(quote: str, group: pd.DataFrame, text: str) -> str | None:
    """The English of the sentences that hold ``quote``'s first occurrence (None when it is not in the text)."""
    i = text.find(quote)
    if i < 0:
        return None
    return " ".join(en for (a, b), en in zip(sentence_spans(group), group["en"]) if a < i + len(quote) and b > i)


def number_in_english(value: float, english: str) -> bool:
    """Whether ``english`` writes ``value`` (as digits, or as a word up to twenty), not as part of a longer number."""
    low = english.lower()
    return any(re.search(r"(?<![\d.,])" + re.escape(f.lower()) + r"(?![\d]|[.,]\d)", low) for f in english_forms(value))


@register_check("translations")
def check_curated_numbers_translated(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    """Every number the text states (a ``reported`` fact) is in the English of its sentence, and every
    stripped one is marked there with :data:`GAP_MARK`. Derived and supplemented values are not in the
    text, so the English does not carry them."""
    facts = sibling_table(base, "facts")
    if facts is None:
        return
    lines = {i: i + 2 for i in range(len(df))}
    for report, group in df.groupby("report", sort=False):
        text = normalised_text(report, base)
        if "".join(group["zh"]) != text:
            continue  # reported by check_translations
        rows = facts[(facts["report"] == report) & facts["status"].isin(["reported", "stripped"])]
        for fact in rows.itertuples(index=False):
            english = english_of(fact.quote, group, text)
            if english is None:
                continue  # the facts check reports a quote not in the text
            where = lines[group.index[0]]
            if fact.status == "stripped" and GAP_MARK not in english:
                yield Problem(file, where, "en", f"{fact.fact_id} is stripped: its sentence's English needs {GAP_MARK}")
            elif fact.status == "reported" and not number_in_english(fact.value, english):
                yield Problem(file, where, "en", f"{fact.fact_id}: {fact.value:g} is not in the English of its sentence")

"""The report texts and their normalisation for quoting.

The texts in ``data/sources/`` are kept byte-for-byte as received (their SHA-256 is
recorded in ``data/sources.csv``).  Quotes in the curated tables are taken from the
*normalised* text, which differs from the raw text by exactly the rules that the report's
``normalisation`` column of ``data/sources.csv`` names, applied in that order:

``pinyin_glosses`` (rule Y1, the Yushu text)
    A repost site inserted the pinyin reading after some traditional characters,
    e.g. ``發(fā)布會(huì)``.  The rule deletes a parenthesised run of Latin letters
    (with or without tone marks) that directly follows a CJK character.  A
    parenthesised *Chinese* gloss such as ``三公(工)`` is part of the text and stays.

``spam_lines`` (rule C1, the Changchun text)
    Deletes an advertising line that carries a URL (``哪里治白癜风的医院好 http://...``).

``site_footer`` (rule C2, the Changchun text)
    Cuts the site footer: everything from the line starting ``转载请注明地址`` to the end of
    the file (navigation links, site menu and the ICP licence number); the text then ends with
    one newline.

No rule touches anything else (whitespace, punctuation and the stripped-digit gaps stay).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Callable

from . import registry
from .paths import DATA_DIR, data_dir as _data_dir

_CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_PINYIN_LETTERS = "a-zA-Züāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
#: Rule Y1: a parenthesised pinyin reading right after a CJK character.
PINYIN_GLOSS = re.compile(rf"(?<={_CJK})\([{_PINYIN_LETTERS}]+\)")
#: Rule C1: a spam line advertising a clinic, with a URL.
SPAM_LINE = re.compile(r"^[^\n]*白癜风[^\n]*https?://[^\n]*\n?", re.MULTILINE)
#: Rule C2: the site footer, from the reposting notice to the end of the file.
FOOTER = re.compile(r"^[ \t]*转载请注明地址.*\Z", re.MULTILINE | re.DOTALL)


def remove_pinyin_glosses(text: str) -> str:
    """Rule Y1: ``發(fā)布會(huì)`` -> ``發布會``; ``三公(工)`` is left alone."""
    return PINYIN_GLOSS.sub("", text)


def remove_spam_lines(text: str) -> str:
    """Rule C1: drop the advertising lines."""
    return SPAM_LINE.sub("", text)


def remove_site_footer(text: str) -> str:
    """Rule C2: drop the site footer; the text ends with one newline."""
    return FOOTER.sub("", text).rstrip() + "\n"


#: Normalisation rules by the name used in ``sources.csv``.
RULES: dict[str, Callable[[str], str]] = {
    "pinyin_glosses": remove_pinyin_glosses,
    "spam_lines": remove_spam_lines,
    "site_footer": remove_site_footer,
}


def check_report(report: str, data_dir: Path | str | None = None) -> str:
    """Return ``report`` if the registry knows it, else raise ``ValueError``."""
    return registry.report(report, data_dir).key


def source_path(report: str, data_dir: Path | str | None = None) -> Path:
    """Path of the raw text of ``report``."""
    return _data_dir(data_dir) / "sources" / registry.report(report, data_dir).source_file


def raw_text(report: str, data_dir: Path | str | None = None) -> str:
    """The report text exactly as stored (UTF-8)."""
    return source_path(report, data_dir).read_text(encoding="utf-8")


def sha256(report: str, data_dir: Path | str | None = None) -> str:
    """SHA-256 hex digest of the stored file's bytes."""
    return hashlib.sha256(source_path(report, data_dir).read_bytes()).hexdigest()


def rules_of(report: str, data_dir: Path | str | None = None) -> tuple[Callable[[str], str], ...]:
    """The normalisation functions named for ``report`` in ``sources.csv``, in order."""
    names = registry.report(report, data_dir).normalisation
    unknown = [n for n in names if n not in RULES]
    if unknown:
        raise ValueError(f"{report}: unknown normalisation rule(s) {', '.join(unknown)}; known: {', '.join(RULES)}")
    return tuple(RULES[n] for n in names)


def normalise(report: str, text: str, data_dir: Path | str | None = None) -> str:
    """Apply the report's normalisation rules to ``text``."""
    for rule in rules_of(report, data_dir):
        text = rule(text)
    return text


@lru_cache(maxsize=None)
def _normalised_cached(report: str, base: str, mtime_ns: int) -> str:
    return normalise(report, raw_text(report, base), base)


def normalised_text(report: str, data_dir: Path | str | None = None) -> str:
    """The report text normalised for quoting (see the module docstring for the rules)."""
    base = _data_dir(data_dir).resolve()
    path = source_path(report, base)
    return _normalised_cached(report, str(base), path.stat().st_mtime_ns)


__all__ = ["DATA_DIR", "RULES", "check_report", "normalise", "normalised_text", "raw_text", "sha256", "source_path"]


#: A sentence ends after 。！？ (with any closing quotes or brackets) or at a line break.
SENTENCE = re.compile(r'[^。！？!?\n]*(?:[。！？!?]+[”’」』）)"]*|\n|$)')


def split_sentences(text: str) -> list[str]:
    """The text cut into sentences that concatenate back to it exactly.

    A piece that is only whitespace (a blank line) joins the sentence before it.
    """
    pieces: list[str] = []
    for m in SENTENCE.finditer(text):
        piece = m.group(0)
        if not piece:
            continue
        if pieces and not piece.strip():
            pieces[-1] += piece
        else:
            pieces.append(piece)
    return pieces

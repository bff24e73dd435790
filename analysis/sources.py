"""The five report texts and their normalisation for quoting.

The texts in ``data/sources/`` are kept byte-for-byte as received (their SHA-256 is
recorded in ``data/sources.csv``).  Quotes in the curated tables are taken from the
*normalised* text, which differs from the raw text by exactly these rules:

``yushu`` (002) -- pinyin glosses removed
    A repost site inserted the pinyin reading after some traditional characters,
    e.g. ``發(fā)布會(huì)``.  Rule Y1 deletes a parenthesised run of Latin letters
    (with or without tone marks) that directly follows a CJK character.  A
    parenthesised *Chinese* gloss such as ``三公(工)`` is part of the text and stays.

``changchun`` (003) -- spam removed
    Rule C1 deletes the advertising line that carries a URL (``哪里治白癜风的医院好
    http://...``).  Rule C2 cuts the site footer: everything from the line starting
    ``转载请注明地址`` to the end of the file (navigation links, site menu and the ICP
    licence number).

No other report is changed, and no rule touches anything else (whitespace, punctuation
and the stripped-digit gaps stay as they are).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from . import REPORT_KEYS

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: Report key -> file name in ``data/sources/`` (names kept from the seeds).
SOURCE_FILES = {
    "mudanjiang": "000_34ca5b787e47fce0.txt",
    "suining": "001_173152931e2e4d02.txt",
    "yushu": "002_861862eb4ee60983.txt",
    "changchun": "003_fa8012d65900c6e4.txt",
    "dongxing": "004_223626c3ffda7a65.txt",
}

_CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_PINYIN_LETTERS = "a-zA-Züāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
#: Rule Y1: a parenthesised pinyin reading right after a CJK character.
PINYIN_GLOSS = re.compile(rf"(?<={_CJK})\([{_PINYIN_LETTERS}]+\)")
#: Rule C1: a spam line advertising a clinic, with a URL.
SPAM_LINE = re.compile(r"^[^\n]*白癜风[^\n]*https?://[^\n]*\n?", re.MULTILINE)
#: Rule C2: the site footer, from the reposting notice to the end of the file.
FOOTER = re.compile(r"^[ \t]*转载请注明地址.*\Z", re.MULTILINE | re.DOTALL)


def check_report(report: str) -> str:
    """Return ``report`` if it is a known report key, else raise ``ValueError``."""
    if report not in SOURCE_FILES:
        raise ValueError(f"unknown report key {report!r}; expected one of {', '.join(REPORT_KEYS)}")
    return report


def source_path(report: str, data_dir: Path | str | None = None) -> Path:
    """Path of the raw text of ``report``."""
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    return base / "sources" / SOURCE_FILES[check_report(report)]


def raw_text(report: str, data_dir: Path | str | None = None) -> str:
    """The report text exactly as stored (UTF-8)."""
    return source_path(report, data_dir).read_text(encoding="utf-8")


def sha256(report: str, data_dir: Path | str | None = None) -> str:
    """SHA-256 hex digest of the stored file's bytes."""
    return hashlib.sha256(source_path(report, data_dir).read_bytes()).hexdigest()


def remove_pinyin_glosses(text: str) -> str:
    """Rule Y1: ``發(fā)布會(huì)`` -> ``發布會``; ``三公(工)`` is left alone."""
    return PINYIN_GLOSS.sub("", text)


def remove_spam(text: str) -> str:
    """Rules C1 and C2: drop the advertising line and the site footer."""
    text = SPAM_LINE.sub("", text)
    return FOOTER.sub("", text).rstrip() + "\n"


#: Which rules apply to which report.
NORMALISERS = {
    "mudanjiang": (),
    "suining": (),
    "yushu": (remove_pinyin_glosses,),
    "changchun": (remove_spam,),
    "dongxing": (),
}


def normalise(report: str, text: str) -> str:
    """Apply the report's normalisation rules to ``text``."""
    for rule in NORMALISERS[check_report(report)]:
        text = rule(text)
    return text


@lru_cache(maxsize=None)
def _normalised_cached(report: str, data_dir: str) -> str:
    return normalise(report, raw_text(report, data_dir))


def normalised_text(report: str, data_dir: Path | str | None = None) -> str:
    """The report text normalised for quoting (see the module docstring for the rules)."""
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    return _normalised_cached(check_report(report), str(base.resolve()))

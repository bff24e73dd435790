"""Rules that several table checks share: quote support, derived formulas, time precision, excluded sites."""

from __future__ import annotations

import re

from .numerals import numbers_in
from .tables import is_blank


#: Sites graded X / EXCLUDED in shared/reference/README.md: never a source.
EXCLUDED_SITES = (
    "lfcredit.cn", "instres.cn", "lakalal.cn", "shunweifood.com", "zzyxh.com", "84808.cn", "dszyy.cn",
    "hymcn.com", "cha-zuo.cn", "joyhs.com", "78hcp.com", "hbwgpqb.cn", "xitulive.cn", "webzy.cn",
    "wnsqxx.cn", "sxzxw.com.cn", "yzmysy.cn",
)
#: Words that state a zero without a digit: "all negative" (阴性/陰性), "zero" (零), "not a single one"
#: (无一例/無一例), "none found" (未发现/未發現, 未检出/未檢出), "none appeared" (未出现/未出現), "no new" (无新增/無新增).  A quote holding one
#: of them supports the value 0 (data/README.md, "Stated zeros"); the 一 of 无一例 is not a count of one.
ZERO_WORDS = ("阴性", "陰性", "零", "无一例", "無一例", "未发现", "未發現", "未检出", "未檢出", "未出现", "未出現",
              "无新增", "無新增")
#: Words that say test results were negative: the only words that give a screening row zero positives
#: (无一例境外输入性病例 is zero cases, not zero positive tests).
NEGATIVE_WORDS = ("阴性", "陰性")
_FORMULA_REF = re.compile(r"\{([a-z]+-\d{3})\}")
_FORMULA_SAFE = re.compile(r"[\d\s.+\-*/()]*")


def evaluate_formula(formula: str, values: dict[str, float]) -> float:
    """Evaluate ``{fact-id} + {fact-id} ...`` with the given values; only + - * / ( ) and numbers."""
    def sub(m: re.Match) -> str:
        key = m.group(1)
        if key not in values or is_blank(values[key]):
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
    """Whether ``quote`` states ``value`` (after numeral conversion; zero also by the words of ZERO_WORDS: 阴性, 零, 无一例...)."""
    if float(value) in numbers_in(quote):
        return True
    return float(value) == 0 and any(w in quote for w in ZERO_WORDS)


#: The ISO form of an event time written to each precision.
PRECISION_FORMAT = {
    "minute": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),
    "hour": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:00"),
    "part_of_day": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "day": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "month": re.compile(r"\d{4}-\d{2}"),
}

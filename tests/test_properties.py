"""Property-based tests of the numeral parser."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.numerals import find_numbers, numbers_in, parse_chinese_numeral

DIGITS = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """Independent writer of Chinese numerals below 100 million (the reading direction's inverse)."""
    if n == 0:
        return "零"
    def below_10k(k: int) -> str:
        out, zero = "", False
        for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = k // value % 10
            if d:
                if zero and out:
                    out += "零"
                out += DIGITS[d] + unit
                zero = False
            elif out:
                zero = True
        return out
    high, low = divmod(n, 10_000)
    if not high:
        return below_10k(low)
    text = below_10k(high) + "万"
    if low:
        text += ("零" if low < 1000 else "") + below_10k(low)
    return text


@given(st.integers(min_value=1, max_value=99_999_999))
@settings(max_examples=300, deadline=None)
def test_chinese_numerals_round_trip(n):
    assert parse_chinese_numeral(to_chinese(n)) == n


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["人", "例", "人次", "份"]))
@settings(max_examples=200, deadline=None)
def test_arabic_integers_are_found_with_their_unit_word(n, unit):
    assert numbers_in(f"共{n}{unit}") == {float(n)}


@given(st.integers(min_value=1, max_value=99999), st.integers(min_value=1, max_value=99), st.sampled_from(["万", "萬"]))
@settings(max_examples=200, deadline=None)
def test_decimal_wan(whole, frac, wan):
    text = f"{whole}.{frac:02d}{wan}人份"
    assert numbers_in(text) == {round((whole + frac / 100) * 10_000, 6)}


@given(st.text(alphabet="的了在是有和人份例次万年月日,。、 ", max_size=40))
def test_text_without_digits_or_numerals_has_no_numbers(text):
    assert find_numbers(text) == []

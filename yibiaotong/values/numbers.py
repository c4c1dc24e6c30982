"""Integers and decimals as forms write them: units, thousands separators, Chinese numerals.

Canonical form: plain digits, no leading zeros, no trailing fraction zeros, "-" for negatives
("1,200.50元" → "1200.5"). Units are stripped, never converted ("1.2万元" is not a number here).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import polars as pl

from yibiaotong.messages import msg
from yibiaotong.values.cells import compact_expr, map_distinct, normalised_text_expr
from yibiaotong.values.rules import ColumnRules
from yibiaotong.values.verdict import Check, Keep, decide

# Longest first, so that "元/月" goes before "元" and "平方米" before "米".
UNITS = tuple(
    sorted(
        (
            "元整", "元/年", "元/月", "元/人", "元/户", "元/亩", "元", "人民币",
            "人", "口", "户", "名", "位", "岁", "周岁",
            "亩", "平方米", "平米", "m2", "公顷", "平方公里", "平方千米", "km2", "米", "公里", "km",
            "头", "只", "个", "匹", "羽", "箱", "套", "间", "栋", "辆", "台", "株",
            "公斤", "千克", "kg", "斤", "吨",
            "年", "个月", "月", "天", "日", "次", "小时",
            "%",
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip
_UNIT_SUFFIX = "(" + "|".join(unit.replace("/", r"/") for unit in UNITS) + ")$"
_THOUSANDS = r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$"
_PLAIN_NUMBER = r"^([+-]?)([0-9]*)\.?([0-9]*)$"
_EXPONENT = r"^[+-]?[0-9]+(\.[0-9]*)?[eE][+-]?[0-9]{1,3}$"  # bounded: no million-digit text
_CHINESE_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
_CHINESE_NUMERAL = "^[" + "".join(_CHINESE_DIGITS) + "".join(_CHINESE_UNITS) + "万]+$"


def chinese_integer(text: str) -> str | None:
    """ "三" → "3", "一百零五" → "105", "二〇二四" → "2024"; None if not a numeral."""
    if not text or any(
        c not in _CHINESE_DIGITS and c not in _CHINESE_UNITS and c != "万" for c in text
    ):
        return None
    if all(c in _CHINESE_DIGITS for c in text):
        return str(int("".join(str(_CHINESE_DIGITS[c]) for c in text)))
    total = section = digit = 0
    for character in text:
        if character in _CHINESE_DIGITS:
            digit = _CHINESE_DIGITS[character]
        elif character in _CHINESE_UNITS:
            section += (digit or 1) * _CHINESE_UNITS[character]
            digit = 0
        else:  # 万
            total += (section + digit) * 10_000
            section = digit = 0
    return str(total + section + digit)


def _plain_decimal(text: str) -> str | None:
    """Scientific notation written out ("1e-05" → "0.00001")."""
    try:
        return format(Decimal(text), "f")
    except InvalidOperation:
        return None


def normalise_integers(cells: pl.LazyFrame, rules: ColumnRules) -> pl.DataFrame:
    return _normalise_numbers(cells, rules, integral=True)


def normalise_decimals(cells: pl.LazyFrame, rules: ColumnRules) -> pl.DataFrame:
    return _normalise_numbers(cells, rules, integral=False)


def _normalise_numbers(cells: pl.LazyFrame, rules: ColumnRules, *, integral: bool) -> pl.DataFrame:
    frame = cells.with_columns(
        normalised_text_expr(pl.col("text")).alias("written"),
        _without_decoration(compact_expr(pl.col("text"))).alias("bare"),
    )
    chinese = pl.col("bare").str.contains(_CHINESE_NUMERAL)
    exponent = pl.col("bare").str.contains(_EXPONENT)
    frame = frame.with_columns(
        pl.when(chinese)
        .then(map_distinct(frame, "bare", chinese_integer, only=chinese))
        .when(exponent)
        .then(map_distinct(frame, "bare", _plain_decimal, only=exponent))
        .otherwise(pl.col("bare"))
        .alias("digits")
    )
    frame = frame.with_columns(_canonical(pl.col("digits")).alias("number"))
    number = pl.col("number")
    magnitude = number.cast(pl.Float64, strict=False)
    checks = [Check("number-format", number.is_null(), msg("values.detail.number_format"))]
    if integral:
        checks.append(
            Check(
                "number-format", number.str.contains(r"\."), msg("values.detail.number_not_integer")
            )
        )
    if rules.minimum is not None:
        below = msg("values.detail.number_below", minimum=_bound_text(rules.minimum))
        checks.append(Check("number-format", magnitude < rules.minimum, below, Keep.VALUE))
    if rules.maximum is not None:
        above = msg("values.detail.number_above", maximum=_bound_text(rules.maximum))
        checks.append(Check("number-format", magnitude > rules.maximum, above, Keep.VALUE))
    return decide(frame, clean=pl.col("written"), value=number, checks=checks)


def _without_decoration(compact: pl.Expr) -> pl.Expr:
    """Currency sign, unit and thousands separators removed."""
    bare = compact.str.replace(r"^[¥$]", "").str.replace(_UNIT_SUFFIX, "")
    return (
        pl.when(bare.str.contains(_THOUSANDS)).then(bare.str.replace_all(",", "")).otherwise(bare)
    )


def _canonical(digits: pl.Expr) -> pl.Expr:
    """Plain number text in canonical form; null when ``digits`` is not a plain number."""
    parts = digits.str.extract_groups(_PLAIN_NUMBER)
    sign, whole, fraction = parts.struct[0], parts.struct[1], parts.struct[2]
    whole = whole.str.strip_chars_start("0")
    whole = pl.when(whole == "").then(pl.lit("0")).otherwise(whole)
    fraction = fraction.str.strip_chars_end("0")
    magnitude = pl.when(fraction == "").then(whole).otherwise(whole + "." + fraction)
    negative = (sign == "-") & (magnitude != "0")
    has_digit = digits.str.contains(r"[0-9]")
    return (
        pl.when(has_digit & digits.str.contains(_PLAIN_NUMBER))
        .then(pl.when(negative).then("-" + magnitude).otherwise(magnitude))
        .otherwise(None)
    )


def _bound_text(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)

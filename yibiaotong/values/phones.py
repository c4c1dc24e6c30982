"""Phone numbers: mobiles, landlines with area code, service and 400/800 numbers.

Canonical forms: mobile "13800138000"; landline "0471-6123456" (area code, hyphen, subscriber
number; 010 and 02x are the only three-digit area codes); service "12345"; "4001234567".
"""

from __future__ import annotations

import polars as pl

from yibiaotong.messages import msg
from yibiaotong.values.cells import compact_expr
from yibiaotong.values.rules import ColumnRules
from yibiaotong.values.verdict import Check, decide

MOBILE = r"^1[3-9][0-9]{9}$"
_LANDLINE_SHORT_AREA = r"^(0(?:10|2[0-9]))([0-9]{7,8})$"
_LANDLINE_LONG_AREA = r"^(0[3-9][0-9]{2})([0-9]{7,8})$"
_SERVICE = r"^(1[12][0-9]|1[0-2][0-9]{3}|9[56][0-9]{3}|[48]00[0-9]{7})$"
_COUNTRY_CODE = r"^(\+86|0086)"


def normalise_phones(cells: pl.LazyFrame, rules: ColumnRules) -> pl.DataFrame:
    """value/code/detail for a phone column."""
    # "110.0": a phone typed as a number and exported as text.
    written = compact_expr(pl.col("text"), "-—–‐()").str.replace(r"\.0+$", "")
    frame = cells.with_columns(written.alias("written"))
    frame = frame.with_columns(_dialled(pl.col("written")).alias("dialled"))
    frame = frame.with_columns(_canonical(pl.col("dialled")).alias("phone"))
    dialled = pl.col("dialled")
    checks = [
        Check(
            "phone-format",
            pl.col("phone").is_null() & pl.col("written").str.contains(r"[/,;、，；]|[0-9]{21,}"),
            msg("values.detail.phone_several"),
        ),
        Check(
            "phone-format",
            pl.col("phone").is_null() & dialled.str.contains(r"^[1-9][0-9]{6,7}$"),
            msg("values.detail.phone_no_area_code"),
        ),
        Check("phone-format", pl.col("phone").is_null(), msg("values.detail.phone_format")),
    ]
    return decide(frame, clean=pl.col("written"), value=pl.col("phone"), checks=checks)


def _dialled(written: pl.Expr) -> pl.Expr:
    """The number as dialled inside China: country code dropped, trunk 0 restored."""
    has_country_code = written.str.contains(_COUNTRY_CODE) | written.str.contains(
        r"^861[3-9][0-9]{9}$"
    )
    national = written.str.replace(_COUNTRY_CODE, "").str.replace(r"^86(1[3-9][0-9]{9})$", "$1")
    return (
        pl.when(has_country_code & ~national.str.contains(MOBILE) & ~national.str.starts_with("0"))
        .then("0" + national)
        # A mobile dialled with a leading long-distance 0.
        .when(national.str.contains(r"^01[3-9][0-9]{9}$"))
        .then(national.str.slice(1))
        .otherwise(national)
    )


def _canonical(dialled: pl.Expr) -> pl.Expr:
    short_area = dialled.str.extract_groups(_LANDLINE_SHORT_AREA)
    long_area = dialled.str.extract_groups(_LANDLINE_LONG_AREA)
    return (
        pl.when(dialled.str.contains(MOBILE) | dialled.str.contains(_SERVICE))
        .then(dialled)
        .when(dialled.str.contains(_LANDLINE_SHORT_AREA))
        .then(short_area.struct[0] + "-" + short_area.struct[1])
        .when(dialled.str.contains(_LANDLINE_LONG_AREA))
        .then(long_area.struct[0] + "-" + long_area.struct[1])
        .otherwise(None)
    )

"""Dates and year-months: the many ways forms write them, and Excel serial numbers."""

from __future__ import annotations

import datetime as dt

import polars as pl

from yibiaotong.messages import msg
from yibiaotong.values.cells import normalised_text_expr
from yibiaotong.values.rules import ColumnRules
from yibiaotong.values.verdict import Check, Keep, decide

EARLIEST = dt.date(1900, 1, 1)
_EPOCH_1900 = dt.date(1899, 12, 31)  # serial 1 = 1900-01-01
_EPOCH_1900_AFTER_LEAP_BUG = dt.date(1899, 12, 30)  # from serial 61 = 1900-03-01
_EPOCH_1904 = dt.date(1904, 1, 1)  # serial 0 = 1904-01-01
_FICTITIOUS_1900_02_29 = 60
_LAST_SERIAL_1900 = 2_958_465  # 9999-12-31
_LAST_SERIAL_1904 = _LAST_SERIAL_1900 - 1462

_FULL_DATE = r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$"
_YEAR_MONTH = r"^([0-9]{4})-([0-9]{1,2})$"
# A number cell that is a year, year.month, yyyymm or yyyymmdd rather than a serial.
_NUMBER_WRITTEN_AS_DATE = r"^(19|20)[0-9]{2}(\.[0-9]{1,2})?$|^[0-9]{6}$|^[0-9]{8}$"


def excel_serial_to_date(serial: float, date_1904: bool = False) -> dt.date:
    """The calendar date of an Excel serial number (its fraction, the time of day, is dropped).

    In the 1900 system serial 60 is Excel's fictitious 1900-02-29 and raises ValueError, as do
    serials outside Excel's range.
    """
    day = int(serial // 1)
    if date_1904:
        if not 0 <= day <= _LAST_SERIAL_1904:
            raise ValueError("serial outside Excel's 1904 date range")
        return _EPOCH_1904 + dt.timedelta(days=day)
    if not 1 <= day <= _LAST_SERIAL_1900:
        raise ValueError("serial outside Excel's 1900 date range")
    if day == _FICTITIOUS_1900_02_29:
        raise ValueError("serial 60 is the fictitious 1900-02-29")
    epoch = _EPOCH_1900 if day < _FICTITIOUS_1900_02_29 else _EPOCH_1900_AFTER_LEAP_BUG
    return epoch + dt.timedelta(days=day)


def latest_plausible(today: dt.date) -> dt.date:
    """One year after today (28 February when today is 29 February)."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def normalise_dates(cells: pl.LazyFrame, rules: ColumnRules) -> pl.DataFrame:
    """value "YYYY-MM-DD", or "YYYY-MM" where the form wrote only a month (出生年月 1991.04):
    the value keeps the precision it was given, no day is invented."""
    frame = _with_parsed(cells, rules, year_month=False, accept_month=True)
    parsed = pl.col("parsed")
    checks = [
        *_serial_checks(rules),
        Check("date-format", pl.col("year_only"), msg("values.detail.date_year_only")),
        Check("date-format", pl.col("shape").is_null(), msg("values.detail.date_format")),
        Check("date-format", parsed.is_null(), msg("values.detail.date_impossible")),
        _range_check(parsed),
    ]
    value = (
        pl.when(pl.col("shape") == "ym")
        .then(parsed.dt.to_string("%Y-%m"))
        .otherwise(parsed.dt.to_string("%Y-%m-%d"))
    )
    return decide(frame, clean=pl.col("written"), value=value, checks=checks)


def normalise_year_months(cells: pl.LazyFrame, rules: ColumnRules) -> pl.DataFrame:
    """value "YYYY-MM"; a day-precise date is accepted and cut to its month."""
    frame = _with_parsed(cells, rules, year_month=True)
    parsed = pl.col("parsed")
    ambiguous = pl.col("numeric") & pl.col("written").str.contains(r"^[0-9]{4}\.1$")
    checks = [
        *_serial_checks(rules),
        Check("date-format", pl.col("year_only"), msg("values.detail.date_year_only")),
        # 2024.10 typed into a number cell became 2024.1: the month is lost, keep no value.
        Check("date-format", ambiguous, msg("values.detail.year_month_ambiguous"), Keep.NOTHING),
        Check("date-format", pl.col("shape").is_null(), msg("values.detail.year_month_format")),
        Check("date-format", parsed.is_null(), msg("values.detail.date_impossible")),
        _range_check(parsed),
    ]
    value = parsed.dt.to_string("%Y-%m")
    return decide(frame, clean=pl.col("written"), value=value, checks=checks)


def _serial_checks(rules: ColumnRules) -> list[Check]:
    return [
        Check(
            "date-format",
            (pl.col("serial_day") == _FICTITIOUS_1900_02_29) & (not rules.date_1904),
            msg("values.detail.date_excel_1900_02_29"),
        ),
        Check(
            "date-format",
            pl.col("serial_day").is_not_null() & pl.col("parsed").is_null(),
            msg("values.detail.date_serial_range"),
        ),
    ]


def _range_check(parsed: pl.Expr) -> Check:
    latest = latest_plausible(dt.date.today())
    return Check(
        "date-range",
        ~parsed.is_between(pl.lit(EARLIEST), pl.lit(latest)),
        msg("values.detail.date_range"),
        Keep.VALUE,
    )


def _with_parsed(
    cells: pl.LazyFrame, rules: ColumnRules, *, year_month: bool, accept_month: bool = False
) -> pl.LazyFrame:
    """Adds columns written, shape ("serial"/"ymd"/"ym"/null), parsed, serial_day, year_only.

    ``written`` is the cleaned text; ``parsed`` the Date (for year_month, the first of the month).
    """
    written = normalised_text_expr(pl.col("text"))
    frame = cells.with_columns(written.alias("written"))
    months = year_month or accept_month
    unified = _unified(pl.col("written"), year_month=months)
    frame = frame.with_columns(unified.alias("unified"))
    unified_col = pl.col("unified")
    is_serial = pl.col("numeric") & ~pl.col("written").str.contains(_NUMBER_WRITTEN_AS_DATE)
    serial_day = (
        pl.col("written").cast(pl.Float64, strict=False).floor().cast(pl.Int64, strict=False)
    )
    shape = (
        pl.when(is_serial)
        .then(pl.lit("serial"))
        .when(unified_col.str.contains(_FULL_DATE))
        .then(pl.lit("ymd"))
        .when(unified_col.str.contains(_YEAR_MONTH))
        .then(pl.lit("ym"))
        .otherwise(None)
    )
    frame = frame.with_columns(
        shape.alias("shape"),
        pl.when(is_serial).then(serial_day).otherwise(None).alias("serial_day"),
        pl.col("written").str.contains(r"^[0-9]{4}$").alias("year_only"),
    )
    text_date = _text_date(unified_col, year_month=months)
    serial_date = _serial_date(pl.col("serial_day"), rules.date_1904)
    parsed = pl.when(pl.col("serial_day").is_not_null()).then(serial_date).otherwise(text_date)
    if year_month:
        parsed = parsed.dt.truncate("1mo")
    return frame.with_columns(parsed.alias("parsed"))


def _unified(written: pl.Expr, *, year_month: bool) -> pl.Expr:
    """Date text rewritten as "Y-M-D" or "Y-M": time of day dropped, separators unified."""
    unified = (
        written.str.replace(r"[ T][0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2}(\.[0-9]+)?)?$", "")
        .str.replace_all(" ", "")
        .str.replace_all(r"[年月/.\-]", "-")
        .str.replace(r"[日号]$", "")
        .str.strip_chars_end("-")
        .str.replace(r"^([0-9]{4})([0-9]{2})([0-9]{2})$", "$1-$2-$3")
    )
    if year_month:
        unified = unified.str.replace(r"^([0-9]{4})([0-9]{2})$", "$1-$2")
    return unified


def _text_date(unified: pl.Expr, *, year_month: bool) -> pl.Expr:
    full = unified.str.extract_groups(_FULL_DATE)
    iso = pl.concat_str(
        [full.struct[0], full.struct[1].str.zfill(2), full.struct[2].str.zfill(2)], separator="-"
    )
    if year_month:
        month = unified.str.extract_groups(_YEAR_MONTH)
        month_iso = pl.concat_str(
            [month.struct[0], month.struct[1].str.zfill(2), pl.lit("01")], separator="-"
        )
        iso = pl.coalesce(iso, month_iso)
    return iso.str.to_date("%Y-%m-%d", strict=False)


def _serial_date(day: pl.Expr, date_1904: bool) -> pl.Expr:
    # Clipping keeps the date arithmetic in range; out-of-range serials become null below.
    offset = pl.duration(days=day.clip(0, _LAST_SERIAL_1900))
    if date_1904:
        in_range = day.is_between(0, _LAST_SERIAL_1904)
        return pl.when(in_range).then(pl.lit(_EPOCH_1904) + offset).otherwise(None)
    in_range = day.is_between(1, _LAST_SERIAL_1900) & (day != _FICTITIOUS_1900_02_29)
    epoch = (
        pl.when(day < _FICTITIOUS_1900_02_29)
        .then(pl.lit(_EPOCH_1900))
        .otherwise(pl.lit(_EPOCH_1900_AFTER_LEAP_BUG))
    )
    return pl.when(in_range).then(epoch + offset).otherwise(None)

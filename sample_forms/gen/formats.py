"""The ways departments write the same value: dates, codes, phones, IDs, flags, numbers."""

from __future__ import annotations

import datetime as dt

from . import codes
from .model import Cell, Fmt


def _date(value: object) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def _text(value: object) -> Cell:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | dt.date):
        return value
    return str(value)


TEXT = Fmt("text", _text)


def _date_fmt(name: str, render: str, trait: str) -> Fmt:
    def write(value: object) -> Cell:
        date = _date(value)
        if date is None:
            return _text(value)
        return render.format(y=date.year, m=date.month, d=date.day)

    return Fmt(name, write, trait)


DATE_ISO = _date_fmt("date-iso", "{y:04d}-{m:02d}-{d:02d}", "date-text-iso")
DATE_SLASH = _date_fmt("date-slash", "{y}/{m}/{d}", "date-text-slash")
DATE_CN = _date_fmt("date-cn", "{y}年{m}月{d}日", "date-text-cn")
DATE_DOT = _date_fmt("date-dot", "{y}.{m}.{d}", "date-text-dot")
DATE_COMPACT = _date_fmt("date-compact", "{y:04d}{m:02d}{d:02d}", "date-text-compact")
YEAR_MONTH = _date_fmt("year-month", "{y:04d}-{m:02d}", "date-year-month")
YEAR_MONTH_CN = _date_fmt("year-month-cn", "{y}年{m:02d}月", "date-year-month")
YEAR_MONTH_DOT = _date_fmt("year-month-dot", "{y}.{m:02d}", "date-year-month")
YEAR_MONTH_COMPACT = _date_fmt("year-month-compact", "{y:04d}{m:02d}", "date-year-month")


def date_serial(number_format: str = "yyyy-mm-dd") -> Fmt:
    """A real date cell (an Excel serial with a date format)."""

    def write(value: object) -> Cell:
        date = _date(value)
        return date if date is not None else _text(value)

    return Fmt(f"date-serial:{number_format}", write, "date-serials", number_format)


DATE_SERIAL = date_serial()
DATE_SERIAL_CN = date_serial("yyyy年m月d日")
DATE_SERIAL_SLASH = date_serial("yyyy/m/d")


def code_label(table: dict[str, str], separator: str = "-") -> Fmt:
    """'01-汉族', '1-男', '61-视力残疾' — code and label in one cell."""

    def write(value: object) -> Cell:
        if value in (None, ""):
            return None
        label = str(value)
        return f"{table[label]}{separator}{label}" if label in table else label

    return Fmt("code-label", write, "code-label-cells")


def code_only(table: dict[str, str]) -> Fmt:
    def write(value: object) -> Cell:
        if value in (None, ""):
            return None
        return table.get(str(value), str(value))

    return Fmt("code-only", write, "code-cells")


def _short_ethnicity(value: object) -> Cell:
    text = str(value or "")
    return text[:-1] if text.endswith("族") and len(text) > 2 else (text or None)


ETHNICITY_SHORT = Fmt("ethnicity-short", _short_ethnicity, "short-labels")
ETHNICITY_CODE_LABEL = code_label(codes.ETHNICITY_CODES)
SEX_CODE_LABEL = code_label(codes.SEX_CODES)
SEX_CODE = code_only(codes.SEX_CODES)


def _phone_spaced(value: object) -> Cell:
    text = str(value or "")
    if len(text) == 11 and text.isdigit():
        return f"{text[:3]} {text[3:7]} {text[7:]}"
    return text or None


def _phone_number(value: object) -> Cell:
    text = str(value or "")
    return int(text) if len(text) == 11 and text.isdigit() else (text or None)


def _phone_float_text(value: object) -> Cell:
    text = str(value or "")
    return f"{text}.0" if len(text) == 11 and text.isdigit() else (text or None)


def _full_width(value: object) -> Cell:
    return codes.full_width(str(value)) if value not in (None, "") else None


PHONE_SPACED = Fmt("phone-spaced", _phone_spaced, "spaced-phones")
PHONE_NUMBER = Fmt("phone-number", _phone_number, "numeric-phones")
PHONE_FLOAT_TEXT = Fmt("phone-float-text", _phone_float_text, "numeric-phones")
FULL_WIDTH = Fmt("full-width", _full_width, "full-width-digits")


def fifteen_significant(number: str) -> float:
    """What Excel keeps of a long number typed into a General cell: 15 significant digits."""
    return float(f"{float(number):.15g}")


def _id_numeric(value: object) -> Cell:
    text = str(value or "")
    # IDs ending in X cannot be numbers: Excel keeps them as text, so the column mixes types.
    return fifteen_significant(text) if text.isdigit() else (text or None)


ID_NUMERIC = Fmt("id-numeric", _id_numeric, "numeric-ids")
ACCOUNT_NUMERIC = Fmt(
    "account-numeric",
    lambda value: fifteen_significant(str(value)) if str(value or "").isdigit() else _text(value),
    "numeric-accounts",
)


def flag(yes: str = "是", no: str = "否") -> Fmt:
    def write(value: object) -> Cell:
        return yes if value else (no or None)

    return Fmt(f"flag:{yes}/{no}", write, "flag-cells")


YES_NO = flag()
TICK = flag("√", "")


def _money(value: object) -> Cell:
    if value in (None, ""):
        return None
    number = float(value)  # type: ignore[arg-type]
    return int(number) if number == int(number) else round(number, 2)


MONEY = Fmt("money", _money)


def mapped(table: dict[str, str], trait: str | None = "code-label-cells") -> Fmt:
    """Write a canonical label the way one form spells it ('特困供养(集中)' → '03集中供养五保')."""

    def write(value: object) -> Cell:
        if value in (None, ""):
            return None
        return table.get(str(value), str(value))

    return Fmt(f"mapped:{sorted(table.items())[:1]}", write, trait)

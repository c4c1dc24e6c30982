"""居民身份证号码 (GB 11643-1999): check character, birth date, sex, 15-digit upgrade.

Area codes are deliberately not checked: retired codes stay in people's IDs for life
(python-stdnum's cn.ric rejects such real IDs, issue arthurdejong/python-stdnum#442).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from yibiaotong.messages import msg
from yibiaotong.values.cells import compact_expr
from yibiaotong.values.rules import ColumnRules
from yibiaotong.values.verdict import Check, Keep, decide

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"  # indexed by the weighted sum mod 11
EARLIEST_BIRTH = dt.date(1900, 1, 1)
# Numbers of 16+ digits cannot survive in a spreadsheet number (15 significant digits).
_LONGEST_EXACT_NUMBER = 15


def check_character(base17: str) -> str:
    """The 18th character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(base17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def id_checksum_ok(id18: str) -> bool:
    """True when an 18-character ID's last character matches its first 17 digits."""
    return (
        len(id18) == 18
        and id18[:17].isascii()
        and id18[:17].isdigit()
        and check_character(id18[:17]) == id18[17]
    )


def upgrade_legacy_id(id15: str) -> str:
    """A 15-digit ID (GB 11643-1989) as 18 characters: century "19" inserted, check added."""
    if len(id15) != 15 or not (id15.isascii() and id15.isdigit()):
        raise ValueError("not a 15-digit legacy ID number")
    base17 = id15[:6] + "19" + id15[6:]
    return base17 + check_character(base17)


def id_birth_date(id18: str) -> dt.date | None:
    """The birth date written in an 18-digit (or 15-digit legacy) ID; None if not a date."""
    if len(id18) == 18:
        digits = id18[6:14]
    elif len(id18) == 15:
        digits = "19" + id18[6:12]
    else:
        return None
    if not (digits.isascii() and digits.isdigit()):
        return None
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def id_sex(id18: str) -> str | None:
    """GB/T 2261.1 sex code from the sequence digit: "1" male (odd), "2" female (even)."""
    position = {18: 16, 15: 14}.get(len(id18))
    if position is None or not ("0" <= id18[position] <= "9"):
        return None
    return "1" if int(id18[position]) % 2 else "2"


def check_character_expr(base17: pl.Expr) -> pl.Expr:
    """Vectorised check character; null unless ``base17`` is exactly 17 ASCII digits.

    The weights are 2^(17-i) mod 11 and 13 ≡ 2 (mod 11), so the weighted sum mod 11 is twice the
    digits read as a base-13 number, mod 11: one parse instead of 17 digit operations
    (13^17 < 2^63, so the parse cannot overflow).
    """
    digits = pl.when(base17.str.contains(r"^[0-9]{17}$")).then(base17).otherwise(None)
    remainder = (2 * (digits.str.to_integer(base=13, strict=False) % 11)) % 11
    return pl.lit(CHECK_CHARACTERS).str.slice(remainder, 1)


def normalise_id_numbers(cells: pl.LazyFrame, rules: ColumnRules) -> pl.DataFrame:
    """value/code/detail for an id_number column.

    Checks, most important first: digits lost to a number cell, format, a "000" tail that
    fails the check (digits lost earlier), check character, birth date, 15-digit upgrade (info).
    """
    clean = compact_expr(pl.col("text"), "-—–‐", upper=True)
    frame = cells.with_columns(clean.alias("id"))
    id_text = pl.col("id")
    legacy = id_text.str.contains(r"^[0-9]{15}$")
    modern = id_text.str.contains(r"^[0-9]{17}[0-9X]$")
    base17 = (
        pl.when(legacy)
        .then(id_text.str.slice(0, 6) + "19" + id_text.str.slice(6))
        .otherwise(id_text.str.slice(0, 17))
    )
    frame = frame.with_columns(
        base17.alias("base17"), check_character_expr(base17).alias("expected")
    )
    checksum_ok = id_text.str.slice(17, 1) == pl.col("expected")
    birth = pl.col("base17").str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    birth_ok = birth.is_between(pl.lit(EARLIEST_BIRTH), pl.lit(dt.date.today()))
    digits_lost = id_text.str.contains(r"^[0-9](\.[0-9]+)?E\+?[0-9]+$") | (
        pl.col("numeric") & (id_text.str.len_chars() > _LONGEST_EXACT_NUMBER)
    )
    zeros_lost = modern & id_text.str.ends_with("000") & ~checksum_ok
    checks = [
        Check(
            "id-precision-lost", digits_lost, msg("values.detail.id_precision_lost"), Keep.NOTHING
        ),
        Check("id-format", ~(legacy | modern), msg("values.detail.id_format")),
        Check(
            "id-precision-lost", zeros_lost, msg("values.detail.id_trailing_zeros"), Keep.NOTHING
        ),
        Check("id-checksum", modern & ~checksum_ok, msg("values.detail.id_checksum")),
        Check("id-birthdate", ~birth_ok.fill_null(False), msg("values.detail.id_birthdate")),
        Check("id-legacy-15", legacy, msg("values.detail.id_legacy_15"), Keep.VALUE),
    ]
    upgraded = pl.when(legacy).then(pl.col("base17") + pl.col("expected")).otherwise(id_text)
    return decide(frame, clean=id_text, value=upgraded, checks=checks)

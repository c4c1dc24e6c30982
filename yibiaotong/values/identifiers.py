"""Organisation and account identifiers: 统一社会信用代码, bank accounts, 行政区划代码."""

from __future__ import annotations

import polars as pl

from yibiaotong.messages import msg
from yibiaotong.values.cells import compact_expr
from yibiaotong.values.rules import ColumnRules
from yibiaotong.values.verdict import Check, Keep, decide

# GB 32100-2015: the character set (no I, O, Z, S, V); a character's value is its index here.
# (Mapping letters with ord(c) - ord("A") + 10 is a widely copied mistake.)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(3**index % 31 for index in range(17))
_USCC_VALUES = {character: index for index, character in enumerate(USCC_ALPHABET)}
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_USCC_AS_BASE36 = {c: _BASE36[v] for c, v in _USCC_VALUES.items() if c != _BASE36[v]}
# A spreadsheet number keeps 15 significant digits; longer account numbers lose their tail.
_LONGEST_EXACT_NUMBER = 15
_E_NOTATION = r"^[0-9](\.[0-9]+)?E\+?[0-9]+$"


def uscc_check_character(base17: str) -> str:
    """The 18th character of a USCC for its first 17 characters."""
    total = sum(_USCC_VALUES[c] * w for c, w in zip(base17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_check_character_expr(code: pl.Expr) -> pl.Expr:
    """Vectorised check character of the first 17 characters (null where a character is bad).

    The weights are 3^i mod 31 and 34 ≡ 3 (mod 31), so the weighted sum mod 31 is the reversed
    characters read as a base-34 number, mod 31, once each character is written as the base-36
    digit of the same value ("J" is 18 in the USCC alphabet, "I" in base 36). 34^17 overflows
    64 bits, so the reversed text is read as 12 high and 5 low base-34 digits (34^5 ≡ 3^5).
    """
    reversed_digits = (
        code.str.slice(0, 17)
        .str.replace_many(_USCC_AS_BASE36, ascii_case_insensitive=False)
        .str.reverse()
    )
    high = reversed_digits.str.slice(0, 12).str.to_integer(base=34, strict=False) % 31
    low = reversed_digits.str.slice(12, 5).str.to_integer(base=34, strict=False) % 31
    total = high * USCC_WEIGHTS[5] + low
    return pl.lit(USCC_ALPHABET).str.slice((31 - total % 31) % 31, 1)


def normalise_usccs(cells: pl.LazyFrame, rules: ColumnRules) -> pl.DataFrame:
    """Checks the character set and length, then the check character (not the region code)."""
    frame = cells.with_columns(compact_expr(pl.col("text"), "-—–‐", upper=True).alias("code"))
    code = pl.col("code")
    well_formed = code.str.contains(f"^[{USCC_ALPHABET}]{{18}}$")
    checks = [
        Check("uscc-format", ~well_formed, msg("values.detail.uscc_format")),
        Check(
            "uscc-checksum",
            code.str.slice(17, 1) != uscc_check_character_expr(code),
            msg("values.detail.uscc_checksum"),
        ),
    ]
    return decide(frame, clean=code, value=code, checks=checks)


def normalise_accounts(cells: pl.LazyFrame, rules: ColumnRules) -> pl.DataFrame:
    """Bank account numbers: 10–30 digits, kept as text; numbers of 16+ digits are damaged."""
    frame = cells.with_columns(compact_expr(pl.col("text"), "-—–‐", upper=True).alias("account"))
    account = pl.col("account")
    digits_lost = account.str.contains(_E_NOTATION) | (
        pl.col("numeric") & (account.str.len_chars() > _LONGEST_EXACT_NUMBER)
    )
    checks = [
        Check(
            "account-precision-lost",
            digits_lost,
            msg("values.detail.account_precision_lost"),
            Keep.NOTHING,
        ),
        Check(
            "account-format",
            ~account.str.contains(r"^[0-9]{10,30}$"),
            msg("values.detail.account_format"),
        ),
    ]
    return decide(frame, clean=account, value=account, checks=checks)


def normalise_admin_codes(cells: pl.LazyFrame, rules: ColumnRules) -> pl.DataFrame:
    """行政区划代码: 6 (GB/T 2260), 9 (乡级) or 12 (统计用区划代码) digits."""
    frame = cells.with_columns(compact_expr(pl.col("text")).alias("admin_code"))
    admin_code = pl.col("admin_code")
    checks = [
        Check(
            "admin-code-format",
            ~admin_code.str.contains(r"^([0-9]{6}|[0-9]{9}|[0-9]{12})$"),
            msg("values.detail.admin_code_format"),
        )
    ]
    return decide(frame, clean=admin_code, value=admin_code, checks=checks)

"""Turn a cleaned column and an ordered list of checks into value, finding code and detail.

The first failing check of a cell is its finding (checks are listed most important first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from yibiaotong.model import Severity


class Keep(StrEnum):
    """What the value column holds when a check fails."""

    CLEAN = "clean"  # the cleaned raw text: invalid, kept as written, never fixed
    VALUE = "value"  # the canonical value: the finding is a warning or a note about it
    NOTHING = "nothing"  # unusable (digits lost, code unknown): only the raw text remains


@dataclass(frozen=True)
class Check:
    """One rule for a column: ``fails`` is True on the cells that break it."""

    code: str
    fails: pl.Expr
    detail: str
    keep: Keep = Keep.CLEAN


SEVERITY: dict[str, Severity] = {
    "id-format": Severity.ERROR,
    "id-checksum": Severity.ERROR,
    "id-birthdate": Severity.ERROR,
    "id-precision-lost": Severity.ERROR,
    "id-legacy-15": Severity.INFO,
    "uscc-format": Severity.ERROR,
    "uscc-checksum": Severity.ERROR,
    "phone-format": Severity.WARNING,
    "date-format": Severity.ERROR,
    "date-range": Severity.WARNING,
    "code-unknown": Severity.WARNING,
    "number-format": Severity.ERROR,
    "account-precision-lost": Severity.ERROR,
    "account-format": Severity.ERROR,
    "admin-code-format": Severity.ERROR,
    "name-format": Severity.WARNING,
    "pattern-mismatch": Severity.WARNING,
}

RESULT_SCHEMA = {"value": pl.String, "code": pl.String, "detail": pl.String}


def decide(
    frame: pl.LazyFrame, *, clean: pl.Expr, value: pl.Expr, checks: Sequence[Check]
) -> pl.DataFrame:
    """Columns value, code, detail for each row of ``frame``.

    ``clean`` is the cleaned text (null or "" means blank: no value, no finding); ``value`` the
    canonical form of a valid cell. Checks only run on non-blank cells.
    """
    staged = frame.with_columns(clean.alias("_clean"), value.alias("_value"))
    blank = pl.col("_clean").is_null() | (pl.col("_clean") == "")
    failed = pl.coalesce(
        [pl.when(check.fails).then(pl.lit(index)) for index, check in enumerate(checks)]
        + [pl.lit(None, dtype=pl.Int32)]
    )
    staged = staged.with_columns(pl.when(blank).then(None).otherwise(failed).alias("_failed"))
    return staged.select(
        _value_after(checks, blank).alias("value"),
        _lookup({i: check.code for i, check in enumerate(checks)}).alias("code"),
        _lookup({i: check.detail for i, check in enumerate(checks)}).alias("detail"),
    ).collect()


def _lookup(texts: dict[int, str]) -> pl.Expr:
    if not texts:
        return pl.lit(None, dtype=pl.String)
    return pl.col("_failed").replace_strict(texts, default=None, return_dtype=pl.String)


def _value_after(checks: Sequence[Check], blank: pl.Expr) -> pl.Expr:
    def failed_with(keep: Keep) -> pl.Expr:
        indices = [index for index, check in enumerate(checks) if check.keep is keep]
        return pl.col("_failed").is_in(indices) if indices else pl.lit(False)

    return (
        pl.when(blank)
        .then(None)
        .when(pl.col("_failed").is_null())
        .then(pl.col("_value"))
        .when(failed_with(Keep.VALUE))
        .then(pl.col("_value"))
        .when(failed_with(Keep.CLEAN))
        .then(pl.col("_clean"))
        .otherwise(None)
        .cast(pl.String)
    )

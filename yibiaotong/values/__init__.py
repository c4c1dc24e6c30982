"""Normalise and validate cell values per element type (ID numbers, USCC, phones, dates, codes …).

``normalise_column`` takes one column of raw cells and returns, per cell, the raw text, the
canonical value (text) and at most one finding code with a short Chinese detail. Invalid values
are kept as cleaned text and flagged, never fixed; unusable ones (digits lost, unknown codes)
get no value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import polars as pl

from yibiaotong.messages import msg
from yibiaotong.model import CellValue, Severity
from yibiaotong.values.categories import flag_value, normalise_codes, normalise_flags
from yibiaotong.values.cells import cell_text, cells_frame, normalise_text
from yibiaotong.values.dates import excel_serial_to_date, normalise_dates, normalise_year_months
from yibiaotong.values.id_card import (
    id_birth_date,
    id_checksum_ok,
    id_sex,
    normalise_id_numbers,
    upgrade_legacy_id,
)
from yibiaotong.values.identifiers import (
    normalise_accounts,
    normalise_admin_codes,
    normalise_usccs,
    uscc_check_character,
)
from yibiaotong.values.masks import MASK_STYLES, mask_value
from yibiaotong.values.numbers import normalise_decimals, normalise_integers
from yibiaotong.values.phones import normalise_phones
from yibiaotong.values.rules import ELEMENT_TYPES, ColumnRules
from yibiaotong.values.texts import normalise_names, normalise_texts
from yibiaotong.values.verdict import SEVERITY

__all__ = [
    "ELEMENT_TYPES",
    "FINDING_CODES",
    "MASK_STYLES",
    "SEVERITY",
    "ColumnRules",
    "cell_text",
    "excel_serial_to_date",
    "finding_title",
    "flag_value",
    "id_birth_date",
    "id_checksum_ok",
    "id_sex",
    "mask_value",
    "normalise_column",
    "normalise_text",
    "upgrade_legacy_id",
    "uscc_check_character",
]

FINDING_CODES: tuple[str, ...] = tuple(SEVERITY)

_Normaliser = Callable[[pl.LazyFrame, ColumnRules], pl.DataFrame]
_NORMALISERS: dict[str, _Normaliser] = {
    "text": normalise_texts,
    "name": normalise_names,
    "address": normalise_texts,
    "integer": normalise_integers,
    "decimal": normalise_decimals,
    "date": normalise_dates,
    "year_month": normalise_year_months,
    "flag": normalise_flags,
    "code": normalise_codes,
    "id_number": normalise_id_numbers,
    "uscc": normalise_usccs,
    "phone": normalise_phones,
    "admin_code": normalise_admin_codes,
    "account": normalise_accounts,
}
COLUMNS = ("raw", "value", "code", "detail", "severity")


def normalise_column(values: Sequence[CellValue] | pl.Series, rules: ColumnRules) -> pl.DataFrame:
    """One row per cell, in order: raw, value, code, detail, severity (all text, may be null).

    ``raw`` is cell_text of the cell; ``value`` the canonical text (null when blank or unusable);
    ``code``/``detail``/``severity`` the cell's most important finding, if any. Blank cells get
    no finding: whether a value is required is decided elsewhere.
    """
    cells = cells_frame(values)
    verdicts = _NORMALISERS[rules.type](cells.lazy(), rules)
    result = pl.concat([cells.select("raw"), verdicts], how="horizontal")
    if rules.pattern is not None:
        result = _check_pattern(result, rules.pattern)
    severity = pl.col("code").replace_strict(
        {code: str(level) for code, level in SEVERITY.items()}, default=None, return_dtype=pl.String
    )
    return result.with_columns(severity.alias("severity")).select(COLUMNS)


def finding_title(code: str) -> str:
    """Short Chinese title of a finding code raised here ("身份证号校验码错误")."""
    return msg(f"values.finding.{code}")


def finding_severity(code: str) -> Severity:
    return SEVERITY[code]


def _check_pattern(result: pl.DataFrame, pattern: str) -> pl.DataFrame:
    """Flag valid values that do not match the column's pattern (Python regex, whole value)."""
    compiled = re.compile(pattern)
    matching = {
        value: compiled.fullmatch(value) is not None
        for value in result.get_column("value").drop_nulls().unique().to_list()
    }
    if not matching:
        return result
    mismatch = pl.col("code").is_null() & ~pl.col("value").replace_strict(
        matching, default=True, return_dtype=pl.Boolean
    )
    return result.with_columns(
        pl.when(mismatch).then(pl.lit("pattern-mismatch")).otherwise(pl.col("code")).alias("code"),
        pl.when(mismatch)
        .then(pl.lit(msg("values.detail.pattern_mismatch")))
        .otherwise(pl.col("detail"))
        .alias("detail"),
    )

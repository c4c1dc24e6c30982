"""Cell values as a clerk sees them, and the text clean-up every element type starts from."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from decimal import Decimal

import polars as pl

from yibiaotong.model import CellValue

# Exactly the characters Python's str.isspace() accepts, listed so that Python and polars
# (Rust regex) agree on what whitespace is.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
# Invisible characters pasted in from web pages and Word; they are never part of a value.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"

_WHITESPACE_RUN = f"[{WHITESPACE}]+"
_ZERO_WIDTH_CLASS = f"[{ZERO_WIDTH}]"
_ZERO_WIDTH_PATTERN = re.compile(_ZERO_WIDTH_CLASS)
_STRIP = WHITESPACE + ZERO_WIDTH

# Excel shows (and stores) at most 15 significant digits.
_EXCEL_DIGITS = 15


def cell_text(value: CellValue) -> str | None:
    """The raw text a clerk would see in the cell; None for an empty cell."""
    if isinstance(value, str):
        return value.strip(_STRIP) or None
    if isinstance(value, float):
        return _float_text(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    # int → "123"; date → "2024-05-01"; time → "08:30:00"
    return value.isoformat() if isinstance(value, dt.date | dt.time) else str(value)


def _float_text(value: float) -> str | None:
    if math.isnan(value):
        return None
    if math.isinf(value):
        return str(value)
    if value.is_integer():
        if abs(value) < 10**_EXCEL_DIGITS:
            return str(int(value))
        # What Excel displays with a "0" number format: 15 significant digits, then zeros.
        return str(int(Decimal(f"{value:.{_EXCEL_DIGITS}g}")))
    return f"{value:.{_EXCEL_DIGITS}g}"


def is_number_cell(value: CellValue) -> bool:
    """True for a cell the file stores as a number (digits beyond 15 may be lost)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def normalise_text(text: str) -> str:
    """Full-width to half-width (NFKC), invisible characters removed, whitespace collapsed."""
    text = _ZERO_WIDTH_PATTERN.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


def normalised_text_expr(text: pl.Expr) -> pl.Expr:
    """normalise_text as a polars expression over the ``text`` column of cells_frame."""
    return text.str.replace_all(_WHITESPACE_RUN, " ").str.strip_chars(_STRIP)


def compact_expr(text: pl.Expr, removed: str = "", *, upper: bool = False) -> pl.Expr:
    """The ``text`` column of cells_frame with all whitespace and ``removed`` characters deleted.

    Deleting a space can join a letter and a combining mark that NFKC then composes, and so can
    upper-casing; NFKC runs again on such rows so that compacting twice changes nothing.
    """
    compact = text.str.replace_all("[" + WHITESPACE + re.escape(removed) + "]", "")
    if upper:
        compact = compact.str.to_uppercase()
    return compact.map_batches(nfkc_where_needed, return_dtype=pl.String, is_elementwise=True)


def nfkc_where_needed(texts: pl.Series) -> pl.Series:
    """NFKC with invisible characters removed, applied only to rows that are not plain ASCII."""
    special = texts.str.contains(r"[^\x00-\x7f]").fill_null(False)
    if not special.any():
        return texts
    indices = special.arg_true()
    normalised = texts.gather(indices).str.replace_all(_ZERO_WIDTH_CLASS, "").str.normalize("NFKC")
    return texts.scatter(indices, normalised)


def cells_frame(values: Sequence[CellValue] | pl.Series) -> pl.DataFrame:
    """One row per cell: ``raw`` (cell_text), ``numeric`` (stored as a number) and ``text``.

    ``text`` is raw after NFKC with invisible characters removed: the common first step of
    every element type, done once here and only on rows that are not plain ASCII.
    """
    if isinstance(values, pl.Series):
        if values.dtype == pl.String:
            return _with_text(_text_cells(values))
        values = values.to_list()
    if all(value is None or isinstance(value, str) for value in values):
        return _with_text(_text_cells(pl.Series("raw", values, dtype=pl.String)))
    raw, numeric = _texts_of(values)
    cells = pl.DataFrame(
        {"raw": raw, "numeric": numeric}, schema={"raw": pl.String, "numeric": pl.Boolean}
    )
    return _with_text(cells)


def _texts_of(values: Sequence[CellValue]) -> tuple[list[str | None], list[bool]]:
    """cell_text and is_number_cell of every value in one pass: it runs on every cell, so the
    common types are tested by identity first (bool is an int subclass, never ``int``)."""
    raw: list[str | None] = []
    numeric: list[bool] = []
    for value in values:
        kind = value.__class__
        if kind is str:
            raw.append(value.strip(_STRIP) or None)  # type: ignore[union-attr]
            numeric.append(False)
        elif value is None:
            raw.append(None)
            numeric.append(False)
        elif kind is float:
            raw.append(_float_text(value))  # type: ignore[arg-type]
            numeric.append(True)
        else:
            raw.append(cell_text(value))
            numeric.append(is_number_cell(value))
    return raw, numeric


def _text_cells(texts: pl.Series) -> pl.DataFrame:
    raw = pl.col("raw").str.strip_chars(_STRIP)
    return (
        texts.rename("raw")
        .to_frame()
        .select(
            pl.when(raw != "").then(raw).otherwise(None).alias("raw"),
            pl.lit(False).alias("numeric"),
        )
    )


def _with_text(cells: pl.DataFrame) -> pl.DataFrame:
    return cells.with_columns(nfkc_where_needed(cells.get_column("raw")).alias("text"))


def map_distinct(
    frame: pl.LazyFrame,
    column: str,
    function: Callable[[str], str | None],
    only: pl.Expr | None = None,
) -> pl.Series:
    """Apply a Python function once per distinct text of ``column`` (where ``only`` holds).

    Other rows, and nulls, map to null.
    """
    wanted = pl.col(column) if only is None else pl.when(only).then(pl.col(column))
    texts = frame.select(wanted.alias(column)).collect().to_series()
    mapping = {text: function(text) for text in texts.drop_nulls().unique().to_list()}
    if not mapping:
        return pl.Series(column, [None] * len(texts), dtype=pl.String)
    return texts.replace_strict(mapping, default=None, return_dtype=pl.String)

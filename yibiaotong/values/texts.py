"""Free text, personal names and addresses."""

from __future__ import annotations

import polars as pl

from yibiaotong.messages import msg
from yibiaotong.values.cells import normalised_text_expr
from yibiaotong.values.rules import ColumnRules
from yibiaotong.values.verdict import Check, Keep, decide

_HAN = r"\p{Han}"
# Middle dots in minority and foreign names ("阿依古丽·买买提") are typed many ways.
_MIDDLE_DOTS = "[•・‧∙．.]"


def normalise_texts(cells: pl.LazyFrame, rules: ColumnRules) -> pl.DataFrame:
    """text and address: normalise_text, nothing else."""
    written = normalised_text_expr(pl.col("text"))
    return decide(cells, clean=written, value=written, checks=[])


def normalise_names(cells: pl.LazyFrame, rules: ColumnRules) -> pl.DataFrame:
    """Names: spaces between Chinese characters dropped ("张 三" → "张三"), one middle dot."""
    frame = cells.with_columns(normalised_text_expr(pl.col("text")).alias("written"))
    name = pl.col("written")
    # Each pass may skip a space whose left character the previous match used; two suffice.
    for _ in range(2):
        name = name.str.replace_all(f"({_HAN}) ({_HAN})", "${1}${2}")
    for _ in range(2):
        name = name.str.replace_all(f"({_HAN}) ?{_MIDDLE_DOTS} ?({_HAN})", "${1}·${2}")
    frame = frame.with_columns(name.alias("name"))
    checks = [
        Check(
            "name-format",
            pl.col("name").str.contains(r"[0-9]"),
            msg("values.detail.name_format"),
            Keep.VALUE,
        )
    ]
    return decide(frame, clean=pl.col("written"), value=pl.col("name"), checks=checks)

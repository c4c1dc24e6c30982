"""Coded values (代码表 lookups) and yes/no flags."""

from __future__ import annotations

import polars as pl

from yibiaotong.messages import msg
from yibiaotong.values.cells import map_distinct, normalise_text, normalised_text_expr
from yibiaotong.values.rules import ColumnRules
from yibiaotong.values.verdict import Check, Keep, decide

FLAG_TRUE = ("是", "有", "√", "✓", "✔", "☑", "Y", "YES", "1", "TRUE", "T", "对")
FLAG_FALSE = ("否", "无", "×", "✗", "✘", "☐", "N", "NO", "0", "FALSE", "F", "错")
# "X" is left out on purpose: clerks use it both to tick a box and to cross it out.
_FLAG_VALUES = dict.fromkeys(FLAG_TRUE, "1") | dict.fromkeys(FLAG_FALSE, "0")


def normalise_codes(cells: pl.LazyFrame, rules: ColumnRules) -> pl.DataFrame:
    """value = the code of the code-list entry the cell names (code, label, alias, "1-男" …)."""
    code_list = rules.code_list
    if code_list is None:  # ColumnRules refuses this; kept for the type checker
        raise ValueError("a code column needs a code list")

    def code_of(text: str) -> str | None:
        entry = code_list.lookup(text)
        return entry.code if entry is not None else None

    frame = cells.with_columns(normalised_text_expr(pl.col("text")).alias("written"))
    frame = frame.with_columns(map_distinct(frame, "written", code_of).alias("code_value"))
    unknown = msg("values.detail.code_unknown", code_list=code_list.name)
    checks = [Check("code-unknown", pl.col("code_value").is_null(), unknown, Keep.NOTHING)]
    return decide(frame, clean=pl.col("written"), value=pl.col("code_value"), checks=checks)


def normalise_flags(cells: pl.LazyFrame, rules: ColumnRules) -> pl.DataFrame:
    """value "1" (yes) or "0" (no); texts not built in are looked up in the code list, if any."""
    frame = cells.with_columns(normalised_text_expr(pl.col("text")).alias("written"))
    flag = (
        pl.col("written")
        .str.to_uppercase()
        .replace_strict(_FLAG_VALUES, default=None, return_dtype=pl.String)
    )
    if rules.code_list is not None:
        code_list = rules.code_list

        def code_of(text: str) -> str | None:
            entry = code_list.lookup(text)
            return entry.code if entry is not None else None

        flag = flag.fill_null(map_distinct(frame, "written", code_of))
    frame = frame.with_columns(flag.alias("flag"))
    checks = [
        Check(
            "code-unknown",
            pl.col("flag").is_null(),
            msg("values.detail.flag_unknown"),
            Keep.NOTHING,
        )
    ]
    return decide(frame, clean=pl.col("written"), value=pl.col("flag"), checks=checks)


def flag_value(text: str) -> str | None:
    """ "1", "0" or None for one flag text (what normalise_flags does for a column)."""
    return _FLAG_VALUES.get(normalise_text(text).upper())

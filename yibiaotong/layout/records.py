"""What the layout stage hands on: where a sheet's form is, or why a sheet was skipped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HeaderColumn:
    """One column of a form's header block."""

    index: int  # 0-based sheet column
    letter: str  # "C"
    header: str  # leaf cell text as written (line breaks kept)
    path: tuple[str, ...]  # group texts down to the leaf, each stripped: (家庭成员情况, 姓名)
    match_text: str  # leaf text for matching: NFKC, no whitespace, markers, unit or numbering
    required: bool  # the header carried a * (or ※) marker
    unit: str | None  # "元", "㎡", "亩" … when the header carried one in brackets


@dataclass(frozen=True, slots=True)
class FormLayout:
    """Where the form is on one sheet. Rows are 1-based sheet rows."""

    sheet: str
    sheet_index: int
    title: str | None  # the title line(s) above the header, joined by a space
    meta: Mapping[str, str]  # 填报单位, 填报日期, 填表人 … from above the header and the footers
    header_rows: tuple[int, int]  # first and last row of the header block
    columns: tuple[HeaderColumn, ...]  # non-empty header columns, left to right
    data_rows: tuple[int, ...]  # rows holding data (blank, total and footer rows excluded)
    total_rows: tuple[int, ...]  # 合计/小计/总计 rows
    footer_rows: tuple[int, ...]  # 填表人/审核人/盖章 lines and notes below the data
    template: bool  # header only, no data rows
    confidence: float  # 0..1, how sure the header block is right


@dataclass(frozen=True, slots=True)
class SkippedSheet:
    """A sheet that holds no form to read, and what the user can do about it."""

    sheet: str
    sheet_index: int
    reason: str  # "hidden" | "instructions" | "empty" | "undecided"
    message: str  # Chinese, says what to do next

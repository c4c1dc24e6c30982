"""Sort the rows below a header into data, total and footer rows; read title and meta lines."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from yibiaotong.layout.cells import Kind, cell_kind, cell_text, compact, filled_cells, is_blank
from yibiaotong.layout.meta import meta_entries, parse_labels
from yibiaotong.model import CellValue, SheetGrid

_TOTAL_START = re.compile(r"^(?:合计|小计|总计|共计|累计)")
_TOTAL_END = re.compile(r"(?:合计|小计|总计)[:：]?$")
_SHORT_TOTAL = 16  # "幸福街道办事处小计" ends a label; a longer text is no total label
# Compared against the compact (NFKC, no whitespace) text of a row's first filled cell.
FOOTER_PREFIXES = tuple(
    compact(prefix)
    for prefix in (
        "填表人", "填报人", "制表人", "审核人", "审批人", "复核人", "负责人", "单位负责人",
        "主要负责人", "分管领导", "主管领导", "联系电话", "联系人", "经办人", "统计人", "核对人",
        "单位（盖章）", "（盖章）", "盖章", "签字", "签名", "注：", "说明：", "备注：", "附注",
        "填表说明", "填报说明", "日期：", "报送日期", "填报日期", "填表日期", "制表日期",
        "填报单位：", "填报：", "制表：", "审核：", "审批：",
    )
)  # fmt: skip
_SEAL_WORDS = ("盖章", "公章", "签字", "签章", "签名")
LABEL_COLON = re.compile(r"[^\s：:]*[\u4e00-\u9fff][^\s：:]*\s*[：:]")
_DATE_LINE = re.compile(r"^\d{0,4}年\d{0,2}月\d{0,2}日$")
_PREFIX_SPAN = 30  # enough characters of a cell to see a footer label, spaces included
_NOTE_LENGTH = 15
_INSTRUCTION_LINES = 3
_NOTE_MERGE_WIDTH = 3


def has_label(value: CellValue) -> bool:
    """Whether a cell holds a "label：" field (fast check first: most cells have no colon)."""
    return (
        isinstance(value, str)
        and ("：" in value or ":" in value)
        and LABEL_COLON.search(value) is not None
    )


def is_total_row(filled: Sequence[tuple[int, CellValue]]) -> bool:
    """The first filled cells say 合计/小计/总计 (also "全镇合计", "合 计：…")."""
    for _, value in filled[:2]:
        if isinstance(value, str) and "计" in value:
            text = compact(value)
            if _TOTAL_START.match(text) or (len(text) <= _SHORT_TOTAL and _TOTAL_END.search(text)):
                return True
    return False


def is_footer_row(filled: Sequence[tuple[int, CellValue]]) -> bool:
    """A 填表人/审核人/盖章/注： line: a footer label first, or several label-colon fields."""
    first = filled[0][1] if filled else None
    if isinstance(first, str) and compact(first[:_PREFIX_SPAN]).startswith(FOOTER_PREFIXES):
        return True
    if len(filled) > 4:
        return False
    strings = [value for _, value in filled if isinstance(value, str)]
    if sum(len(LABEL_COLON.findall(text)) for text in strings if has_label(text)) >= 2:
        return True
    return len(filled) <= 3 and any(word in text for text in strings for word in _SEAL_WORDS)


def _is_note_row(filled: Sequence[tuple[int, CellValue]], merge_width: int) -> bool:
    """One long text (or a wide merged cell, or a 年 月 日 line): a note when it ends the sheet."""
    if len(filled) != 1 or not isinstance(filled[0][1], str):
        return False
    text = compact(filled[0][1])
    return (
        len(text) >= _NOTE_LENGTH
        or merge_width >= _NOTE_MERGE_WIDTH
        or bool(_DATE_LINE.match(text))
    )


@dataclass(frozen=True, slots=True)
class Body:
    data_rows: tuple[int, ...]  # 1-based
    total_rows: tuple[int, ...]
    footer_rows: tuple[int, ...]
    meta: dict[str, str] = field(default_factory=dict)


def split_body(sheet: SheetGrid, first_row: int, ignored_columns: frozenset[int]) -> Body:
    """Classify rows from ``first_row`` (0-based) down in one pass.

    A row holding only numbers in ``ignored_columns`` (a pre-numbered 序号 column) is blank.
    After the first footer row everything is footer; single long-text rows are notes (footers)
    only when nothing but footers follows them.
    """
    merge_widths = {
        (merged.first_row, merged.first_column): merged.last_column - merged.first_column + 1
        for merged in sheet.merged
        if merged.first_row >= first_row
    }
    labels: list[tuple[int, str]] = []
    in_footer = False
    for index in range(first_row, sheet.height):
        filled = filled_cells(sheet.rows[index])
        if not filled or all(
            column in ignored_columns and cell_kind(value) is Kind.NUMBER
            for column, value in filled
        ):
            continue
        if in_footer or is_footer_row(filled):
            in_footer = True
            labels.append((index, "footer"))
        elif is_total_row(filled):
            labels.append((index, "total"))
        elif _is_note_row(filled, merge_widths.get((index, filled[0][0]), 1)):
            labels.append((index, "note"))
        else:
            labels.append((index, "data"))
    return _resolve_notes(sheet, labels)


def _resolve_notes(sheet: SheetGrid, labels: list[tuple[int, str]]) -> Body:
    last_body = max(
        (position for position, (_, label) in enumerate(labels) if label in ("data", "total")),
        default=-1,
    )
    data: list[int] = []
    totals: list[int] = []
    footers: list[int] = []
    for position, (index, label) in enumerate(labels):
        kind = label if label != "note" else ("footer" if position > last_body else "data")
        {"data": data, "total": totals, "footer": footers}[kind].append(index + 1)
    meta: dict[str, str] = {}
    for row in footers:
        _, pairs = parse_labels(row_text(sheet.rows[row - 1]))
        for key, value in meta_entries(pairs).items():
            if not meta.get(key):
                meta[key] = value
    return Body(tuple(data), tuple(totals), tuple(footers), meta)


def row_text(row: Sequence[CellValue]) -> str:
    """A row's filled cells joined by two spaces, so split label and value cells read as one."""
    return "  ".join(cell_text(value) for value in row if not is_blank(value))


def read_top(sheet: SheetGrid, header_top: int) -> tuple[str | None, dict[str, str]]:
    """Title and meta from the rows above the header block."""
    title_lines: list[str] = []
    meta: dict[str, str] = {}
    for index in range(header_top):
        text = row_text(sheet.rows[index])
        if not text:
            continue
        if text.count("\n") >= _INSTRUCTION_LINES:
            title_lines.append(text.strip().splitlines()[0].strip())  # a title over instructions
            continue
        leading, pairs = parse_labels(text)
        if not pairs:
            title_lines.append(leading)
            continue
        if leading and not title_lines:
            title_lines.append(leading)
        for key, value in meta_entries(pairs).items():
            if not meta.get(key):
                meta[key] = value
    return (" ".join(title_lines) or None), meta

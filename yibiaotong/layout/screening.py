"""Sheets that hold no form: empty ones, and instructions (填表说明, 字典, one column of prose)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from yibiaotong.layout.cells import compact, filled_cells
from yibiaotong.model import CellValue, SheetGrid

INSTRUCTION_NAMES = (
    "说明", "字典", "代码表", "码表", "注意事项", "填写要求", "填报要求", "指标解释", "使用方法",
)  # fmt: skip
SCAN_ROWS = 200
ONE_COLUMN_SHARE = 0.8  # this share of filled cells in one column: a column of text, not a table
PROSE_LENGTH = 12  # mean length of that column's texts
LONG_TEXT = 20  # and at least one text this long
SENTENCE_CHINESE = 10  # a sentence (not a long code) has this many Chinese characters
PROSE_SHARE = 0.4  # this share of all filled cells being sentences also means instructions
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def screen_sheet(sheet: SheetGrid) -> str | None:
    """ "empty" or "instructions" when a sheet holds no form, else None."""
    filled = [cell for row in sheet.rows[:SCAN_ROWS] for cell in filled_cells(row)]
    if not filled and not any(filled_cells(row) for row in sheet.rows):
        return "empty"
    if any(word in compact(sheet.name) for word in INSTRUCTION_NAMES):
        return "instructions"
    return "instructions" if _mostly_prose(filled) else None


def _is_sentence(value: CellValue) -> bool:
    return (
        isinstance(value, str)
        and len(value) >= LONG_TEXT
        and len(compact(value)) >= LONG_TEXT
        and len(_CHINESE.findall(value)) >= SENTENCE_CHINESE
    )


def _mostly_prose(filled: Sequence[tuple[int, CellValue]]) -> bool:
    if not filled:
        return False
    if sum(_is_sentence(value) for _, value in filled) >= PROSE_SHARE * len(filled):
        return True
    column, count = Counter(column for column, _ in filled).most_common(1)[0]
    if count < ONE_COLUMN_SHARE * len(filled):
        return False
    texts = [compact(value) for spot, value in filled if spot == column and isinstance(value, str)]
    if not texts:
        return False
    return sum(map(len, texts)) / len(texts) >= PROSE_LENGTH and max(map(len, texts)) >= LONG_TEXT

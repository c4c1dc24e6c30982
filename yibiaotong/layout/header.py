"""Find a sheet's header block and flatten it to column paths.

Every row near the top that holds header-like text seeds a candidate block; the block grows to
take in the merged cells that cross it, sub-header rows under its group cells and an unmerged
group row above it. Each distinct block is scored (short texts, header words, width covered, data
below) and the best one wins; the margin over the best block elsewhere sets the confidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from yibiaotong.layout.body import has_label, is_footer_row, is_total_row
from yibiaotong.layout.cells import (
    Kind,
    cell_kind,
    cell_text,
    has_header_word,
    header_key,
    is_blank,
    is_header_text,
)
from yibiaotong.layout.records import HeaderColumn
from yibiaotong.model import CellValue, MergedRange, SheetGrid, column_letter

SCAN_ROWS = 60  # header detection reads only the top of a sheet
MAX_HEADER_ROWS = 6
MAX_HEADER_MERGE_ROWS = 5  # a taller vertical merge groups data rows, not header rows
BELOW_ROWS = 5  # rows under a block that show whether data follows
TIE = 0.03  # scores this close count as equal; the earlier block wins
TITLE_SHARE = 0.9  # one cell spanning this share of the width is a title, not a group header
LONE_GROUP_SHARE = 0.7  # the same for a row holding a single cell
START_TEXT_SHARE = 0.5  # a row that is mostly numbers and dates starts no header
CONFIDENCE_MARGIN = 0.3  # a lead this large over the runner-up is full certainty

COLUMN_CODE_LETTERS = frozenset("甲乙丙丁戊己庚辛壬癸")
CODE_ROW_SHARE = 0.6  # a 栏次 row numbers most of the header's columns

Block = tuple[int, int]  # 0-based first and last header row


@dataclass(frozen=True, slots=True)
class HeaderChoice:
    block: Block | None
    columns: tuple[HeaderColumn, ...]
    confidence: float


class HeaderWindow:
    """The top rows of a sheet with a merge lookup: everything header detection reads."""

    def __init__(self, sheet: SheetGrid, limit: int = SCAN_ROWS) -> None:
        self.rows = sheet.rows[:limit]
        self.height = len(self.rows)
        self.width = sheet.width
        self.merge_at: dict[tuple[int, int], MergedRange] = {}
        for merged in sheet.merged:
            if merged.first_row >= self.height or merged.first_column >= self.width:
                continue
            for row in range(merged.first_row, min(merged.last_row, self.height - 1) + 1):
                for column in range(
                    merged.first_column, min(merged.last_column, self.width - 1) + 1
                ):
                    self.merge_at[row, column] = merged
        self._anchors = [self._row_anchors(row) for row in range(self.height)]
        # Columns holding anything from a row down to the end of the window, for each row.
        self._used_from: list[frozenset[int]] = [frozenset()] * (self.height + 1)
        for row in range(self.height - 1, -1, -1):
            columns = {column for column, _ in self._anchors[row]}
            self._used_from[row] = self._used_from[row + 1] | columns

    # --- cells ------------------------------------------------------------------------------

    def _row_anchors(self, row: int) -> list[tuple[int, CellValue]]:
        """Filled cells of a row, leaving out cells hidden under another cell's merge."""
        anchors = []
        for column, value in enumerate(self.rows[row]):
            if is_blank(value):
                continue
            merged = self.merge_at.get((row, column))
            if merged is None or (merged.first_row, merged.first_column) == (row, column):
                anchors.append((column, value))
        return anchors

    def anchors(self, row: int) -> list[tuple[int, CellValue]]:
        return self._anchors[row]

    def shown(self, row: int, column: int) -> CellValue:
        """The value a reader sees at a cell: a merged cell shows its first cell's value."""
        merged = self.merge_at.get((row, column))
        if merged is not None:
            return self.rows[merged.first_row][merged.first_column]
        return self.rows[row][column]

    def _filled(self, row: int, column: int) -> bool:
        return not is_blank(self.shown(row, column))

    # --- growing a block --------------------------------------------------------------------

    def grow(self, start: int) -> Block | None:
        top = bottom = start
        for _ in range(4 * MAX_HEADER_ROWS):
            if bottom - top + 1 > MAX_HEADER_ROWS:
                return None
            closed = self._merge_closure(top, bottom)
            if closed != (top, bottom):
                top, bottom = closed
            elif bottom + 1 < self.height and self._is_subheader(bottom + 1, top, bottom):
                bottom += 1
            elif top > 0 and self._is_group_row(top - 1, top):
                top -= 1
            else:
                break
        return (top, bottom) if bottom - top + 1 <= MAX_HEADER_ROWS else None

    def _merge_closure(self, top: int, bottom: int) -> Block:
        """Take in every header-sized merged cell that crosses the block's top or bottom edge."""
        new_top, new_bottom = top, bottom
        for row in range(top, bottom + 1):
            for column in range(self.width):
                merged = self.merge_at.get((row, column))
                if merged is None or merged.last_row == merged.first_row:
                    continue
                if merged.last_row - merged.first_row + 1 > MAX_HEADER_MERGE_ROWS:
                    continue
                new_top = min(new_top, merged.first_row)
                new_bottom = max(new_bottom, min(merged.last_row, self.height - 1))
        return new_top, new_bottom

    def _is_subheader(self, row: int, top: int, bottom: int) -> bool:
        """Whether a row below the block splits its group cells into leaves."""
        anchors = self.anchors(row)
        if not anchors or not all(is_header_text(value) for _, value in anchors):
            return False  # (a 合计 leaf under a group is fine: only geometry decides)
        spread = self._unmerged_groups(top, row)
        return all(self._awaits_leaves(column, top, row, spread) for column, _ in anchors)

    def _awaits_leaves(
        self, column: int, top: int, below: int, spread: dict[tuple[int, int], CellValue]
    ) -> bool:
        """Whether the lowest header cell of a column is a group (so a row below can split it).

        A wide merged cell or a group written once over blank cells is; a leaf (a plain cell or
        a vertical merge) is not. A column blank in the whole block waits for its name.
        """
        for row in range(below - 1, top - 1, -1):
            merged = self.merge_at.get((row, column))
            if merged is not None and self._filled(row, column):
                return merged.last_column > merged.first_column
            if (row, column) in spread:
                return True
            if not is_blank(self.rows[row][column]):
                return (row, column + 1) in spread or self._opens_group(row, column, below)
        return True

    def _opens_group(self, row: int, column: int, below: int) -> bool:
        """A cell written once over blank cells to its right, with a new row starting under it."""
        right = column + 1
        return (
            right < self.width
            and (row, right) not in self.merge_at
            and is_blank(self.rows[row][right])
            and not (is_blank(self.rows[below][column]) and is_blank(self.rows[below][right]))
        )

    def _is_group_row(self, row: int, top: int) -> bool:
        """A row above the block whose every cell heads two or more of the block's columns."""
        anchors = self.anchors(row)
        if not anchors or not all(is_header_text(value) for _, value in anchors):
            return False
        below = [column for column in range(self.width) if self._filled(top, column)]
        if len(below) < 2:
            return False
        if len(anchors) == 1 and (self._first_filled_row() == row):
            return False  # a lone cell on the sheet's first line is its title
        share = TITLE_SHARE if len(anchors) > 1 else LONE_GROUP_SHARE
        for position, (column, _) in enumerate(anchors):
            merged = self.merge_at.get((row, column))
            if merged is not None and merged.last_column > merged.first_column:
                span = range(merged.first_column, merged.last_column + 1)
            else:
                following = anchors[position + 1][0] if position + 1 < len(anchors) else self.width
                end = column + 1
                while end < following and self._filled(top, end) and not self._filled(row, end):
                    end += 1
                span = range(column, end)
            headed = [spanned for spanned in span if self._filled(top, spanned)]
            if len(headed) < 2 or len(headed) >= share * len(below):
                return False
        return True

    # --- flattening a block -----------------------------------------------------------------

    def columns(self, top: int, bottom: int) -> tuple[HeaderColumn, ...]:
        spread = self._unmerged_groups(top, bottom)
        columns = []
        for column in self._named_columns(top, bottom, spread):
            path: list[str] = []
            leaf: CellValue = None
            seen: set[MergedRange] = set()
            for row in range(top, bottom + 1):
                merged = self.merge_at.get((row, column))
                if merged is not None:
                    if merged in seen:
                        continue  # a vertically merged cell is one level, not its own parent
                    seen.add(merged)
                value = self.shown(row, column)
                if is_blank(value):
                    value = spread.get((row, column))
                if is_blank(value):
                    continue
                text = cell_text(value)
                if not path or path[-1] != text:
                    path.append(text)
                leaf = value
            if path:
                header = leaf if isinstance(leaf, str) else cell_text(leaf)
                match_text, required, unit = header_key(header)
                columns.append(
                    HeaderColumn(
                        column,
                        column_letter(column),
                        header,
                        tuple(path),
                        match_text,
                        required,
                        unit,
                    )
                )
        return tuple(columns)

    def _named_columns(
        self, top: int, bottom: int, spread: dict[tuple[int, int], CellValue]
    ) -> list[int]:
        """Columns with some header text in the block: written, merged over or spread to."""
        named = {column for _, column in spread}
        for row in range(top, bottom + 1):
            for column, _ in self.anchors(row):
                merged = self.merge_at.get((row, column))
                last = merged.last_column if merged is not None else column
                named.update(range(column, min(last, self.width - 1) + 1))
            for column in range(self.width):
                merged = self.merge_at.get((row, column))
                if merged is not None and merged.first_row < top:
                    named.add(column)  # a merged cell reaching in from above the block
        return sorted(named)

    def _unmerged_groups(self, top: int, bottom: int) -> dict[tuple[int, int], CellValue]:
        """Group texts written once above several leaves without a merge, spread to the right."""
        spread: dict[tuple[int, int], CellValue] = {}
        for row in range(top, bottom):
            for column, value in self.anchors(row):
                if (row, column) in self.merge_at or not self._has_leaf_below(row, column, bottom):
                    continue
                right = column + 1
                while (
                    right < self.width
                    and (row, right) not in self.merge_at
                    and is_blank(self.rows[row][right])
                    and self._has_leaf_below(row, right, bottom)
                ):
                    spread[row, right] = value
                    right += 1
        return spread

    def _has_leaf_below(self, row: int, column: int, bottom: int) -> bool:
        own = self.merge_at.get((row, column))
        return any(
            self._filled(lower, column)
            and (own is None or self.merge_at.get((lower, column)) is not own)
            for lower in range(row + 1, bottom + 1)
        )

    # --- scoring ----------------------------------------------------------------------------

    def score(self, top: int, bottom: int, columns: tuple[HeaderColumn, ...]) -> float:
        count = len(columns)
        if count < 2:
            return 0.0
        cells = [value for row in range(top, bottom + 1) for _, value in self.anchors(row)]
        text_share = sum(is_header_text(value) for value in cells) / len(cells)
        used = self._used_from[top]
        coverage = len({column.index for column in columns} & used) / max(len(used), 1)
        words = sum(has_header_word(column.match_text) for column in columns) / count
        distinct = len({column.match_text for column in columns}) / count
        score = (
            0.30
            + 0.20 * coverage
            + 0.20 * min(1.0, 2 * words)
            + 0.15 * self._below_score(bottom)
            + 0.05 * distinct
            + 0.10 * self._above_score(top)
        )
        return score * text_share**2 * min(1.0, 0.6 + 0.1 * count)

    def _above_score(self, top: int) -> float:
        """A header follows a title, meta line or blank rows (1), not a row of many cells (0.3)."""
        for row in range(top - 1, -1, -1):
            anchors = self.anchors(row)
            if not anchors:
                continue
            if len(anchors) == 1 or any(has_label(value) for _, value in anchors):
                return 1.0
            return 0.3
        return 1.0

    def _below_score(self, bottom: int) -> float:
        """How much the rows under a block look like data (1) rather than more headers (0.2)."""
        likeness: list[float] = []
        for row in range(bottom + 1, self.height):
            anchors = self.anchors(row)
            if not anchors or is_total_row(anchors) or is_footer_row(anchors):
                continue
            if any(cell_kind(value) is not Kind.TEXT for _, value in anchors):
                likeness.append(1.0)
            else:
                worded = sum(
                    is_header_text(value) and has_header_word(cell_text(value))
                    for _, value in anchors
                )
                likeness.append(0.7 - 0.5 * worded / len(anchors))
            if len(likeness) == BELOW_ROWS:
                break
        return sum(likeness) / len(likeness) if likeness else 0.7

    # --- choosing ---------------------------------------------------------------------------

    def is_column_code_row(self, row: int, columns: tuple[HeaderColumn, ...]) -> bool:
        """A 栏次 row under a header: 甲 乙 1 2 3 … numbering the columns, not data."""
        if row >= self.height:
            return False
        anchors = self.anchors(row)
        header_columns = {column.index for column in columns}
        if len(anchors) < max(3, CODE_ROW_SHARE * len(columns)) or any(
            column not in header_columns for column, _ in anchors
        ):
            return False
        numbers: list[int] = []
        for _, value in anchors:
            text = cell_text(value)
            if text in COLUMN_CODE_LETTERS and not numbers:
                continue
            if not text.isdigit():
                return False
            numbers.append(int(text))
        return numbers == list(range(numbers[0], numbers[0] + len(numbers))) if numbers else True

    def _first_filled_row(self) -> int:
        return next((row for row in range(self.height) if self.anchors(row)), 0)

    def first_form_row(self) -> int:
        """Where a header starts when nothing better is known: the first row of several cells."""
        for row in range(self.height):
            if len(self.anchors(row)) >= 2:
                return row
        return self._first_filled_row()


def find_header(sheet: SheetGrid, header_rows: int | None = None) -> HeaderChoice:
    """The best header block of a sheet, its columns and how sure the choice is."""
    window = HeaderWindow(sheet)
    candidates: dict[Block, tuple[float, tuple[HeaderColumn, ...]]] = {}
    for start in range(window.height):
        anchors = window.anchors(start)
        texts = sum(is_header_text(value) for _, value in anchors)
        if len(anchors) < 2 or texts < START_TEXT_SHARE * len(anchors):
            continue  # a single cell is a title or a note (a group row joins from below)
        block: Block | None
        if header_rows is None:
            block = window.grow(start)
        else:
            block = (start, min(start + header_rows, window.height) - 1)
        if block is None or block in candidates:
            continue
        columns = window.columns(*block)
        candidates[block] = (window.score(*block, columns), columns)
    if not candidates:
        if header_rows is None:
            return HeaderChoice(None, (), 0.0)
        start = window.first_form_row()
        block = (start, min(start + header_rows, max(window.height, 1)) - 1)
        return HeaderChoice(block, window.columns(*block), 0.0)
    choice = _choose(candidates)
    if header_rows is None and choice.block is not None:
        top, bottom = choice.block
        if window.is_column_code_row(bottom + 1, choice.columns):
            return HeaderChoice((top, bottom + 1), choice.columns, choice.confidence)
    return choice


def _choose(candidates: dict[Block, tuple[float, tuple[HeaderColumn, ...]]]) -> HeaderChoice:
    top_score = max(score for score, _ in candidates.values())
    best = min(block for block, (score, _) in candidates.items() if score >= top_score - TIE)
    best_score, columns = candidates[best]
    rivals = [
        score
        for block, (score, _) in candidates.items()
        if block[1] < best[0] or block[0] > best[1]
    ]
    margin = best_score - max(rivals, default=0.0)
    confidence = 0.5 * best_score + 0.5 * min(1.0, max(margin, 0.0) / CONFIDENCE_MARGIN)
    return HeaderChoice(best, columns, round(min(1.0, confidence), 3))

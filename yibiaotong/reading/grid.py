"""Shaping a list of value rows into a SheetGrid's rows: equal width, no trailing empty edges."""

from __future__ import annotations

from yibiaotong.model import CellValue


def trim_grid(rows: list[list[CellValue]]) -> list[list[CellValue]]:
    """Drop trailing rows and columns that hold only None; pad the rest to one width.

    Works in place on ``rows`` (the lists are the caller's fresh copies) and returns it.
    """
    while rows and all(value is None for value in rows[-1]):
        rows.pop()
    width = 0
    for row in rows:
        for column in range(len(row) - 1, width - 1, -1):
            if row[column] is not None:
                width = column + 1
                break
    for row in rows:
        if len(row) > width:
            del row[width:]
        elif len(row) < width:
            row.extend([None] * (width - len(row)))
    return rows

"""Excel-style cell names for 0-based sheet coordinates."""

from __future__ import annotations


def column_letter(index: int) -> str:
    """Excel column letter for a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell_name(row: int, column: int) -> str:
    """'C7' for 0-based row 6, column 2."""
    return f"{column_letter(column)}{row + 1}"

"""Cell extents of each sheet of an .xls (BIFF5/BIFF8) workbook stream, found before calamine runs.

calamine allocates a dense grid from A1's corner to the farthest cell it meets; in BIFF a cell
record may name any column up to 65535, so one hostile record could ask for gigabytes. Walking
the records first (the way calamine does: from each sheet's recorded offset to its EOF) tells us
the grid size we would get.
"""

from __future__ import annotations

import struct

_BOF_TYPES = frozenset({0x0809, 0x0409, 0x0209, 0x0009})
_EOF = 0x000A
_BOUNDSHEET = 0x0085
_BIFF8 = 0x0600
_FILEPASS = 0x002F
# Records whose body starts with (row, column): FORMULA, LABELSST, NUMBER, RK, BLANK,
# BOOLERR, LABEL, RSTRING and the BIFF2-4 variants of formula and number cells.
_CELL_TYPES = frozenset(
    {0x0006, 0x0206, 0x0406, 0x00FD, 0x0203, 0x027E, 0x0201, 0x0205, 0x0204, 0x00D6}
)
_MULTI_CELL_TYPES = frozenset({0x00BD, 0x00BE})  # MULRK, MULBLANK: first and last column
_HEADER = struct.Struct("<HH")


def sheet_extents(stream: bytes) -> list[tuple[str, int, int]]:
    """For every sheet in workbook order: name, and (rows, columns) of the grid from A1 to its
    last cell."""
    return [(name, *_substream_extent(stream, offset)) for name, offset in _sheet_offsets(stream)]


def is_encrypted(stream: bytes) -> bool:
    """Whether the workbook globals hold a FILEPASS record (a password to open)."""
    position = 0
    end = len(stream)
    while position + 4 <= end:
        record_type, size = _HEADER.unpack_from(stream, position)
        if record_type == _FILEPASS:
            return True
        if record_type == _EOF:
            return False
        position += 4 + size
    return False


def _sheet_offsets(stream: bytes) -> list[tuple[str, int]]:
    sheets: list[tuple[str, int]] = []
    position = 0
    end = len(stream)
    biff8 = len(stream) >= 6 and struct.unpack_from("<H", stream, 4)[0] == _BIFF8
    while position + 4 <= end:
        record_type, size = _HEADER.unpack_from(stream, position)
        body = stream[position + 4 : position + 4 + size]
        if record_type == _BOUNDSHEET and len(body) >= 4:
            sheets.append((_sheet_name(body[6:], biff8), struct.unpack_from("<I", body)[0]))
        elif record_type == _EOF:
            break
        position += 4 + size
    return sheets


def _sheet_name(field: bytes, biff8: bool) -> str:
    """A BOUNDSHEET name: BIFF8 ShortXLUnicodeString, or BIFF5 bytes (GBK on Chinese systems)."""
    if not field:
        return ""
    length = field[0]
    if biff8 and len(field) >= 2:
        wide = field[1] & 1
        raw = field[2 : 2 + length * (2 if wide else 1)]
        return raw.decode("utf-16-le" if wide else "latin-1", "replace")
    return field[1 : 1 + length].decode("gb18030", "replace")


def _substream_extent(stream: bytes, offset: int) -> tuple[int, int]:
    max_row = max_column = -1
    depth = 0
    position = offset
    end = len(stream)
    unpack = _HEADER.unpack_from
    while position + 4 <= end:
        record_type, size = unpack(stream, position)
        body = position + 4
        position = body + size
        if position > end:
            break
        if record_type in _CELL_TYPES and size >= 4:
            row, column = unpack(stream, body)
        elif record_type in _MULTI_CELL_TYPES and size >= 6:
            row = unpack(stream, body)[0]
            column = struct.unpack_from("<H", stream, position - 2)[0]
        elif record_type in _BOF_TYPES:
            depth += 1
            continue
        elif record_type == _EOF:
            depth -= 1
            if depth <= 0:
                break
            continue
        else:
            continue
        max_row = max(max_row, row)
        max_column = max(max_column, column)
    return max_row + 1, max_column + 1

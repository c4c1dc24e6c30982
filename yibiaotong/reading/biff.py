"""Cell extents of each sheet of an .xls (BIFF5/BIFF8) workbook stream, found before calamine runs.

calamine allocates a dense grid from A1's corner to the farthest cell it meets, and reserves
room for as many cells as a sheet's DIMENSIONS record claims; in BIFF a cell record may name any
column up to 65535 and DIMENSIONS any row up to 2**32, so one hostile record could ask for
gigabytes. Walking the records first (the way calamine does: from each sheet's recorded offset
to its EOF) tells us the grid size we would get.
"""

from __future__ import annotations

import functools
import re
import struct

_BOF_TYPES = frozenset({0x0809, 0x0409, 0x0209, 0x0009})
_EOF = 0x000A
_BOUNDSHEET = 0x0085
_BIFF8 = 0x0600
_FILEPASS = 0x002F
_DIMENSIONS = 0x0200
_ROW = 0x0208
_BLANK = 0x0201
_MULRK = 0x00BD
# Records whose body starts with the row and column of a cell calamine keeps: FORMULA,
# NUMBER, LABEL, BOOLERR, RK, LABELSST; and, to be safe, RSTRING and the BIFF3/4 formulas.
# calamine ignores BLANK and MULBLANK (formatting without a value), and so do we.
_CELL_TYPES = frozenset({0x0006, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6, 0x0206, 0x0406})
# Cell records of one fixed size (type, size): NUMBER, RK, LABELSST, BOOLERR.
_FIXED_CELLS = ((0x0203, 14), (0x027E, 10), (0x00FD, 10), (0x0205, 8))
_MAX_RUN_CELLS = 64  # longest MULRK the run pattern takes (compile time grows with it)
# Below this many bytes a sheet is walked record by record: compiling the run pattern would
# cost more than it saves.
_RUN_MIN_BYTES = 256 * 1024
_HEADER = struct.Struct("<HH")
_CELL_HEADER = struct.Struct("<HHHH")  # type, size, row, column


class BiffError(Exception):
    """A sheet's DIMENSIONS record is inconsistent (first row or column after the last)."""


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


def _substream_extent(stream: bytes, offset: int) -> tuple[int, int]:  # noqa: PLR0912
    """Walk one sheet's records from its BOF to its EOF, the way calamine does.

    In a big sheet, runs of cell records that lie inside the sheet's DIMENSIONS are skipped by
    one regular-expression match (in C); every other record is looked at here. So a sheet
    whose DIMENSIONS tells the truth costs little, and one that lies is measured exactly.
    One flat loop on purpose: it is the hot path of .xls reading.
    """
    padded = stream + bytes(8)  # an 8-byte unpack never runs off the end
    end = len(stream) - 4
    unpack = _CELL_HEADER.unpack_from
    max_row = max_column = -1
    inside: tuple[int, int] | None = None  # the DIMENSIONS bounds, once skipping starts
    run: re.Pattern[bytes] | None = None
    depth = 0
    position = offset
    while position <= end:
        if run is not None:
            skipped = run.match(padded, position)
            if skipped is not None and skipped.end() > position:
                position = skipped.end()
                continue
        record_type, size, row, column = unpack(padded, position)
        body = position + 4
        position = body + size
        if position > len(stream):
            break
        if record_type in _CELL_TYPES and size >= 4:
            pass
        elif record_type == _MULRK and size >= 6:
            # calamine places (size - 6) / 6 cells from the first column on.
            last = padded[position - 2] | padded[position - 1] << 8
            column = max(last, column + (size - 6) // 6 - 1)
        elif record_type == _DIMENSIONS:
            claimed = _claimed(padded[body:position])
            max_row, max_column = max(max_row, claimed[0] - 1), max(max_column, claimed[1] - 1)
            if depth == 1 and run is None and end - position > _RUN_MIN_BYTES:
                inside, run = _run_inside(claimed)
            continue
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
        # Plain comparisons: max() calls cost a third of this loop's time.
        if row > max_row:  # noqa: PLR1730
            max_row = row
        if column > max_column:  # noqa: PLR1730
            max_column = column
    if inside is not None:
        max_row, max_column = max(max_row, inside[0]), max(max_column, inside[1])
    return max_row + 1, max_column + 1


def _claimed(dimensions: bytes) -> tuple[int, int]:
    """(rows, columns) a DIMENSIONS record makes calamine reserve room for, from A1.

    calamine computes last - first + 1 in unsigned 32-bit arithmetic: a first row or column
    after the last wraps round to billions, so such a record is refused outright.
    """
    if len(dimensions) == 14:  # BIFF8: 32-bit rows
        first_row, row_limit, first_column, column_limit = struct.unpack_from("<IIHH", dimensions)
    elif len(dimensions) == 10:
        first_row, row_limit, first_column, column_limit = struct.unpack_from("<HHHH", dimensions)
    else:
        return 0, 0  # calamine refuses the file itself
    if row_limit < 1 or column_limit < 1:
        return 0, 0  # calamine reserves a single cell
    if first_row > row_limit or first_column > column_limit:
        raise BiffError("dimensions")
    return row_limit, column_limit


def _run_inside(
    claimed: tuple[int, int],
) -> tuple[tuple[int, int] | None, re.Pattern[bytes] | None]:
    """The last row and column a DIMENSIONS record claims, and the run pattern for them."""
    last_row, last_column = claimed[0] - 1, claimed[1] - 1
    if not (0 <= last_row <= 0xFFFF and 0 <= last_column <= 0xFFFF):
        return None, None
    return (last_row, last_column), _run_pattern(last_row, last_column)


@functools.lru_cache(maxsize=32)
def _run_pattern(last_row: int, last_column: int) -> re.Pattern[bytes]:
    """One or more consecutive cell, BLANK or ROW records of exact, usual sizes, all within
    A1:(last_row, last_column). Anything else is left to the walk."""
    row, column = _at_most(last_row), _at_most(last_column)
    records = [
        re.escape(struct.pack("<HH", record_type, size)) + row + column + b".{%d}" % (size - 4)
        for record_type, size in _FIXED_CELLS
    ]
    records.append(re.escape(struct.pack("<HH", _BLANK, 6)) + b".{6}")
    records.append(re.escape(struct.pack("<HH", _ROW, 16)) + b".{16}")
    # MULRK: the size says how many cells follow the first column; one option per count,
    # each allowing only first columns that keep the last cell inside the bounds.
    options = [
        re.escape(struct.pack("<H", 6 + 6 * count))
        + row
        + _at_most(last_column - count + 1)
        + b".{%d}" % (6 * count + 2)
        for count in range(1, min(last_column + 1, _MAX_RUN_CELLS) + 1)
    ]
    records.append(re.escape(struct.pack("<H", _MULRK)) + b"(?:" + b"|".join(options) + b")")
    return re.compile(b"(?:" + b"|".join(records) + b")++", re.DOTALL)


def _at_most(limit: int) -> bytes:
    """A pattern for a little-endian 16-bit number not above ``limit``."""
    high, low = limit >> 8, limit & 0xFF
    options = [b"[\\x00-" + re.escape(bytes([low])) + b"]" + re.escape(bytes([high]))]
    if high > 0:
        options.append(b"[\\x00-\\xff][\\x00-" + re.escape(bytes([high - 1])) + b"]")
    return b"(?:" + b"|".join(options) + b")"

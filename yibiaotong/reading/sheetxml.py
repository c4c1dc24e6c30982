"""Grid size of each worksheet of an .xlsx, found by a streaming scan before calamine runs.

calamine allocates a dense grid from the first to the farthest cell it meets; two real cells at
A1 and XFD1048576 make it request 550 GB and abort the whole process (a Rust allocation
failure cannot be caught). So each worksheet part is scanned first, cheaply:

* fast path — Excel, WPS, openpyxl and xlsxwriter write every ``<c`` with ``r=`` first and a
  ``<dimension ref>``; one regular-expression pass then proves that no cell reference goes
  beyond the dimension's number of column letters and row digits (or, for big sheets, beyond
  the dimension itself);
* exact path — when the dimension is missing, too large or wrong: collect every reference;
* parser path — when cells lack ``r=`` or use namespace prefixes: count positions with expat
  the way calamine does (slow, but such files are rare).

A cell's own ``r`` decides its position in calamine (a row's ``r`` does not), and a reference
that is not letters followed by digits makes calamine fail cleanly, so only those are watched.
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from yibiaotong.reading.xmlparse import parse_stream

# Most worksheet parts fit in one chunk, which then needs no copying.
_CHUNK_BYTES = 64 * 2**20

_DIMENSION = re.compile(
    rb'<dimension\s+ref="(?:[A-Za-z]{1,3}[0-9]{1,7}:)?([A-Za-z]{1,3})([0-9]{1,7})"'
)
# A cell element not written as ``<c r="`` (r missing or not first), or a namespace-prefixed
# cell: positions must then be counted by the parser path.
_IRREGULAR = (re.compile(rb'<c(?! r=")[ >/\t\r\n]'), re.compile(rb":c[\s>/]"))
_HEAD_BYTES = 4096
_UNIQUE_COUNT = re.compile(rb'<(?:\w+:)?sst\b[^>]*?\buniqueCount="([0-9]{1,20})"')
# A cell reference of a cell that may hold a value (not self-closing).
_REFERENCE = re.compile(rb' r="([A-Za-z]+)([0-9]+)"[^>]*(?<!/)>')
# Largest column for a number of column letters: Z, ZZ, ZZZ.
_COLUMNS_BY_LETTERS = {1: 26, 2: 702, 3: 18278}
_SHEET_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*?\bType=\"[^\"]*sheet\"[^>]*?>")
_TARGET = re.compile(rb'\bTarget="([^"]+)"')
_ID = re.compile(rb'\bId="([^"]+)"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_NAME = re.compile(rb'\bname="([^"]*)"')
_RELATIONSHIP_ID = re.compile(rb'\b\w+:id="([^"]+)"')


def worksheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Every member that calamine might read as a worksheet, with its sheet name where known."""
    names = set(archive.namelist())
    parts = {
        name: posixpath.basename(name)
        for name in names
        if name.startswith("xl/worksheets/") and name.endswith(".xml")
    }
    sheet_names = _sheet_names_by_relationship(archive, names)
    for relationship in _sheet_relationships(archive, names):
        target = _TARGET.search(relationship)
        identifier = _ID.search(relationship)
        if target is None:
            continue
        part = _resolve(html.unescape(target.group(1).decode("utf-8", "replace")))
        if part in names:
            key = identifier.group(1) if identifier else b""
            parts[part] = sheet_names.get(key, parts.get(part, posixpath.basename(part)))
    return parts


def _sheet_relationships(archive: zipfile.ZipFile, names: set[str]) -> list[bytes]:
    rels = "xl/_rels/workbook.xml.rels"
    if rels not in names:
        return []
    with archive.open(rels) as stream:
        return _SHEET_RELATIONSHIP.findall(stream.read(_CHUNK_BYTES))


def _sheet_names_by_relationship(archive: zipfile.ZipFile, names: set[str]) -> dict[bytes, str]:
    if "xl/workbook.xml" not in names:
        return {}
    with archive.open("xl/workbook.xml") as stream:
        text = stream.read(_CHUNK_BYTES)
    found: dict[bytes, str] = {}
    for sheet in _SHEET.findall(text):
        name = _NAME.search(sheet)
        identifier = _RELATIONSHIP_ID.search(sheet)
        if name and identifier:
            found[identifier.group(1)] = html.unescape(name.group(1).decode("utf-8", "replace"))
    return found


def claimed_shared_strings(archive: zipfile.ZipFile) -> int:
    """The largest ``uniqueCount`` any shared-strings part claims: calamine reserves room for
    that many strings up front (4 000 000 000 of them abort the process)."""
    claims = [0]
    for part in archive.namelist():
        if part.lower().endswith("sharedstrings.xml"):
            with archive.open(part) as stream:
                found = _UNIQUE_COUNT.search(stream.read(_HEAD_BYTES))
            # calamine ignores a count that does not fit in 32 bits.
            if found is not None and int(found.group(1)) < 2**32:
                claims.append(int(found.group(1)))
    return max(claims)


def sheet_extent(archive: zipfile.ZipFile, part: str, max_cells: int) -> tuple[int, int]:
    """(rows, columns) of the grid from A1 to the farthest cell of one worksheet part.

    May over-estimate (never under-estimate) what calamine will see.
    """
    check: _Check | None = None
    exact = _Extent()
    for index, chunk in enumerate(_chunks(archive, part)):
        if any(pattern.search(chunk) for pattern in _IRREGULAR):
            return _parsed_extent(archive, part)
        if index == 0:
            check = _check_for(_dimension(chunk), max_cells)
        if check is not None:
            if _find_cell(check.beyond, chunk) is None:
                continue
            exact.add(*check.bound)
            check = None
        exact.add_references(chunk)
    if check is not None:
        return check.bound
    return exact.rows, exact.columns


def column_index(letters: str) -> int:
    """0-based column of Excel column letters (A → 0, AA → 26), case-insensitive."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


class _Extent:
    def __init__(self) -> None:
        self.rows = 0
        self.columns = 0

    def add(self, rows: int, columns: int) -> None:
        self.rows = max(self.rows, rows)
        self.columns = max(self.columns, columns)

    def add_references(self, chunk: bytes) -> None:
        references = _REFERENCE.findall(chunk)
        letters = {column for column, _ in references}
        numbers = {row for _, row in references}
        if letters:
            self.add(0, max(column_index(column.decode("ascii")) + 1 for column in letters))
        if numbers:
            self.add(max(int(row) for row in numbers), 0)


def _chunks(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The part's bytes in pieces that each end just after a ``>``, so no tag is split."""
    carry = b""
    with archive.open(part) as stream:
        while block := stream.read(_CHUNK_BYTES):
            data = carry + block
            cut = data.rfind(b">") + 1
            if cut == 0 and len(data) < 4 * _CHUNK_BYTES:
                carry = data  # inside a long text node: wait for the tag end
                continue
            cut = cut or len(data)
            carry = data[cut:]
            yield data[:cut]
    if carry:
        yield carry


def _dimension(head: bytes) -> tuple[int, int] | None:
    found = _DIMENSION.search(head)
    if found is None:
        return None
    return int(found.group(2)), column_index(found.group(1).decode("ascii")) + 1


@dataclass(frozen=True)
class _Check:
    """A pattern for cell references outside ``bound`` (rows, columns)."""

    beyond: re.Pattern[bytes]
    bound: tuple[int, int]


@functools.lru_cache(maxsize=64)
def _check_for(hint: tuple[int, int] | None, max_cells: int) -> _Check | None:
    """The cheapest check that can prove the sheet small enough, given its claimed dimension."""
    if hint is None or hint[0] * hint[1] > max_cells:
        return None
    rows, columns = hint
    digits = len(str(rows))
    letters = len(_column_letters(columns - 1))
    coarse = (10**digits - 1, _COLUMNS_BY_LETTERS[letters])
    if coarse[0] * coarse[1] <= max_cells:
        # More letters, or more digits, than the dimension has: one fast linear pattern.
        beyond = re.compile(rb' r="[A-Za-z]{1,%d}+(?:[A-Za-z]|[0-9]{%d})' % (letters, digits + 1))
        return _Check(beyond, coarse)
    beyond = re.compile(
        rb' r="(?:(?:'
        + _letters_greater(_column_letters(columns - 1)).encode()
        + rb")[0-9]|[A-Za-z]{1,3}+(?:"
        + _number_greater(str(rows)).encode()
        + rb')")'
    )
    return _Check(beyond, hint)


def _find_cell(pattern: re.Pattern[bytes], chunk: bytes) -> re.Match[bytes] | None:
    """The first match that is not a self-closing element (``<c r="XFD9" s="1"/>``).

    calamine skips such cells (formatting without a value), and Excel writes them wherever a
    user once formatted a cell, so they must not make a small sheet look huge.
    """
    position = 0
    while (found := pattern.search(chunk, position)) is not None:
        tag_end = chunk.find(b">", found.end())
        if tag_end < 0 or chunk[tag_end - 1 : tag_end] != b"/":
            return found
        position = tag_end
    return None


def _number_greater(number: str) -> str:
    """A regex for decimal numbers greater than ``number`` (leading zeros count as greater)."""
    options = [f"[0-9]{{{len(number) + 1},}}"]
    for position, digit in enumerate(number):
        if digit != "9":
            rest = len(number) - position - 1
            options.append(f"{number[:position]}[{int(digit) + 1}-9][0-9]{{{rest}}}")
    return "|".join(options)


def _letters_greater(letters: str) -> str:
    """A regex for column letters after ``letters`` (either case)."""
    options = [f"[A-Za-z]{{{len(letters) + 1},}}"]
    for position, letter in enumerate(letters):
        if letter != "Z":
            prefix = "".join(f"[{char}{char.lower()}]" for char in letters[:position])
            after = chr(ord(letter) + 1)
            rest = len(letters) - position - 1
            options.append(f"{prefix}[{after}-Z{after.lower()}-z][A-Za-z]{{{rest}}}")
    return "|".join(options)


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _parsed_extent(archive: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """Count row and cell positions with expat, following calamine: ``r`` if given, else next."""
    counter = _PositionCounter()
    with archive.open(part) as stream:
        parse_stream(iter(lambda: stream.read(_CHUNK_BYTES), b""), counter.start)
    return counter.extent.rows, counter.extent.columns


class _PositionCounter:
    def __init__(self) -> None:
        self.extent = _Extent()
        self._row = 0
        self._column = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        reference = attributes.get("r")
        if local == "row":
            self._row = int(reference) if reference and reference.isdigit() else self._row + 1
            self._column = 0
            self.extent.add(self._row, 0)
        elif local == "c":
            found = re.fullmatch(r"([A-Za-z]+)([0-9]*)", reference or "")
            if found is None:
                self._column += 1
                self.extent.add(self._row, self._column)
                return
            self._column = column_index(found.group(1)) + 1
            self.extent.add(max(self._row, int(found.group(2) or 0)), self._column)


def _resolve(target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))

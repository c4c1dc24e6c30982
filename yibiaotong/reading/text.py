"""Delimited text (csv, tsv, txt) → one sheet of strings, in whatever encoding it came.

A CSV has no types: every value arrives as str ("110101199001011234" stays text, "007" keeps
its zeros), an empty field as None.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from yibiaotong.messages import msg
from yibiaotong.model import CellValue, SheetGrid
from yibiaotong.reading.grid import trim_grid
from yibiaotong.reading.limits import ReadLimits, check_cells, fail
from yibiaotong.reading.sniff import bom_encoding, utf16_without_bom

_SAMPLE_BYTES = 256 * 1024
_SNIFF_LINES = 20
_SNIFF_CHARS = 8 * 1024
_DELIMITERS = ",\t;|"
_HIGH_BYTES = bytes(range(128, 256))
_GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030", "cp936", "hz"})


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class TextTable:
    sheet: SheetGrid
    encoding: str
    notes: tuple[str, ...]


def read_text_table(path: Path, limits: ReadLimits) -> TextTable:
    decoded = decode_text(path.read_bytes())
    delimiter = detect_delimiter(decoded.text)
    rows = _parse(path, decoded.text, delimiter, limits)
    sheet = SheetGrid(name=path.stem, index=0, rows=trim_grid(rows))
    check_cells(path, sheet.name, sheet.height, sheet.width, limits)
    return TextTable(sheet, decoded.encoding, decoded.notes)


def decode_text(content: bytes, declared: str | None = None) -> DecodedText:
    """Decode with the BOM, else the declared charset, else UTF-8, else a detected encoding
    (GB18030 preferred to GBK/GB2312: a superset). NUL bytes of 8-bit text are removed."""
    encoding = bom_encoding(content) or utf16_without_bom(content)
    if encoding is not None:
        text, replaced = _decode(content, encoding)
        return DecodedText(text.removeprefix("\ufeff"), _reported(content, encoding), replaced)
    notes: tuple[str, ...] = ()
    nul_count = content.count(b"\x00")
    if nul_count:
        content = content.replace(b"\x00", b"")
        notes = (msg("reading.note.nul_stripped", count=nul_count),)
    for candidate in _candidates(content, declared):
        if candidate == "gb18030" and _mostly_utf8(content):
            # UTF-8 with a stray or cut-off byte: GB18030 would garble every character.
            text, replaced = _decode(content, "utf-8")
            return DecodedText(text, "utf-8", notes + replaced)
        try:
            return DecodedText(content.decode(candidate), candidate, notes)
        except (UnicodeDecodeError, LookupError):  # LookupError: a declared charset unknown
            continue
    text, replaced = _decode(content, "gb18030")
    return DecodedText(text, "gb18030", notes + replaced)


def _mostly_utf8(content: bytes) -> bool:
    """Valid UTF-8 but for a few bytes. GBK text read as UTF-8 fails on nearly every
    character, so a handful of failures among many multi-byte characters means UTF-8."""
    high_bytes = len(content) - len(content.translate(None, _HIGH_BYTES))
    failures = content.decode("utf-8", "replace").count("\ufffd") - content.decode(
        "utf-8", "ignore"
    ).count("\ufffd")
    return high_bytes >= 30 and failures * 100 <= high_bytes


def _candidates(content: bytes, declared: str | None) -> Iterator[str]:
    """Declared charset, UTF-8, GB18030, then charset-normalizer's guess — tried strictly in
    this order (the detector, the slow part, only when the others fail). GB18030 goes before
    the guess: on short Chinese text the detector often names Big5 or a Korean code page, and
    a Chinese county's non-UTF-8 file is GBK in practice."""
    if declared:
        yield _preferred(declared)
    yield "utf-8"
    yield "gb18030"
    best = from_bytes(content[:_SAMPLE_BYTES]).best()
    if best is not None and best.encoding not in _GB_FAMILY:
        yield best.encoding


def _preferred(encoding: str) -> str:
    name = encoding.strip().lower().replace("-", "").replace("_", "")
    return "gb18030" if name in {"gb2312", "gbk", "cp936", "gb18030", "xgbk"} else encoding.strip()


def _decode(content: bytes, encoding: str) -> tuple[str, tuple[str, ...]]:
    text = content.decode(encoding, "replace")
    damaged = text.count("\ufffd") - content.decode(encoding, "ignore").count("\ufffd")
    if damaged:
        return text, (msg("reading.note.undecodable", count=damaged, encoding=encoding),)
    return text, ()


def _reported(content: bytes, encoding: str) -> str:
    if encoding == "utf-8" and content.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    return encoding


def detect_delimiter(text: str) -> str:
    """csv.Sniffer on the first lines; if it cannot tell, the candidate found the same number
    of times on most lines; "," when none appears (a one-column file). A title line without
    any delimiter, as many exports start with, does not decide."""
    lines = [line for line in text[: _SNIFF_CHARS * 4].splitlines()[:_SNIFF_LINES] if line.strip()]
    sample = "\n".join(lines)[:_SNIFF_CHARS]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    if delimiter and 2 * sum(delimiter in line for line in lines) >= len(lines):
        return delimiter
    return _count_delimiter(lines)


def _count_delimiter(lines: list[str]) -> str:
    best, best_score = ",", 0
    for candidate in _DELIMITERS:
        counts = Counter(line.count(candidate) for line in lines)
        counts.pop(0, None)
        score = max(counts.values(), default=0)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _parse(path: Path, text: str, delimiter: str, limits: ReadLimits) -> list[list[CellValue]]:
    rows: list[list[CellValue]] = []
    cells = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            cells += len(record)
            if cells > limits.max_cells:
                raise fail(
                    path, "too_many_cells", sheet=path.stem, cells=cells, limit=limits.max_cells
                )
            rows.append([value if value != "" else None for value in record])
    except csv.Error as error:
        if "field larger than field limit" not in str(error):
            raise fail(path, "malformed") from error
        raise fail(
            path, "field_too_long", line=reader.line_num, limit=csv.field_size_limit()
        ) from error
    return rows

"""The reading stage: any spreadsheet file a county clerk receives → cell grids (a Workbook).

The kind of file is judged by content, not extension; every way a file can fail to be read
ends in FileReadError with a Chinese reason and the file name as location.
"""

from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from yibiaotong.messages import msg
from yibiaotong.model import SheetGrid, Workbook
from yibiaotong.reading.compound import CompoundFileError
from yibiaotong.reading.excel import read_excel
from yibiaotong.reading.htmltable import read_html_tables
from yibiaotong.reading.limits import ReadLimits, check_file_size, fail
from yibiaotong.reading.sniff import Sniffed, sniff_file, sniff_kind
from yibiaotong.reading.spreadsheetml import read_spreadsheetml
from yibiaotong.reading.text import read_text_table
from yibiaotong.reading.xmlparse import XmlDeclarationError, XmlSyntaxError

__all__ = ["ReadLimits", "read_workbook", "sniff_kind"]

_HASH_CHUNK = 2**20
# The kind each file name suffix promises, to tell the clerk when a file is not what it says.
_SUFFIX_KINDS = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xltx": "xlsx",
    ".xltm": "xlsx",
    ".xls": "xls",
    ".xlt": "xls",
    ".ods": "ods",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".htm": "html",
    ".html": "html",
}
# Failures of the container formats themselves, seen by our pre-scans before calamine.
_DAMAGE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    struct.error,
    CompoundFileError,
    NotImplementedError,  # zipfile: unsupported compression method or zip version
    UnicodeDecodeError,  # zipfile: a member name that is not what the directory says
)


@dataclass(frozen=True)
class _Contents:
    sheets: tuple[SheetGrid, ...]
    encoding: str | None = None
    notes: tuple[str, ...] = ()


def read_workbook(path: Path, limits: ReadLimits = ReadLimits()) -> Workbook:  # noqa: B008
    """Read one file into cell grids; FileReadError (and nothing else) for bad input."""
    path = Path(path)
    try:
        size = path.stat().st_size
        check_file_size(path, size, limits)
        sniffed = sniff_file(path)
        contents = _read_contents(path, sniffed, limits)
        digest = _sha256(path)
    except FileNotFoundError as error:
        raise fail(path, "missing") from error
    except OSError as error:
        raise fail(path, "unreadable", reason=error.strerror or type(error).__name__) from error
    return Workbook(
        path=path,
        kind=sniffed.kind,
        sheets=contents.sheets,
        sha256=digest,
        encoding=contents.encoding,
        notes=(*_extension_notes(path, sniffed.kind), *contents.notes),
    )


def _read_contents(path: Path, sniffed: Sniffed, limits: ReadLimits) -> _Contents:
    _refuse_unreadable(path, sniffed)
    try:
        if sniffed.kind in ("xlsx", "xls", "ods"):
            return _Contents(read_excel(path, sniffed.kind, limits))
        if sniffed.kind == "html":
            tables = read_html_tables(path, limits)
            return _Contents(tables.sheets, tables.encoding, tables.notes)
        if sniffed.kind == "spreadsheetml":
            return _Contents(read_spreadsheetml(path, limits))
        table = read_text_table(path, limits)
        return _Contents((table.sheet,), table.encoding, table.notes)
    except XmlDeclarationError as error:
        raise fail(path, "xml_declarations") from error
    except XmlSyntaxError as error:
        raise fail(path, "malformed") from error
    except _DAMAGE as error:  # before RuntimeError: NotImplementedError is one
        raise fail(path, "corrupt", detail=msg("reading.what.damaged")) from error
    except RuntimeError as error:
        if "encrypted" in str(error):  # zipfile: "File … is encrypted, password required"
            raise fail(path, "encrypted") from error
        raise


def _refuse_unreadable(path: Path, sniffed: Sniffed) -> None:
    if sniffed.kind == "empty":
        raise fail(path, "empty")
    if sniffed.kind == "encrypted":
        raise fail(path, "encrypted")
    if sniffed.damaged:
        raise fail(path, "corrupt", detail=msg("reading.what.damaged"))
    if sniffed.what == "xlsb":
        raise fail(path, "unsupported", what=msg("reading.what.xlsb"))
    if sniffed.kind == "unknown":
        raise fail(path, "not_spreadsheet", what=msg(f"reading.what.{sniffed.what or 'binary'}"))


def _extension_notes(path: Path, kind: str) -> tuple[str, ...]:
    suffix = path.suffix.lower()
    promised = _SUFFIX_KINDS.get(suffix)
    if promised is None or promised == kind:
        return ()
    return (
        msg("reading.note.extension_mismatch", suffix=suffix, actual=msg(f"reading.kind.{kind}")),
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_HASH_CHUNK):
            digest.update(block)
    return digest.hexdigest()

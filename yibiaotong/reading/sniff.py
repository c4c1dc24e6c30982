"""What a file really is, judged by its content (magic bytes, zip members, OLE streams), never
by its extension: clerks receive HTML pages and CSV text named .xls every day.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from yibiaotong.reading.compound import MAGIC as OLE_MAGIC
from yibiaotong.reading.compound import CompoundFile, CompoundFileError

_HEAD_BYTES = 64 * 1024
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_SPREADSHEETML_NAMESPACE = b"urn:schemas-microsoft-com:office:spreadsheet"
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_HTML_STARTS = (b"<html", b"<!doctype html", b"<table", b"<head", b"<body", b"<meta", b"<title")
# Control bytes other than tab, newline, form feed, carriage return, escape and NUL (NUL is
# stripped with a note): text has next to none of them, binary content about one byte in ten.
_CONTROL_BYTES = bytes([*range(1, 9), 11, *range(14, 27), *range(28, 32), 127])
_MAX_CONTROL_SHARE = 0.01


@dataclass(frozen=True)
class Sniffed:
    """The detected kind; ``what`` names the reason (catalogue key) when it is not readable;
    ``damaged`` says the container is broken although its kind could be told."""

    kind: str
    what: str | None = None
    damaged: bool = False


def sniff_kind(path: Path) -> str:
    """ "xlsx" | "xls" | "ods" | "csv" | "html" | "spreadsheetml" | "encrypted" | "empty" |
    "unknown", judged by content. An .xlsm is "xlsx"; tsv and txt tables are "csv"."""
    return sniff_file(path).kind


def sniff_file(path: Path) -> Sniffed:
    with path.open("rb") as stream:
        head = stream.read(_HEAD_BYTES)
    if not head:
        return Sniffed("empty")
    if head.startswith(_ZIP_MAGICS):
        return _sniff_zip(path, head)
    if head.startswith(OLE_MAGIC):
        return _sniff_compound(path)
    return sniff_text(head)


# Members that tell what a zip is, checked in this order.
_ZIP_MEMBERS = (
    ("xl/workbook.xml", Sniffed("xlsx")),
    ("xl/workbook.bin", Sniffed("unknown", "xlsb")),
    ("word/document.xml", Sniffed("unknown", "word")),
    ("ppt/presentation.xml", Sniffed("unknown", "powerpoint")),
)


def _sniff_zip(path: Path, head: bytes) -> Sniffed:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "content.xml" in names and _ods_mimetype(archive, names):
                return Sniffed("ods")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error):
        return Sniffed(_kind_from_first_member(head), damaged=True)
    for member, sniffed in _ZIP_MEMBERS:
        if member in names:
            return sniffed
    return Sniffed("unknown", "zip")


def _ods_mimetype(archive: zipfile.ZipFile, names: set[str]) -> bool:
    if "mimetype" not in names or archive.getinfo("mimetype").file_size > 200:
        return False
    return archive.read("mimetype").startswith(_ODS_MIMETYPE)


def _kind_from_first_member(head: bytes) -> str:
    """Guess from the first local file header, which survives when the end of a zip is lost."""
    if len(head) < 30:
        return "unknown"
    name_length, extra_length = struct.unpack_from("<HH", head, 26)
    name = head[30 : 30 + name_length]
    if name.startswith((b"[Content_Types].xml", b"_rels/", b"docProps/", b"xl/")):
        return "xlsx"
    if name == b"mimetype" and _ODS_MIMETYPE in head[30 + name_length + extra_length :][:100]:
        return "ods"
    return "unknown"


def _sniff_compound(path: Path) -> Sniffed:
    try:
        streams = {name.lower() for name in CompoundFile.open(path).stream_names()}
    except (CompoundFileError, struct.error):
        return Sniffed("xls", damaged=True)
    if streams & {"encryptioninfo", "encryptedpackage"}:
        return Sniffed("encrypted")
    if streams & {"workbook", "book"}:
        return Sniffed("xls")
    if "worddocument" in streams:
        return Sniffed("unknown", "word")
    if "powerpoint document" in streams:
        return Sniffed("unknown", "powerpoint")
    return Sniffed("unknown", "ole")


def sniff_text(head: bytes) -> Sniffed:
    """Markup (HTML table, SpreadsheetML) or delimited text, or binary content."""
    text_head = _ascii_view(head)
    start = text_head.lstrip().lower()
    if start.startswith(b"<?xml"):
        if _SPREADSHEETML_NAMESPACE in text_head:
            return Sniffed("spreadsheetml")
        if b"<html" in start or b"<table" in start:
            return Sniffed("html")
        return Sniffed("unknown", "xml")
    if start.startswith(_HTML_STARTS) or (start.startswith(b"<") and b"<table" in start):
        return Sniffed("html")
    if looks_textual(head):
        return Sniffed("csv")
    return Sniffed("unknown", "binary")


def bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le"/"utf-16-be" when every other byte is NUL, as in ASCII-heavy UTF-16."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    if sample[1::2].count(0) > 0.4 * pairs and sample[0::2].count(0) < 0.05 * pairs:
        return "utf-16-le"
    if sample[0::2].count(0) > 0.4 * pairs and sample[1::2].count(0) < 0.05 * pairs:
        return "utf-16-be"
    return None


def looks_textual(head: bytes) -> bool:
    if bom_encoding(head) or utf16_without_bom(head):
        return True
    sample = head.replace(b"\x00", b"")
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls <= _MAX_CONTROL_SHARE * len(sample)


def _ascii_view(head: bytes) -> bytes:
    """The head as ASCII-compatible bytes, so markup can be found in UTF-16 files too."""
    encoding = bom_encoding(head) or utf16_without_bom(head)
    if encoding and encoding.startswith(("utf-16", "utf-32")):
        usable = len(head) - len(head) % 4
        text = head[:usable].decode(encoding, "ignore").lstrip("\ufeff")
        return text.encode("utf-8", "ignore")
    if encoding == "utf-8":
        return head[3:]
    return head

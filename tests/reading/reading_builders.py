"""Builders for the reading tests (a plain module): hand-made xlsx parts, ODS, OLE2 files."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_SHARED_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    'uniqueCount="1"><si><t>姓名</t></si></sst>'
)


def sheet_xml(sheet_data: str, dimension: str | None = None) -> str:
    """A worksheet part around ``<sheetData>`` content."""
    claimed = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{claimed}<sheetData>{sheet_data}</sheetData></worksheet>"
    )


def write_xlsx(path: Path, sheet: str, shared_strings: str = _SHARED_STRINGS) -> Path:
    """A one-sheet workbook whose worksheet XML is given verbatim."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", shared_strings)
    return path


_ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
)


def write_ods(path: Path, body: str, styles: str = "") -> Path:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {_ODS_NAMESPACES} office:version="1.2">'
        f"<office:automatic-styles>{styles}</office:automatic-styles>"
        f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


# --- OLE2 compound files -------------------------------------------------------------------
_SECTOR = 512
_END = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_FAT_MARK = 0xFFFFFFFD


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file holding ``streams``; small ones go to the mini stream."""
    sectors: list[bytes] = []
    fat: list[int] = []

    def place(content: bytes) -> int:
        if not content:
            return _END
        pieces = [
            content[i : i + _SECTOR].ljust(_SECTOR, b"\0") for i in range(0, len(content), _SECTOR)
        ]
        first = len(sectors)
        for offset, piece in enumerate(pieces):
            sectors.append(piece)
            fat.append(first + offset + 1 if offset < len(pieces) - 1 else _END)
        return first

    mini_stream = b""
    mini_fat: list[int] = []
    entries: list[tuple[str, int, int, int]] = []  # name, type, start, size
    for name, content in streams.items():
        if len(content) < 4096:
            first = len(mini_stream) // 64
            blocks = max(1, -(-len(content) // 64))
            mini_stream += content.ljust(blocks * 64, b"\0")
            mini_fat.extend(first + i + 1 if i < blocks - 1 else _END for i in range(blocks))
            entries.append((name, 2, first, len(content)))
        else:
            entries.append((name, 2, place(content), len(content)))
    root_start = place(mini_stream)
    mini_fat_start = place(b"".join(struct.pack("<I", value) for value in mini_fat))
    directory = _directory_entry(
        "Root Entry", 5, root_start, len(mini_stream), child=1 if entries else None
    )
    for number, (name, kind, start, size) in enumerate(entries, start=1):
        right = number + 1 if number < len(entries) else None
        directory += _directory_entry(name, kind, start, size, right=right)
    directory_start = place(directory.ljust(-(-len(directory) // _SECTOR) * _SECTOR, b"\0"))
    fat_sector = len(sectors)
    fat.append(_FAT_MARK)
    sectors.append(b"")
    assert len(fat) <= _SECTOR // 4, "builder supports one FAT sector"
    sectors[fat_sector] = b"".join(struct.pack("<I", value) for value in fat).ljust(
        _SECTOR, b"\xff"
    )
    header = bytearray(_SECTOR)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 0x2C, 1)
    struct.pack_into("<I", header, 0x30, directory_start)
    struct.pack_into("<I", header, 0x38, 4096)
    struct.pack_into(
        "<II", header, 0x3C, mini_fat_start if mini_fat else _END, 1 if mini_fat else 0
    )
    struct.pack_into("<II", header, 0x44, _END, 0)
    difat = [fat_sector] + [_FREE] * 108
    struct.pack_into("<109I", header, 0x4C, *difat)
    return bytes(header) + b"".join(sectors)


def _directory_entry(
    name: str,
    kind: int,
    start: int,
    size: int,
    *,
    child: int | None = None,
    right: int | None = None,
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    entry = bytearray(128)
    entry[0 : len(encoded)] = encoded
    struct.pack_into("<HBB", entry, 64, len(encoded), kind, 1)
    struct.pack_into(
        "<III",
        entry,
        68,
        _FREE,
        right if right is not None else _FREE,
        child if child is not None else _FREE,
    )
    struct.pack_into("<IQ", entry, 116, start, size)
    return bytes(entry)

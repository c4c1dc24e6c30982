"""Files built to make calamine allocate a giant grid must be refused before calamine sees them.

A Rust allocation failure aborts the whole process, so the cases run in a child process: if a
guard regresses, this test fails instead of killing the test run.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import xlwt
from reading_builders import sheet_xml, write_xlsx
from xlwt import CompoundDoc

HERE = Path(__file__).resolve().parent
FAR = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="{ref}"><v>2</v></c></row>'

XLSX_CASES = {
    # A dimension that lies about the used range.
    "lying_dimension": sheet_xml(FAR.format(ref="XFD1048576"), "A1:B2"),
    "no_dimension": sheet_xml(FAR.format(ref="XFD1048576")),
    "lowercase_reference": sheet_xml(FAR.format(ref="xfd1048576"), "A1:B2"),
    "leading_zeros": sheet_xml(FAR.format(ref="XFD01048576"), "A1:B2"),
    "far_column_first_in_row": sheet_xml(
        '<row r="1"><c r="XFD1"><v>1</v></c><c r="A1"><v>1</v></c></row>'
        '<row r="2000"><c r="A2000"><v>1</v></c></row>',
        "A1:A2000",
    ),
    # Cells without r are placed after the previous one, rows by the row's r.
    "cells_without_reference": sheet_xml(
        '<row r="1"><c r="XFD1"><v>1</v></c></row><row r="1048576"><c><v>2</v></c></row>'
    ),
    "tab_before_reference": sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c\tr="XFD1048576"><v>2</v></c>'
        "</row>",
        "A1:B2",
    ),
    "prefixed_cell": sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><x:c xmlns:x="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main" r="XFD1048576"><x:v>2</x:v></x:c></row>',
        "A1:B2",
    ),
}

SHARED_STRINGS_CLAIM = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    'uniqueCount="4000000000"><si><t>a</t></si></sst>'
)

CHILD = """
import json, sys
from pathlib import Path
from yibiaotong.errors import FileReadError
from yibiaotong.reading import read_workbook
outcomes = {}
for name in sys.argv[1:]:
    try:
        read_workbook(Path(name))
        outcomes[Path(name).stem] = "read"
    except FileReadError as error:
        outcomes[Path(name).stem] = error.message
print(json.dumps(outcomes, ensure_ascii=False))
"""


def _xls_stream() -> bytearray:
    book = xlwt.Workbook()
    sheet = book.add_sheet("表")
    sheet.write(0, 0, "x")
    sheet.write(1, 1, 0.123456789123)  # not RK-representable: a NUMBER record
    for column in range(3):  # adjacent integers: one MULRK record
        sheet.write(2, column, column + 1)
    return bytearray(book.get_biff_data())


def _patched_xls(path: Path, record: bytes, *patches: tuple[int, str, tuple[int, ...]]) -> Path:
    """The small workbook with fields of its first ``record`` overwritten: (offset in the
    record body, struct layout, values)."""
    stream = _xls_stream()
    found = stream.find(record)
    assert found > 0
    for offset, layout, values in patches:
        struct.pack_into(layout, stream, found + 4 + offset, *values)
    CompoundDoc.XlsDoc().save(str(path), bytes(stream))
    return path


XLS_CASES = {
    # A NUMBER cell at the last row and column BIFF can name.
    "xls_far_cell": (struct.pack("<HH", 0x0203, 14), (0, "<HH", (0xFFFF, 0xFFFF))),
    # MULRK of three cells from column 65534: its last-column field wraps round to 0.
    "xls_wrapped_mulrk": (
        struct.pack("<HH", 0x00BD, 24),
        (0, "<HH", (0xFFFF, 0xFFFE)),
        (22, "<H", (0,)),
    ),
    # DIMENSIONS claiming four billion rows.
    "xls_claimed_rows": (struct.pack("<HH", 0x0200, 14), (0, "<II", (0, 0xFFFFFFF0))),
}
XLS_DAMAGED = {
    # DIMENSIONS whose first row lies after its last: calamine's row count wraps round.
    "xls_inverted_dimensions": (struct.pack("<HH", 0x0200, 14), (0, "<II", (30000, 6))),
}


def test_hostile_layouts_are_refused_without_crashing(tmp_path: Path) -> None:
    paths = [write_xlsx(tmp_path / f"{name}.xlsx", xml) for name, xml in XLSX_CASES.items()]
    for name, patch in {**XLS_CASES, **XLS_DAMAGED}.items():
        paths.append(_patched_xls(tmp_path / f"{name}.xls", *patch))
    # calamine reserves room for uniqueCount strings before reading any.
    one_cell = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    paths.append(write_xlsx(tmp_path / "claimed_strings.xlsx", one_cell, SHARED_STRINGS_CLAIM))

    child = subprocess.run(
        [sys.executable, "-c", CHILD, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=HERE,
    )

    assert child.returncode == 0, child.stderr[-2000:]
    outcomes = json.loads(child.stdout)
    assert set(outcomes) == {path.stem for path in paths}
    for name, outcome in outcomes.items():
        damaged = name in XLS_DAMAGED or name == "claimed_strings"
        expected = "格式异常" if damaged else "表格过大"
        assert expected in outcome, (name, outcome)

"""Reading xlsx, xls and ods through calamine: values, coordinates, merges, hidden sheets."""

from __future__ import annotations

import datetime as dt
import hashlib
import struct
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
import xlwt
from reading_builders import sheet_xml, write_ods, write_xlsx

from yibiaotong.errors import FileReadError
from yibiaotong.model import MergedRange
from yibiaotong.reading import ReadLimits, read_workbook
from yibiaotong.reading.excel import calamine_errors, clip_merged
from yibiaotong.reading.grid import trim_grid


def _xlsxwriter_book(path: Path, *, date_1904: bool = False) -> Path:
    book = xlsxwriter.Workbook(str(path), {"date_1904": date_1904})
    sheet = book.add_worksheet("花名册")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    moment_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.merge_range("C3:E3", "低保花名册")
    sheet.write_row("C4", ["姓名", "身份证号", "人数"])
    sheet.write_string("C5", "张三")
    sheet.write_number("D5", 110101199001011234)
    sheet.write_number("E5", 3)
    sheet.write_datetime("C6", dt.datetime(2024, 1, 2), date_format)
    sheet.write_datetime("D6", dt.datetime(2024, 1, 2, 13, 4), moment_format)
    sheet.write_boolean("E6", True)
    hidden = book.add_worksheet("隐藏")
    hidden.write("A1", "x")
    hidden.hide()
    very_hidden = book.add_worksheet("深度隐藏")
    very_hidden.write("A1", "y")
    very_hidden.very_hidden()
    book.close()
    return path


def test_xlsx_grid_starts_at_a1_with_types_merges_and_hidden_sheets(tmp_path: Path) -> None:
    workbook = read_workbook(_xlsxwriter_book(tmp_path / "名册.xlsx"))

    assert workbook.kind == "xlsx"
    assert [sheet.name for sheet in workbook.sheets] == ["花名册", "隐藏", "深度隐藏"]
    assert [sheet.visible for sheet in workbook.sheets] == [True, False, False]
    roster = workbook.sheets[0]
    # Data begins at C3, yet rows[i][j] is Excel row i+1, column j.
    assert roster.rows[0] == [None] * 5
    assert roster.rows[2][2] == "低保花名册"
    assert roster.rows[3][2:] == ["姓名", "身份证号", "人数"]
    assert roster.merged == (MergedRange(2, 2, 2, 4),)
    # A number stays a number: the damaged ID is recognisable downstream.
    identity = roster.rows[4][3]
    assert isinstance(identity, float)
    assert identity == pytest.approx(110101199001011234)
    assert roster.rows[4][4] == 3
    assert roster.rows[5][2] == dt.date(2024, 1, 2)
    assert roster.rows[5][3] == dt.datetime(2024, 1, 2, 13, 4)
    assert roster.rows[5][4] is True
    assert roster.height == 6
    assert roster.width == 5
    assert workbook.encoding is None
    assert workbook.notes == ()


def test_xlsx_1904_date_system(tmp_path: Path) -> None:
    workbook = read_workbook(_xlsxwriter_book(tmp_path / "mac.xlsx", date_1904=True))
    assert workbook.sheets[0].rows[5][2] == dt.date(2024, 1, 2)


def test_openpyxl_written_xlsx_and_sha256(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "表一"
    sheet["A1"] = "标题"
    sheet.merge_cells("A1:C2")
    sheet["A3"] = "户主"
    sheet["B3"] = 2.5
    sheet["B4"] = ""
    hidden = book.create_sheet("备注")
    hidden["A1"] = "说明"
    hidden.sheet_state = "hidden"
    path = tmp_path / "openpyxl.xlsx"
    book.save(path)

    workbook = read_workbook(path)

    grid = workbook.sheets[0]
    assert grid.rows == [["标题", None], [None, None], ["户主", 2.5]]
    # The merge reaches column C, but C holds nothing: the range is clipped to the grid.
    assert grid.merged == (MergedRange(0, 0, 1, 1),)
    assert workbook.sheets[1].visible is False
    assert workbook.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_xls_with_merges_hidden_sheet_and_offset_start(tmp_path: Path) -> None:
    book = xlwt.Workbook()
    sheet = book.add_sheet("表1")
    sheet.write_merge(2, 2, 2, 4, "标题")
    sheet.write(3, 2, "身份证号")
    sheet.write(3, 4, "金额")
    sheet.write(4, 2, 110101199001011234.0)
    sheet.write(4, 3, 42)
    sheet.write(4, 4, 12.5)
    sheet.write(5, 2, dt.date(2024, 1, 2), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    hidden = book.add_sheet("隐藏")
    hidden.write(0, 0, "x")
    hidden.visibility = 1
    path = tmp_path / "旧格式.xls"
    book.save(str(path))

    workbook = read_workbook(path)

    assert workbook.kind == "xls"
    grid = workbook.sheets[0]
    assert grid.rows[2][2] == "标题"
    assert grid.merged == (MergedRange(2, 2, 2, 4),)
    assert isinstance(grid.rows[4][2], float)
    assert grid.rows[4][3] == 42
    assert grid.rows[4][4] == 12.5
    assert grid.rows[5][2] == dt.date(2024, 1, 2)
    assert grid.rows[5][3] is None
    assert [sheet.visible for sheet in workbook.sheets] == [True, False]


def test_ods_values_spans_and_hidden_table(tmp_path: Path) -> None:
    body = (
        '<table:table table:name="名单"><table:table-row>'
        '<table:table-cell table:number-columns-spanned="2" office:value-type="string">'
        "<text:p>标题</text:p></table:table-cell><table:covered-table-cell/></table:table-row>"
        '<table:table-row><table:table-cell office:value-type="string"><text:p>张三</text:p>'
        '</table:table-cell><table:table-cell office:value-type="float" office:value="3">'
        "<text:p>3</text:p></table:table-cell></table:table-row>"
        '<table:table-row table:number-rows-repeated="1048570"><table:table-cell '
        'table:number-columns-repeated="1024"/></table:table-row></table:table>'
        '<table:table table:name="隐藏" table:style-name="ta2"><table:table-row>'
        '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
        "</table:table-row></table:table>"
    )
    styles = (
        '<style:style style:name="ta2" style:family="table">'
        '<style:table-properties table:display="false"/></style:style>'
    )
    workbook = read_workbook(write_ods(tmp_path / "表.ods", body, styles))

    assert workbook.kind == "ods"
    grid = workbook.sheets[0]
    assert grid.rows == [["标题", None], ["张三", 3.0]]
    assert grid.merged == (MergedRange(0, 0, 0, 1),)
    assert [sheet.visible for sheet in workbook.sheets] == [True, False]


def test_ods_repeat_bomb_is_refused_before_expansion(tmp_path: Path) -> None:
    body = (
        '<table:table table:name="炸弹"><table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="float" '
        'office:value="1"/></table:table-row></table:table>'
    )
    with pytest.raises(FileReadError, match="表格过大") as caught:
        read_workbook(write_ods(tmp_path / "bomb.ods", body))
    assert caught.value.location == "bomb.ods"


def test_ods_with_a_doctype_is_refused(tmp_path: Path) -> None:
    import zipfile

    path = write_ods(tmp_path / "dtd.ods", '<table:table table:name="a"/>')
    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml").decode()
    content = content.replace("?>", '?><!DOCTYPE x [<!ENTITY a "b">]>', 1)
    rebuilt = tmp_path / "dtd2.ods"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(rebuilt, "w") as target:
        for item in source.infolist():
            data = content.encode() if item.filename == "content.xml" else source.read(item)
            target.writestr(item, data)
    with pytest.raises(FileReadError, match="DOCTYPE"):
        read_workbook(rebuilt)


def test_claimed_huge_dimension_does_not_make_a_huge_grid(tmp_path: Path) -> None:
    cells = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1</v></c></row>'
        '<row r="2"><c r="A2"><v>2</v></c></row>'
    )
    path = write_xlsx(tmp_path / "claims.xlsx", sheet_xml(cells, "A1:XFD1048576"))
    grid = read_workbook(path).sheets[0]
    assert grid.rows == [["姓名", 1.0], [2.0, None]]


def test_formatted_empty_cell_far_away_does_not_count(tmp_path: Path) -> None:
    cells = (
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576" s="1"/></row>'
    )
    grid = read_workbook(write_xlsx(tmp_path / "styled.xlsx", sheet_xml(cells, "A1"))).sheets[0]
    assert grid.rows == [[1.0]]


def test_cells_above_limit_are_refused(tmp_path: Path) -> None:
    cells = '<row r="1"><c r="A1"><v>1</v></c></row><row r="300"><c r="J300"><v>2</v></c></row>'
    path = write_xlsx(tmp_path / "大表.xlsx", sheet_xml(cells, "A1:J300"))
    assert read_workbook(path, ReadLimits(max_cells=3000)).sheets[0].height == 300
    with pytest.raises(FileReadError, match="表格过大") as caught:
        read_workbook(path, ReadLimits(max_cells=2999))
    assert "名单" in caught.value.message
    assert caught.value.location == "大表.xlsx"


def test_ooxml_escapes_are_undone_once(tmp_path: Path) -> None:
    # calamine decodes _xHHHH_; "_x005F_" stands for "_", so the second string is literal text.
    shared = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" '
        'uniqueCount="2"><si><t>SH_x000D_Z002</t></si><si><t>_x005F_x000D_</t></si></sst>'
    )
    cells = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="inlineStr"><is><t>行_x000A_二</t></is></c><c r="D1"><v>5</v></c></row>'
    )
    path = write_xlsx(tmp_path / "escaped.xlsx", sheet_xml(cells, "A1:D1"), shared)
    assert read_workbook(path).sheets[0].rows == [["SH\rZ002", "_x000D_", "行\n二", 5.0]]


def test_billion_laughs_in_shared_strings_fails_fast(tmp_path: Path) -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{level} "{("&lol;" if level == 1 else f"&lol{level - 1};") * 10}">'
        for level in range(1, 10)
    )
    shared = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    path = write_xlsx(
        tmp_path / "lol.xlsx", sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), shared
    )
    with pytest.raises(FileReadError) as caught:
        read_workbook(path)
    assert caught.value.location == "lol.xlsx"


def test_external_entity_is_never_resolved(tmp_path: Path) -> None:
    shared = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>a&xxe;b</t></si></sst>'
    )
    path = write_xlsx(
        tmp_path / "xxe.xlsx", sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), shared
    )
    # calamine's XML reader knows no DTD: the undeclared entity ends the read, nothing is fetched.
    with pytest.raises(FileReadError, match="格式异常") as caught:
        read_workbook(path)
    assert "root:" not in str(caught.value)


def test_zip_bomb_is_refused_from_the_central_directory(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "bomb.xlsx", sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))
    import zipfile

    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (4 * 2**20))
    with pytest.raises(FileReadError, match="疑似压缩炸弹") as caught:
        read_workbook(path)
    assert caught.value.location == "bomb.xlsx"
    with pytest.raises(FileReadError, match="疑似压缩炸弹"):
        read_workbook(path, ReadLimits(max_zip_ratio=1e9, max_uncompressed_bytes=2**20))


def test_file_size_limit(tmp_path: Path) -> None:
    path = _xlsxwriter_book(tmp_path / "big.xlsx")
    with pytest.raises(FileReadError, match="文件超过大小限制"):
        read_workbook(path, ReadLimits(max_file_bytes=100))


def test_truncated_xlsx_is_corrupt(tmp_path: Path) -> None:
    source = _xlsxwriter_book(tmp_path / "whole.xlsx").read_bytes()
    path = tmp_path / "半截.xlsx"
    path.write_bytes(source[: len(source) // 2])
    with pytest.raises(FileReadError, match="文件已损坏") as caught:
        read_workbook(path)
    assert caught.value.location == "半截.xlsx"


def test_truncated_xls_is_refused(tmp_path: Path) -> None:
    book = xlwt.Workbook()
    book.add_sheet("a").write(0, 0, "x" * 3000)
    whole = tmp_path / "whole.xls"
    book.save(str(whole))
    path = tmp_path / "半截.xls"
    path.write_bytes(whole.read_bytes()[:1500])
    with pytest.raises(FileReadError, match="损坏") as caught:
        read_workbook(path)
    assert caught.value.location == "半截.xls"


def test_password_protected_xls_says_so(tmp_path: Path) -> None:
    from xlwt import CompoundDoc

    book = xlwt.Workbook()
    book.add_sheet("a").write(0, 0, "x")
    stream = book.get_biff_data()
    bof_size = struct.unpack_from("<H", stream, 2)[0]
    filepass = struct.pack("<HH", 0x2F, 54) + struct.pack("<HHH", 1, 1, 1) + b"\x11" * 48
    patched = stream[: 4 + bof_size] + filepass + stream[4 + bof_size :]
    path = tmp_path / "加密.xls"
    CompoundDoc.XlsDoc().save(str(path), patched)
    with pytest.raises(FileReadError, match="文件已加密"):
        read_workbook(path)


def test_rust_panic_becomes_file_read_error() -> None:
    panic = type("PanicException", (BaseException,), {})
    with pytest.raises(FileReadError, match="格式异常"), calamine_errors(Path("x.xlsx")):
        raise panic("called `Option::unwrap()` on a `None` value")
    with pytest.raises(KeyboardInterrupt), calamine_errors(Path("x.xlsx")):
        raise KeyboardInterrupt


def test_trim_grid_pads_and_drops_empty_edges() -> None:
    rows: list[list[object]] = [[None, 1, None, None], [None], [2, None, None], [None, None]]
    assert trim_grid(rows) == [[None, 1], [None, None], [2, None]]  # type: ignore[arg-type]
    assert trim_grid([[None], [None, None]]) == []


def test_clip_merged() -> None:
    merged = (MergedRange(0, 0, 0, 9), MergedRange(5, 0, 6, 1), MergedRange(1, 1, 1, 4))
    assert clip_merged(merged, 3, 2) == (MergedRange(0, 0, 0, 1),)


def test_biff_extents_match_the_cells(tmp_path: Path) -> None:
    from yibiaotong.reading import biff
    from yibiaotong.reading.compound import CompoundFile

    book = xlwt.Workbook()
    sheet = book.add_sheet("第一页")
    sheet.write(3, 2, "x")
    for column in range(4, 8):  # adjacent integers: one MULRK record
        sheet.write(10, column, column)
    book.add_sheet("空白")
    path = tmp_path / "extents.xls"
    book.save(str(path))
    stream = CompoundFile.open(path).read_stream("Workbook")
    assert biff.sheet_extents(stream) == [("第一页", 11, 8), ("空白", 0, 0)]
    assert not biff.is_encrypted(stream)


def test_biff_run_skipping_still_sees_a_cell_outside_the_dimensions(tmp_path: Path) -> None:
    from yibiaotong.reading import biff
    from yibiaotong.reading.compound import CompoundFile

    book = xlwt.Workbook()
    sheet = book.add_sheet("大表")
    for row in range(6000):  # > 256 KB: the run-skipping path
        sheet.write(row, 0, f"名字{row}")
        sheet.write(row, 1, row * 1.5)
        sheet.write(row, 2, row)
        sheet.write(row, 3, 0.123456789123)  # NUMBER records
    path = tmp_path / "big.xls"
    book.save(str(path))
    stream = bytearray(CompoundFile.open(path).read_stream("Workbook"))
    biff._run_pattern.cache_clear()
    assert biff.sheet_extents(bytes(stream)) == [("大表", 6000, 4)]
    assert biff._run_pattern.cache_info().currsize == 1  # the run-skipping path was taken

    number = stream.find(struct.pack("<HH", 0x0203, 14), len(stream) // 2)
    struct.pack_into("<HH", stream, number + 4, 3000, 60000)
    assert biff.sheet_extents(bytes(stream)) == [("大表", 6000, 60001)]

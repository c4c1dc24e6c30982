"""HTML tables and Excel 2003 XML saved as .xls: what government systems call "export Excel"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from yibiaotong.errors import FileReadError
from yibiaotong.model import MergedRange
from yibiaotong.reading import read_workbook

HTML_EXPORT = """<html xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:x="urn:schemas-microsoft-com:office:excel">
<head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<style>td {{ mso-number-format:"\\@"; }}</style><title>导出</title></head>
<body>
<table border="1">
 <tr><td colspan="3">低保户花名册</td></tr>
 <tr><th rowspan="2">姓名</th><th colspan="2">家庭</th></tr>
 <tr><th>人口</th><th>住址</th></tr>
 <tr><td>张三</td><td>3</td><td>幸福路&nbsp;1号<br>2单元</td></tr>
 <tr><td>李四</td><td>&nbsp;</td><td><table><tr><td>内嵌</td></tr></table></td></tr>
</table>
</body></html>
"""


def test_html_table_saved_as_xls(tmp_path: Path) -> None:
    path = tmp_path / "系统导出.xls"
    path.write_bytes(HTML_EXPORT.format().encode("gbk"))

    workbook = read_workbook(path)

    assert workbook.kind == "html"
    assert workbook.encoding == "gb18030"
    assert workbook.notes == ("扩展名为 .xls，实际为网页（HTML）表格",)
    sheet = workbook.sheets[0]
    assert sheet.name == "系统导出"
    assert sheet.rows == [
        ["低保户花名册", None, None],
        ["姓名", "家庭", None],
        [None, "人口", "住址"],
        ["张三", "3", "幸福路 1号\n2单元"],
        ["李四", None, "内嵌"],
    ]
    assert sheet.merged == (
        MergedRange(0, 0, 0, 2),
        MergedRange(1, 0, 2, 0),
        MergedRange(1, 1, 1, 2),
    )


def test_several_tables_become_several_sheets(tmp_path: Path) -> None:
    path = tmp_path / "两表.html"
    path.write_text(
        "<table><tr><td>甲</td></tr></table><p>说明</p>"
        "<table><tr><td></td></tr></table>"
        "<table><tr><td>乙</td><td>丙</td></tr></table>",
        encoding="utf-8",
    )
    workbook = read_workbook(path)
    assert [(sheet.name, sheet.index, sheet.rows) for sheet in workbook.sheets] == [
        ("表格1", 0, [["甲"]]),
        ("表格2", 1, [["乙", "丙"]]),
    ]


def test_unknown_declared_charset_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "odd.xls"
    path.write_bytes('<meta charset="gb231x"><table><tr><td>低保</td></tr></table>'.encode("gbk"))
    workbook = read_workbook(path)
    assert (workbook.encoding, workbook.sheets[0].rows) == ("gb18030", [["低保"]])


def test_html_without_a_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "page.xls"
    path.write_text("<html><body><p>404 Not Found</p></body></html>", encoding="utf-8")
    with pytest.raises(FileReadError, match="网页中没有表格"):
        read_workbook(path)


SPREADSHEET_ML = """<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:x="urn:schemas-microsoft-com:office:excel">
 <Worksheet ss:Name="名单">
  <Table>
   <Row><Cell ss:MergeAcross="2"><Data ss:Type="String">台账</Data></Cell></Row>
   <Row ss:Index="3">
    <Cell><Data ss:Type="String">110101199001011234</Data></Cell>
    <Cell><Data ss:Type="Number">3</Data></Cell>
    <Cell ss:Index="4"><Data ss:Type="DateTime">2024-01-02T00:00:00.000</Data></Cell>
    <Cell><Data ss:Type="DateTime">2024-01-02T08:30:00.000</Data></Cell>
    <Cell><Data ss:Type="Boolean">1</Data></Cell>
   </Row>
  </Table>
 </Worksheet>
 <Worksheet ss:Name="备注">
  <Table><Row><Cell><Data ss:Type="String">x</Data></Cell></Row></Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel">
   <Visible>SheetHidden</Visible>
  </WorksheetOptions>
 </Worksheet>
</Workbook>
"""


def test_spreadsheetml_saved_as_xls(tmp_path: Path) -> None:
    path = tmp_path / "xml导出.xls"
    path.write_text(SPREADSHEET_ML, encoding="utf-8")

    workbook = read_workbook(path)

    assert workbook.kind == "spreadsheetml"
    first, second = workbook.sheets
    assert first.name == "名单"
    assert first.rows == [
        ["台账", None, None, None, None, None],
        [None, None, None, None, None, None],
        [
            "110101199001011234",
            3.0,
            None,
            dt.date(2024, 1, 2),
            dt.datetime(2024, 1, 2, 8, 30),
            True,
        ],
    ]
    assert first.merged == (MergedRange(0, 0, 0, 2),)
    assert (second.name, second.visible) == ("备注", False)


def test_spreadsheetml_with_doctype_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.xml"
    path.write_text(
        SPREADSHEET_ML.replace(
            '<?mso-application progid="Excel.Sheet"?>',
            '<!DOCTYPE Workbook [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        ).replace("台账", "&x;"),
        encoding="utf-8",
    )
    with pytest.raises(FileReadError, match="DOCTYPE"):
        read_workbook(path)

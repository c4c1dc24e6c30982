"""Delimited text: encodings, delimiters, values as text, NUL bytes, very long lines."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from yibiaotong.errors import FileReadError
from yibiaotong.reading import ReadLimits, read_workbook
from yibiaotong.reading.text import decode_text, detect_delimiter

ROSTER = "姓名,身份证号,人数,备注\n张三,110101199001011234,3,\n李四,007,2,独居\n"
EXPECTED = [
    ["姓名", "身份证号", "人数", "备注"],
    ["张三", "110101199001011234", "3", None],
    ["李四", "007", "2", "独居"],
]


@pytest.mark.parametrize(
    ("encoding", "prefix", "reported"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("gbk", b"", "gb18030"),
        ("gb18030", b"", "gb18030"),
        ("utf-16-le", b"\xff\xfe", "utf-16-le"),
        ("utf-16-be", b"\xfe\xff", "utf-16-be"),
    ],
)
def test_csv_encodings(tmp_path: Path, encoding: str, prefix: bytes, reported: str) -> None:
    path = tmp_path / "名单.csv"
    path.write_bytes(prefix + ROSTER.encode(encoding))

    workbook = read_workbook(path)

    assert workbook.kind == "csv"
    assert workbook.encoding == reported
    assert len(workbook.sheets) == 1
    sheet = workbook.sheets[0]
    assert sheet.name == "名单"
    assert sheet.rows == EXPECTED
    assert workbook.notes == ()


def test_short_gbk_text_is_not_taken_for_big5(tmp_path: Path) -> None:
    # charset-normalizer alone calls these bytes Big5.
    path = tmp_path / "短.csv"
    path.write_bytes("低保".encode("gbk"))
    workbook = read_workbook(path)
    assert workbook.sheets[0].rows == [["低保"]]


@pytest.mark.parametrize("delimiter", ["\t", ";", "|"])
def test_other_delimiters(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "表.tsv"
    path.write_text(ROSTER.replace(",", delimiter), encoding="utf-8")
    assert read_workbook(path).sheets[0].rows == EXPECTED


def test_quoted_fields_ragged_rows_and_trailing_blanks(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text('地址,说明\n"北京市,东城区","第一行\n第二行"\n单独\n,\n\n', encoding="utf-8")
    assert read_workbook(path).sheets[0].rows == [
        ["地址", "说明"],
        ["北京市,东城区", "第一行\n第二行"],
        ["单独", None],
    ]


def test_nul_bytes_are_stripped_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"a,b\x00\n1,2\x00\x00\n")
    workbook = read_workbook(path)
    assert workbook.sheets[0].rows == [["a", "b"], ["1", "2"]]
    assert any("3 个空字符" in note for note in workbook.notes)


def test_csv_named_xls_is_read_as_text_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "导出.xls"
    path.write_bytes(ROSTER.encode("gbk"))
    workbook = read_workbook(path)
    assert workbook.kind == "csv"
    assert workbook.sheets[0].rows == EXPECTED
    assert workbook.notes == ("扩展名为 .xls，实际为文本表格（CSV/TSV）",)


def test_one_huge_field_fails_fast(tmp_path: Path) -> None:
    path = tmp_path / "长.csv"
    path.write_bytes(b"x" * (20 * 2**20))
    started = time.perf_counter()
    with pytest.raises(FileReadError, match="超长内容") as caught:
        read_workbook(path)
    assert time.perf_counter() - started < 10
    assert caught.value.location == "长.csv"


def test_one_long_line_of_short_fields_reads(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes(b"ab," * 500_000)
    sheet = read_workbook(path).sheets[0]
    assert sheet.height == 1
    assert sheet.width == 500_000


def test_cell_limit_applies_to_text(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("a,b\n" * 100, encoding="utf-8")
    with pytest.raises(FileReadError, match="表格过大"):
        read_workbook(path, ReadLimits(max_cells=150))


def test_sniffer_worst_case_is_quick() -> None:
    text = ',"' * 20_000 + "\n" + "a,b\n" * 10
    started = time.perf_counter()
    detect_delimiter(text)
    assert time.perf_counter() - started < 5


def test_detect_delimiter_falls_back_to_comma_for_one_column() -> None:
    assert detect_delimiter("姓名\n张三\n李四\n") == ","
    assert detect_delimiter("a;b;c\n1;2;3\n") == ";"


def test_a_title_line_does_not_decide_the_delimiter() -> None:
    assert detect_delimiter("某某县低保花名册\n姓名\t住址\n张三\t幸福路\n李四\t和平街\n") == "\t"
    assert detect_delimiter("某某县低保花名册,,,\n姓名,住址,人数,备注\n张三,幸福路,3,\n") == ","


def test_declared_charset_is_preferred_and_gbk_widened() -> None:
    decoded = decode_text("户籍".encode("gbk"), declared="GB2312")
    assert (decoded.text, decoded.encoding) == ("户籍", "gb18030")


def test_undecodable_bytes_are_marked_not_hidden() -> None:
    # 0x81 followed by a newline is valid in neither UTF-8 nor GB18030.
    decoded = decode_text("姓名,低保\n张三,是".encode("gb18030") + b"\x81\n")
    assert decoded.text.startswith("姓名,低保\n张三,是")
    assert "\ufffd" in decoded.text
    assert decoded.notes == ("文件中有 1 处字符无法按 gb18030 编码识别，已显示为 �，请核对原文件",)


def test_utf8_with_a_cut_off_last_character_stays_utf8() -> None:
    content = ("姓名,住址\n" + "张三,幸福路一号\n" * 20).encode("utf-8") + "李".encode()[:2]
    decoded = decode_text(content)
    assert decoded.encoding == "utf-8"
    assert decoded.text.startswith("姓名,住址\n张三,幸福路一号")
    assert decoded.notes == ("文件中有 1 处字符无法按 utf-8 编码识别，已显示为 �，请核对原文件",)

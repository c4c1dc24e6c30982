"""Telling what a file is by its content, and refusing what cannot be read, with a reason."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
import xlwt
from reading_builders import compound_file, sheet_xml, write_ods, write_xlsx

from yibiaotong.errors import FileReadError
from yibiaotong.reading import read_workbook, sniff_kind
from yibiaotong.reading.compound import CompoundFile


def _xlsx(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet().write("A1", "姓名")
    book.close()
    return path


def _xls(path: Path) -> Path:
    book = xlwt.Workbook()
    book.add_sheet("a").write(0, 0, "姓名")
    book.save(str(path))
    return path


def test_kinds_by_content_whatever_the_extension(tmp_path: Path) -> None:
    assert sniff_kind(_xlsx(tmp_path / "real.csv")) == "xlsx"
    assert sniff_kind(_xls(tmp_path / "real.xlsx")) == "xls"
    assert sniff_kind(write_ods(tmp_path / "real.xls", "")) == "ods"
    (tmp_path / "t.xlsx").write_text("姓名,年龄\n张三,3\n", encoding="utf-8")
    assert sniff_kind(tmp_path / "t.xlsx") == "csv"
    (tmp_path / "h.xls").write_text("<html><body><table><tr><td>1</td></tr></table>")
    assert sniff_kind(tmp_path / "h.xls") == "html"
    (tmp_path / "empty.xlsx").write_bytes(b"")
    assert sniff_kind(tmp_path / "empty.xlsx") == "empty"
    (tmp_path / "junk.xlsx").write_bytes(os.urandom(4096))
    assert sniff_kind(tmp_path / "junk.xlsx") == "unknown"


def test_extension_mismatch_is_noted(tmp_path: Path) -> None:
    workbook = read_workbook(_xlsx(tmp_path / "导出.xls"))
    assert workbook.kind == "xlsx"
    assert workbook.notes == ("扩展名为 .xls，实际为新版 Excel 工作簿（.xlsx）",)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "空.xlsx"
    path.write_bytes(b"")
    with pytest.raises(FileReadError, match="文件为空") as caught:
        read_workbook(path)
    assert caught.value.location == "空.xlsx"


def test_binary_junk_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "乱码.xlsx"
    path.write_bytes(bytes(range(256)) * 16)
    with pytest.raises(FileReadError, match="不是表格文件") as caught:
        read_workbook(path)
    assert caught.value.location == "乱码.xlsx"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileReadError, match="不存在") as caught:
        read_workbook(tmp_path / "没有.xlsx")
    assert caught.value.location == "没有.xlsx"


def test_password_protected_xlsx_is_an_encrypted_ole(tmp_path: Path) -> None:
    # What Excel writes for "encrypt with password": a compound file, not a zip.
    path = tmp_path / "加密.xlsx"
    path.write_bytes(
        compound_file(
            {
                "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + b"<encryption/>",
                "EncryptedPackage": os.urandom(5000),
            }
        )
    )
    assert sniff_kind(path) == "encrypted"
    with pytest.raises(FileReadError) as caught:
        read_workbook(path)
    assert caught.value.message == (
        "文件已加密（设置了打开密码），请在 Excel/WPS 中取消密码后另存为 .xlsx 再导入"
    )
    assert caught.value.location == "加密.xlsx"


def test_word_documents_are_named(tmp_path: Path) -> None:
    ole = tmp_path / "通知.xls"
    ole.write_bytes(compound_file({"WordDocument": b"x" * 5000}))
    with pytest.raises(FileReadError, match="Word 文档"):
        read_workbook(ole)
    docx = tmp_path / "通知.xlsx"
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(FileReadError, match="Word 文档"):
        read_workbook(docx)


def test_xlsb_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "binary.xlsb"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.bin", b"\0")
    with pytest.raises(FileReadError, match="xlsb"):
        read_workbook(path)


def test_truncated_zip_is_still_recognised_as_xlsx(tmp_path: Path) -> None:
    whole = write_xlsx(
        tmp_path / "whole.xlsx", sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')
    )
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[:300])
    assert sniff_kind(cut) == "xlsx"


def test_compound_file_streams_regular_and_mini(tmp_path: Path) -> None:
    big = bytes(range(256)) * 40
    small = b"small stream content"
    compound = CompoundFile(compound_file({"Big": big, "Small": small}))
    assert sorted(compound.stream_names()) == ["Big", "Small"]
    assert compound.read_stream("big") == big
    assert compound.read_stream("Small") == small

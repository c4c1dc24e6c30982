"""Generate the hostile corpus: files that break spreadsheet readers, and two good county files.

Nothing is downloaded: every file is built here (the xlsx and OLE2 builders of tests/reading are
reused). Besides the files, ``expected.json`` says what ``ybt ingest`` must report for each one:
its status and words its Chinese reason must contain (any one of them).

    .venv/bin/python bench/hostile/make_corpus.py [FOLDER]    # default bench/hostile/corpus
"""

from __future__ import annotations

import json
import random
import shutil
import struct
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COUNTY = ROOT / "sample_forms" / "county"
sys.path.insert(0, str(ROOT / "tests" / "reading"))

from reading_builders import compound_file, sheet_xml, write_xlsx  # noqa: E402

MIB = 2**20
GOOD_FILES = (
    COUNTY / "民政局" / "城乡低保对象花名册.xlsx",
    COUNTY / "残联" / "困难残疾人关爱表.xls",
)
# The words a reason may contain, per kind of refusal (any one suffices).
EMPTY = ["文件为空"]
DAMAGED = ["已损坏", "格式异常"]
BOMB = ["压缩炸弹"]
# calamine refuses entities before our own DOCTYPE check sees xlsx parts: either reason is honest.
DOCTYPE = ["XML 实体声明", "格式异常"]
ENCRYPTED = ["已加密"]
NOT_TABLE = ["不是表格文件"]
TOO_BIG = ["表格过大"]
TOO_LONG = ["超长内容", "超过大小限制"]
NO_FORM = ["没有识别出报表", "不是报表"]
# A reader that runs out of memory or dies is an acceptable end for a memory bomb, as long as
# the run goes on and the clerk is told; refusing it up front is better.
MEMORY = ["格式异常", "内存", "解析进程", "表格过大"]


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("corpus")
    expected = make_corpus(folder)
    print(f"{len(expected)} files in {folder}")
    return 0


def make_corpus(folder: Path) -> dict[str, dict[str, object]]:
    """Write every case into ``folder`` (created, emptied of earlier cases); return expectations."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, dict[str, object]] = {}
    for name, (build, status, reasons) in CASES.items():
        build(folder / name)
        expected[name] = {"status": status, "reasons": reasons}
    for source in GOOD_FILES:
        shutil.copyfile(source, folder / source.name)
        expected[source.name] = {"status": "stored", "reasons": []}
    (folder / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return expected


# -- empty, truncated, junk ------------------------------------------------------------------


def empty(path: Path) -> None:
    path.write_bytes(b"")


def truncated(source: Path) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        content = source.read_bytes()
        path.write_bytes(content[: len(content) // 2])

    return build


def junk(path: Path) -> None:
    path.write_bytes(random.Random(path.name).randbytes(256 * 1024))


# -- zips that promise or hold too much ------------------------------------------------------


def claimed_gigabytes(path: Path) -> None:
    """A small, valid xlsx whose zip directory claims its worksheet unpacks to 4 GB."""
    write_xlsx(path, sheet_xml(_row(1, ["姓名"])))
    data = bytearray(path.read_bytes())
    member = b"xl/worksheets/sheet1.xml"
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            name_length = struct.unpack_from("<H", data, at + size_offset + 4)[0]
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + name_length] == member:
                struct.pack_into("<I", data, at + size_offset, 0xFFFFFFF0)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def decompression_bomb(path: Path) -> None:
    """An xlsx whose worksheet really unpacks to 512 MB (spaces inside the XML), about 0.5 MB."""
    write_xlsx(path, sheet_xml(""))
    _replace_member(path, "xl/worksheets/sheet1.xml", _bomb_sheet)


def _bomb_sheet(stream: zipfile.ZipExtFile | object) -> None:
    write = stream.write  # type: ignore[attr-defined]
    write(sheet_xml(_row(1, ["姓名"])).encode().replace(b"</sheetData>", b""))
    block = b" " * MIB
    for _ in range(512):
        write(block)
    write(b"</sheetData></worksheet>")


def _replace_member(path: Path, member: str, writer: Callable[[object], None]) -> None:
    """Rewrite the zip at ``path`` with ``member`` streamed by ``writer``."""
    source = path.with_suffix(".source")
    path.rename(source)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for info in old.infolist():
            if info.filename == member:
                target = zipfile.ZipInfo(member)
                target.compress_type = zipfile.ZIP_DEFLATED
                with new.open(target, "w", force_zip64=True) as stream:
                    writer(stream)
            else:
                new.writestr(info, old.read(info.filename), zipfile.ZIP_DEFLATED)
    source.unlink()


# -- XML attacks -----------------------------------------------------------------------------

_SST_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
)


def billion_laughs(path: Path) -> None:
    """Entity expansion in the shared strings: ten levels of ten, 10^9 copies of "lol"."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    )
    strings = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<!DOCTYPE sst [{entities}]>"
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    write_xlsx(path, sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), strings)


def external_entity(path: Path) -> None:
    """An external entity in the worksheet that would pull a local file into a cell."""
    sheet = sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&secret;</t></is></c></row>'
    ).replace(
        "<worksheet ",
        '<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]><worksheet ',
        1,
    )
    write_xlsx(path, sheet)


def claimed_strings(path: Path) -> None:
    """A shared-strings table announcing four billion strings (readers reserve room first)."""
    strings = f'{_SST_HEAD}count="1" uniqueCount="4000000000"><si><t>a</t></si></sst>'
    write_xlsx(path, sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), strings)


def repeated_string(path: Path) -> None:
    """One 1 MB shared string referenced by 20,000 cells: 20 GB once every cell holds a copy.
    The string is random Han characters, so the zip ratio looks harmless."""
    chance = random.Random(path.name)
    text = "".join(chr(chance.randrange(0x4E00, 0x9FA5)) for _ in range(MIB // 3))
    strings = f'{_SST_HEAD}count="20000" uniqueCount="1"><si><t>{text}</t></si></sst>'
    rows = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{c}{r}" t="s"><v>0</v></c>' for c in "ABCDEFGHIJ")
        + "</row>"
        for r in range(1, 2001)
    )
    write_xlsx(path, sheet_xml(rows), strings)


# -- grids that claim or hold too much -------------------------------------------------------


def claimed_range(path: Path) -> None:
    """A worksheet claiming the whole 1,048,576 × 16,384 grid, holding three cells."""
    cells = _row(1, ["说明", "备注"]) + _row(2, ["见附件"])
    write_xlsx(path, sheet_xml(cells, "A1:XFD1048576"))


def far_cells(path: Path) -> None:
    """Three real cells, one in the very last row and column: the grid itself is too big."""
    cells = (
        _row(1, ["说明", "备注"])
        + '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>尾</t></is></c></row>'
    )
    write_xlsx(path, sheet_xml(cells))


def formatted_rows(path: Path) -> None:
    """A small, good form followed by 100,000 empty rows that only carry a format."""
    rows = _row(1, ["春播农作物种植面积统计表"])
    rows += _row(2, ["序号", "村（社区）", "种植户数", "种植面积（亩）"])
    for number, (village, households, area) in enumerate(
        [("红星村", "41", "312.5"), ("团结村", "37", "286"), ("前进村", "52", "401.2")], start=1
    ):
        rows += _row(2 + number, [str(number), village, households, area])
    rows += "".join(
        f'<row r="{r}" s="1" customFormat="1" ht="15" customHeight="1"/>' for r in range(6, 100_006)
    )
    write_xlsx(path, sheet_xml(rows, "A1:D100005"))


def _row(number: int, texts: list[str]) -> str:
    cells = "".join(
        f'<c r="{chr(65 + column)}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
        for column, text in enumerate(texts)
    )
    return f'<row r="{number}">{cells}</row>'


# -- not what the name says ------------------------------------------------------------------


def password_protected(path: Path) -> None:
    """What Excel writes for a workbook with an open password: an OLE container, not a zip."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"<encryption/>".ljust(512, b" ")
    package = random.Random(7).randbytes(16 * 1024)
    path.write_bytes(compound_file({"EncryptionInfo": info, "EncryptedPackage": package}))


def html_page(path: Path) -> None:
    """A web page (an error page from a download portal) saved with a spreadsheet name."""
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>404</title></head>"
        "<body><h1>页面不存在</h1><p>您访问的文件已过期，请重新下载。</p></body></html>",
        encoding="utf-8",
    )


def plain_notice(path: Path) -> None:
    """A notice typed in a text editor and saved as .xls."""
    path.write_bytes(
        (
            "关于报送春播农作物种植面积的通知\r\n各乡镇（苏木）：\r\n"
            "请于本月底前将种植面积统计表报送至县农牧局，联系人：办公室。\r\n"
            "特此通知。\r\n"
        ).encode("gb18030")
    )


# -- text tables that are broken inside ------------------------------------------------------

_TABLE_LINES = [
    "村（社区）种植情况统计表",
    "序号,村（社区）,种植户数,种植面积（亩）",
    "1,红星村,41,312.5",
    "2,团结村,37,286",
    "3,前进村,52,401.2",
]


def nul_bytes(path: Path) -> None:
    text = "\r\n".join(_TABLE_LINES) + "\r\n"
    path.write_bytes(text.encode("utf-8").replace(b",", b",\x00").replace(b"\r\n3", b"\x00\r\n3"))


def mixed_encodings(path: Path) -> None:
    """UTF-8 lines, then lines appended by another program in GB18030."""
    head = "\r\n".join(_TABLE_LINES[:4]) + "\r\n"
    tail = "\r\n".join(_TABLE_LINES[4:]) + "\r\n4,胜利村,29,199\r\n"
    path.write_bytes(head.encode("utf-8") + tail.encode("gb18030"))


def long_line(path: Path) -> None:
    """A header line, then one line of 50 MB without a single delimiter."""
    with path.open("wb") as stream:
        stream.write(("\r\n".join(_TABLE_LINES[:2]) + "\r\n").encode("utf-8"))
        block = b"x" * MIB
        for _ in range(50):
            stream.write(block)
        stream.write(b"\r\n")


CASES: dict[str, tuple[Callable[[Path], None], str | list[str], list[str]]] = {
    "空文件.xlsx": (empty, "failed", EMPTY),
    "空文件.csv": (empty, "failed", EMPTY),
    "传输中断.xlsx": (truncated(GOOD_FILES[0]), "failed", DAMAGED),
    "传输中断.xls": (truncated(GOOD_FILES[1]), "failed", DAMAGED),
    "声称4GB.xlsx": (claimed_gigabytes, "failed", BOMB),
    "压缩炸弹.xlsx": (decompression_bomb, "failed", BOMB),
    "实体膨胀.xlsx": (billion_laughs, "failed", DOCTYPE),
    "外部实体.xlsx": (external_entity, "failed", DOCTYPE),
    "共享字符串声称40亿.xlsx": (claimed_strings, "failed", DAMAGED),
    "共享字符串炸弹.xlsx": (repeated_string, "failed", MEMORY),
    "声称满表三格.xlsx": (claimed_range, ["stored", "no-form"], []),  # read as the 3 cells it has
    "末行末列.xlsx": (far_cells, "failed", TOO_BIG),
    "十万空格式行.xlsx": (formatted_rows, "stored", []),
    "设了密码.xlsx": (password_protected, "failed", ENCRYPTED),
    "网页另存.xls": (html_page, "failed", NOT_TABLE),
    "通知另存.xls": (plain_notice, "no-form", NO_FORM),
    "乱码二进制.xlsx": (junk, "failed", NOT_TABLE),
    "乱码二进制.xls": (junk, "failed", NOT_TABLE),
    "含空字符.csv": (nul_bytes, "stored", []),
    "混合编码.csv": (mixed_encodings, "stored", []),
    "五十兆一行.csv": (long_line, "failed", TOO_LONG),
}


if __name__ == "__main__":
    sys.exit(main(sys.argv))

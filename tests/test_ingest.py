"""Ingest on small hand-made files: error paths, idempotence, replacement, rollback."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from yibiaotong.ingest import ingest_paths, make_form_key
from yibiaotong.settings import Settings
from yibiaotong.storage import Store

HEADER = ["序号", "姓名", "性别", "身份证号码", "联系电话", "现住址"]
ROWS = [
    [1, "张三", "男", "11010519491231002X", "13800138000", "幸福社区1号楼101室"],
    [2, "李四", "女", "110105194912310021", "1380013800", "幸福社区1号楼102室"],
]


def _form(
    path: Path,
    title: str = "城乡低保对象花名册",
    rows: list[list[object]] = ROWS,
    unit: str = "青山旗民政局",
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "花名册"
    sheet.append([title])
    sheet.append([f"填报单位：{unit}", None, None, "填报日期：2026年10月31日"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    sheet.append(["填表人：王五", None, "审核人：赵六"])
    book.save(path)
    return path


def _count(settings: Settings, table: str) -> int:
    with Store.open(settings.database, read_only=True) as store:
        return int(store.scalar(f"SELECT count(*) FROM {table}"))


def test_good_file_goes_in_with_findings(tmp_path: Path, settings: Settings) -> None:
    report = ingest_paths([_form(tmp_path / "低保.xlsx")], settings)
    (outcome,) = report.files
    assert (outcome.status, outcome.forms, outcome.rows) == ("stored", 1, 2)
    assert outcome.mapped == 5
    with Store.open(settings.database, read_only=True) as store:
        findings = store.frame("SELECT location, code FROM findings ORDER BY location").rows()
        form = store.frame("SELECT department, as_of, title FROM forms").row(0)
    assert ("低保.xlsx!花名册!E5", "phone-format") in findings
    assert form[0] == "民政"
    assert str(form[1]) == "2026-10-31"


def test_bad_files_get_one_message_and_others_go_in(tmp_path: Path, settings: Settings) -> None:
    good = _form(tmp_path / "好.xlsx")
    (tmp_path / "空.xlsx").write_bytes(b"")
    (tmp_path / "坏.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    (tmp_path / "乱码.xls").write_bytes(bytes(range(256)) * 8)
    report = ingest_paths([tmp_path], settings)
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name[good.name].status == "stored"
    for name in ("空.xlsx", "坏.xlsx", "乱码.xls"):
        assert by_name[name].status == "failed", name
        assert by_name[name].message
    assert report.needs_attention
    assert _count(settings, "files") == 1


def test_same_file_twice_is_a_no_op(tmp_path: Path, settings: Settings) -> None:
    path = _form(tmp_path / "低保.xlsx")
    ingest_paths([path], settings)
    before = _count(settings, "observations")
    (again,) = ingest_paths([path], settings).files
    assert again.status == "unchanged"
    assert _count(settings, "observations") == before


def test_new_version_needs_replace(tmp_path: Path, settings: Settings) -> None:
    ingest_paths([_form(tmp_path / "2026年9月低保.xlsx", "2026年9月城乡低保对象花名册")], settings)
    newer = _form(tmp_path / "2026年10月低保.xlsx", "2026年10月城乡低保对象花名册", ROWS[:1])
    (held,) = ingest_paths([newer], settings).files
    assert held.status == "needs-replace"
    assert _count(settings, "form_rows") == 2
    (replaced,) = ingest_paths([newer], settings, replace=True).files
    assert replaced.status == "replaced"
    assert _count(settings, "form_rows") == 1
    assert _count(settings, "files") == 1


def test_failure_while_storing_leaves_nothing(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = Store.append

    def failing(self: Store, table: str, frame: object) -> None:
        if table == "findings":
            raise OSError("disk full")
        original(self, table, frame)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "append", failing)
    with pytest.raises(OSError, match="disk full"):
        ingest_paths([_form(tmp_path / "低保.xlsx")], settings)
    for table in ("files", "forms", "form_columns", "observations", "findings"):
        assert _count(settings, table) == 0, table


def test_form_key_ignores_periods() -> None:
    assert make_form_key("民政", "2026年10月城乡低保对象花名册", "") == make_form_key(
        "民政", "2026年第三季度城乡低保对象花名册（）", ""
    )
    assert make_form_key("民政", "低保花名册", "") != make_form_key("残联", "低保花名册", "")


def test_same_form_from_another_unit_is_another_submission(
    tmp_path: Path, settings: Settings
) -> None:
    ingest_paths([_form(tmp_path / "甲.xlsx", unit="红旗镇民政办")], settings)
    (other,) = ingest_paths(
        [_form(tmp_path / "乙.xlsx", rows=ROWS[:1], unit="白云街道民政办")], settings
    ).files
    assert other.status == "stored"
    with Store.open(settings.database, read_only=True) as store:
        keys = store.frame("SELECT DISTINCT form_key FROM forms")
    assert keys.height == 1  # still one form of the department, filled by two units


def test_reader_notes_reach_the_summary(tmp_path: Path, settings: Settings) -> None:
    page = tmp_path / "网页导出.xls"
    rows = "".join(
        f"<tr><td>{name}</td><td>{number}</td></tr>"
        for name, number in [("张三", "11010519491231002X"), ("李四", "110105194912310021")]
    )
    page.write_text(
        f"<html><body><table><tr><td>姓名</td><td>身份证号</td></tr>{rows}</table></body></html>",
        encoding="utf-8",
    )
    (outcome,) = ingest_paths([page], settings).files
    assert outcome.status == "stored"
    assert "HTML" in outcome.message or "网页" in outcome.message

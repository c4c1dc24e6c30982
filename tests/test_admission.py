"""`ybt check` (报表准入): the bundled examples against a workspace of the sample county."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import COUNTY, ROOT
from yibiaotong.admission import (
    COLLECT,
    DIRECT,
    PARTIAL,
    AdmissionReport,
    check_form,
    extension_document,
    guess_type,
    register_form,
    report_as_data,
    write_extension,
    write_review_sheet,
)
from yibiaotong.cli import app
from yibiaotong.cli import check_commands as _check_commands  # registers `ybt check`
from yibiaotong.cli.boundary import run
from yibiaotong.errors import UsageError
from yibiaotong.ingest import ingest_paths
from yibiaotong.model import Severity
from yibiaotong.review_samples import masked_sample, review_columns
from yibiaotong.schema import Schema, lint_schema, load_schema
from yibiaotong.settings import Settings, load_settings
from yibiaotong.storage import Store, init_workspace

assert _check_commands
EXAMPLES = ROOT / "examples" / "check"
RESUBMITTED = EXAMPLES / "残疾人基本状况摸底表.xlsx"
RENAMED = EXAMPLES / "高龄老人补贴申领登记表.xlsx"
NEW_DATA = EXAMPLES / "电动自行车充电设施排查表.xlsx"
TABLES = (
    "files",
    "forms",
    "form_columns",
    "form_rows",
    "observations",
    "findings",
    "decisions",
    "entities",
    "row_entities",
    "ledger_values",
    "conflicts",
)


@pytest.fixture(scope="session")
def county_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = init_workspace(tmp_path_factory.mktemp("admission") / "ws", county="青山旗")
    ingest_paths([COUNTY], load_settings({"workspace": folder, "workers": 0}, environ={}))
    return folder


@pytest.fixture(scope="session")
def county_settings(county_workspace: Path) -> Settings:
    return load_settings({"workspace": county_workspace, "workers": 0}, environ={})


@pytest.fixture(scope="session")
def schema() -> Schema:
    return load_schema()


def _check(path: Path, settings: Settings, schema: Schema) -> AdmissionReport:
    with Store.open(settings.database, read_only=True) as store:
        return check_form(path, store, schema, settings)


def _counts(settings: Settings) -> dict[str, int]:
    with Store.open(settings.database, read_only=True) as store:
        return {table: int(store.scalar(f"SELECT count(*) FROM {table}")) for table in TABLES}


# -- the three kinds of form ---------------------------------------------------------------------


def test_resubmitted_form_can_be_generated_from_the_ledgers(
    county_settings: Settings, schema: Schema
) -> None:
    report = _check(RESUBMITTED, county_settings, schema)
    (form,) = report.forms
    assert (report.verdict, report.exit_code, form.verdict) == (DIRECT, 0, DIRECT)
    assert form.template
    assert form.department == "残联"
    assert form.data_columns == form.prefilled == form.known == 14
    data = [c for c in form.columns if c.status != "layout"]
    assert all(c.completeness is not None and c.completeness > 0 for c in data)
    assert all(c.forms >= 1 and c.source for c in data)
    by_letter = {c.letter: c for c in form.columns}
    assert by_letter["G"].element == "disability_cert_no"
    assert by_letter["G"].ledger == "disabled"
    assert "残联" in by_letter["G"].departments
    # The form it re-submits is named: every known element of it is already collected there.
    assert form.overlapping[0].title == "青山旗持证残疾人基本信息台账"
    assert form.overlapping[0].shared == form.overlapping[0].of == 14


RENAMED_EXPECTED = {
    "A": ("layout", None),
    "B": ("known", "name"),  # 老人姓名
    "C": ("known", "id_number"),  # 身份证件号码
    "D": ("known", "sex"),
    "E": ("known", "birth_date"),  # 出生年月日
    "F": ("known", "hukou_address"),  # 户口所在地
    "G": ("known", "phone"),  # 联系方式（手机）
    "H": ("known", "guardian_name"),  # 监护人信息/姓名: a role from the group header
    "I": ("known", "guardian_phone"),  # 监护人信息/联系电话
    "J": ("known", "child_phone"),  # 赡养人电话: a role prefix
    "K": ("known", "subsidy_standard"),  # 补贴标准（元/月）: a unit in brackets
    "L": ("similar", None),  # 老年优待证编号 ≈ 优抚证号: a reviewer decides
    "M": ("note", None),  # 备注
}


def test_renamed_columns_are_judged_one_by_one(county_settings: Settings, schema: Schema) -> None:
    report = _check(RENAMED, county_settings, schema)
    (form,) = report.forms
    judged = {c.letter: (c.status, c.element) for c in form.columns}
    assert judged == RENAMED_EXPECTED
    similar = next(c for c in form.columns if c.letter == "L")
    assert similar.candidates[0].element == "pension_cert_no"
    assert 0.55 <= similar.candidates[0].score < 0.85
    assert (form.data_columns, form.prefilled, form.similar, form.new) == (11, 10, 1, 0)
    assert (report.verdict, report.exit_code) == (PARTIAL, 1)
    assert {c.ledger for c in form.columns if c.letter in "HI"} == {"minor"}


def test_new_data_needs_collection_and_its_extension_lints_clean(
    county_settings: Settings, schema: Schema, tmp_path: Path
) -> None:
    report = _check(NEW_DATA, county_settings, schema)
    (form,) = report.forms
    assert (report.verdict, report.exit_code) == (COLLECT, 3)
    assert form.ledger == "facility"  # from its known columns 管理人, 联系电话
    proposed = {p.name: p for p in form.proposed}
    assert set(proposed) == {
        "充电桩数量",
        "充电端口数",
        "日均停放电动车数",
        "是否具备定时断电功能",
        "是否配备灭火器材",
        "充电区域与住宅是否分隔",
    }
    assert {p.ledger for p in proposed.values()} == {"facility"}
    assert proposed["充电桩数量"].type == "integer"
    assert proposed["充电桩数量"].unit == "个"
    assert proposed["充电桩数量"].aliases == ("充电桩数量（个）",)
    assert proposed["是否配备灭火器材"].type == "flag"
    assert all(p.source == "应急管理" for p in proposed.values())

    extension = write_extension(extension_document(report, schema), tmp_path / "充电设施.yaml")
    findings = lint_schema(extension)
    assert not [f for f in findings if f.severity is Severity.ERROR], findings
    extended = load_schema([extension])
    assert {p.id for p in proposed.values()} <= set(extended.elements)

    # With the extension, the new columns are known elements (without data yet).
    again = check_form(NEW_DATA, None, extended, county_settings)
    new_ids = {c.letter: c.element for c in again.forms[0].columns if c.letter in "GHIJKL"}
    assert new_ids == {c.letter: c.proposed.id for c in form.columns if c.proposed is not None}
    assert again.forms[0].new == 0


def test_a_plain_check_writes_nothing(county_settings: Settings, schema: Schema) -> None:
    before = _counts(county_settings)
    with Store.open(county_settings.database) as store:  # writable, to prove the check itself
        for path in (RESUBMITTED, RENAMED, NEW_DATA):
            check_form(path, store, schema, county_settings)
    assert _counts(county_settings) == before
    assert not (county_settings.database.parent / "schema_extensions").exists()


def test_without_a_workspace_the_schema_alone_judges(
    county_settings: Settings, schema: Schema
) -> None:
    report = check_form(RESUBMITTED, None, schema, county_settings)
    assert not report.workspace
    assert report.verdict == DIRECT
    assert all(c.completeness is None for c in report.forms[0].columns)
    assert len(report.forms[0].reasons) >= 2  # the verdict, and that no ledger was consulted


def test_a_file_without_a_form_is_a_usage_error(
    county_settings: Settings, schema: Schema, tmp_path: Path
) -> None:
    empty = tmp_path / "空表.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(UsageError):
        check_form(empty, None, schema, county_settings)
    with pytest.raises(UsageError):
        check_form(tmp_path / "nowhere.xlsx", None, schema, county_settings)


# -- registering ---------------------------------------------------------------------------------


@pytest.fixture
def own_workspace(county_workspace: Path, tmp_path: Path) -> Settings:
    copy = tmp_path / "ws"
    shutil.copytree(county_workspace, copy)
    return load_settings({"workspace": copy, "workers": 0}, environ={})


def test_register_stores_a_template_form(own_workspace: Settings, schema: Schema) -> None:
    before = _counts(own_workspace)
    with Store.open(own_workspace.database) as store:
        registration = register_form(RESUBMITTED, store, schema, own_workspace)
        row = store.frame(
            "SELECT title, department, template, data_rows FROM forms WHERE title = ?",
            ["青山旗残疾人基本状况摸底表"],
        ).to_dicts()
        columns = store.scalar(
            "SELECT count(*) FROM form_columns JOIN forms USING (form_id) WHERE title = ?",
            ["青山旗残疾人基本状况摸底表"],
        )
    assert registration.outcome.status == "stored"
    assert registration.extension is None  # nothing new to propose
    assert row == [
        {
            "title": "青山旗残疾人基本状况摸底表",
            "department": "残联",
            "template": True,
            "data_rows": 0,
        }
    ]
    assert columns == 15
    after = _counts(own_workspace)
    assert after["forms"] == before["forms"] + 1
    assert after["ledger_values"] == before["ledger_values"]


def test_register_writes_the_proposed_extension(own_workspace: Settings, schema: Schema) -> None:
    with Store.open(own_workspace.database) as store:
        first = register_form(NEW_DATA, store, schema, own_workspace)
        again = register_form(NEW_DATA, store, schema, own_workspace)
    assert first.outcome.status == "stored"
    assert first.extension is not None
    assert first.extension.parent == own_workspace.require_workspace() / "schema_extensions"
    assert first.proposed == 6
    assert not [f for f in lint_schema(first.extension) if f.severity is Severity.ERROR]
    assert again.outcome.status == "unchanged"
    assert again.extension is None  # registered once; the extension is not written twice


# -- the command ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "code", "verdict"),
    [(RESUBMITTED, 0, "可由台账直接生成"), (RENAMED, 1, "部分预填"), (NEW_DATA, 3, "需新增采集")],
    ids=["0", "1", "3"],
)
def test_exit_status_is_the_verdict(
    county_workspace: Path, path: Path, code: int, verdict: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(app, ["check", str(path), "-w", str(county_workspace)]) == code
    assert verdict in capsys.readouterr().out


def test_usage_errors_exit_2(
    county_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = ["-w", str(county_workspace)]
    assert run(app, ["check", str(tmp_path / "nowhere.xlsx"), *workspace]) == 2
    assert run(app, ["check", str(RENAMED), "--out", str(tmp_path / "a.txt"), *workspace]) == 2
    broken = tmp_path / "坏文件.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    assert run(app, ["check", str(broken), *workspace]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_json_equals_the_library(
    county_workspace: Path,
    county_settings: Settings,
    schema: Schema,
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    assert run(app, ["check", str(RENAMED), "-w", str(county_workspace), "--json"]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed == report_as_data(_check(RENAMED, county_settings, schema))
    assert printed["forms"][0]["columns"][1]["status_label"] == "已有"


def test_review_sheets(county_settings: Settings, schema: Schema, tmp_path: Path) -> None:
    report = _check(NEW_DATA, county_settings, schema)
    markdown = write_review_sheet(report, tmp_path / "审核单.md").read_text(encoding="utf-8")
    assert "需新增采集" in markdown
    assert "| G | 充电桩数量（个） | 新增 |" in markdown
    book = load_workbook(write_review_sheet(report, tmp_path / "审核单.xlsx"))
    sheet = book.worksheets[0]
    texts = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "需新增采集" in texts
    assert "充电桩数量（个）" in texts
    # Personal values in the samples are masked: no whole phone number anywhere.
    assert not any(re.search(r"1[3-9]\d{9}", str(text)) for text in texts)
    assert any("139****0001" in str(text) for text in texts)


def test_cli_register_and_review_file(
    own_workspace: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = str(own_workspace.require_workspace())
    out = tmp_path / "审核单.xlsx"
    code = run(app, ["check", str(NEW_DATA), "-w", folder, "--register", "--out", str(out)])
    assert code == 3
    assert out.exists()
    assert list((Path(folder) / "schema_extensions").glob("*.yaml"))
    with Store.open(own_workspace.database, read_only=True) as store:
        assert (
            store.scalar(
                "SELECT count(*) FROM forms WHERE department = '应急管理' "
                "AND title LIKE '%充电设施%'"
            )
            == 1
        )
    assert "schema_extensions" in capsys.readouterr().out


# -- review workflow: samples and a score filter -------------------------------------------------


def test_review_columns_show_masked_samples_above_a_score(
    county_settings: Settings, schema: Schema
) -> None:
    with Store.open(county_settings.database, read_only=True) as store:
        everything = review_columns(store, schema, include_all=True)
        above = review_columns(store, schema, include_all=True, min_score=0.9)
        waiting = review_columns(store, schema)
    assert above
    assert len(above) < len(everything)
    assert all(float(str(row["score"])) >= 0.9 for row in above)
    scores = [float(str(row["score"])) for row in waiting]
    assert scores == sorted(scores, reverse=True)
    assert sum(1 for row in everything if row["samples"]) > len(everything) // 2
    # Credit codes are public (some are all digits); every other ID-like value is masked.
    samples = [
        s
        for row in everything
        if row["element"] != "uscc"
        for s in row["samples"]  # type: ignore[attr-defined]
    ]
    assert not any(re.fullmatch(r"\d{17}[\dXx]", s) for s in samples)
    assert not any(re.fullmatch(r"1[3-9]\d{9}", s) for s in samples)
    ids = next(row for row in everything if row["element"] == "id_number")
    assert all("*" in s for s in ids["samples"])  # type: ignore[attr-defined]


def test_masked_sample(schema: Schema) -> None:
    assert masked_sample("110101199003071234", None) == "110101********1234"
    assert masked_sample("13800138000", None) == "138****8000"
    assert masked_sample("张三丰", schema.elements["name"]) == "张**"
    assert masked_sample("91150999MA0N1234X5", schema.elements["uscc"]) == "91150999MA0N1234X5"
    assert masked_sample("12", None) == "12"


@pytest.mark.parametrize(
    ("header", "unit", "samples", "kind", "expected"),
    [
        ("充电桩数量", "个", [], "text", "integer"),
        ("是否配备灭火器", None, [], "text", "flag"),
        ("检查日期", None, [], "text", "date"),
        ("补助金额", "元", [], "text", "decimal"),
        ("管理人电话", None, [], "text", "phone"),
        ("情况说明", None, [], "text", "text"),
        ("情况", None, ["有", "无", "有"], "text", "flag"),
        ("装机容量", None, ["1.5", "2", "3.25"], "number", "decimal"),
        ("建成时间", None, ["2020-01-02", "2021-03-04", "2022-05-06"], "date", "date"),
    ],
)
def test_guess_type(
    header: str, unit: str | None, samples: list[str], kind: str, expected: str
) -> None:
    assert guess_type(header, unit, samples, kind) == expected


def test_examples_are_what_the_script_makes(tmp_path: Path) -> None:
    import runpy

    script = runpy.run_path(str(EXAMPLES / "make_examples.py"))
    script["main"](["--out", str(tmp_path)])
    for path in (RESUBMITTED, RENAMED, NEW_DATA):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_grouped_new_columns_round_trip_through_their_extension(
    county_settings: Settings, schema: Schema, tmp_path: Path
) -> None:
    form_file = COUNTY / "民政局" / "冬春救助花名册.xls"  # 需救助类型/口粮 … under a group header
    report = _check(form_file, county_settings, schema)
    proposed = {c.letter: c.proposed for c in report.forms[0].columns if c.proposed}
    assert proposed["I"].name == "需救助类型口粮"
    assert proposed["I"].type == "flag"
    assert "口粮" in proposed["I"].aliases  # the matcher compares the leaf
    filler = next(c for c in report.forms[0].columns if c.letter == "S")  # 村级填报人姓名
    assert filler.samples
    assert all(sample.endswith("*") for sample in filler.samples)  # names masked
    extension = write_extension(extension_document(report, schema), tmp_path / "冬春.yaml")
    assert lint_schema(extension) == []
    again = check_form(form_file, None, load_schema([extension]), county_settings)
    known = {c.letter: c.element for c in again.forms[0].columns if c.status == "known"}
    assert {letter: known.get(letter) for letter in proposed} == {
        letter: p.id for letter, p in proposed.items()
    }


def test_a_file_gets_the_worst_verdict_of_its_forms(
    county_settings: Settings, schema: Schema
) -> None:
    report = _check(COUNTY / "人社局" / "城乡居民养老保险名册.xlsx", county_settings, schema)
    assert len(report.forms) == 2
    assert {form.verdict for form in report.forms} == {DIRECT, PARTIAL}
    assert (report.verdict, report.exit_code) == (PARTIAL, 1)

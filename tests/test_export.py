"""`ybt export` on the real sample county: round trip, collect once, least privilege, masks,
formula neutralisation, the audit log, CSV, golden dumps and LibreOffice."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

import yibiaotong.cli.export_commands  # noqa: F401 - registers `ybt export` on the app
from tests.conftest import COUNTY, ROOT
from yibiaotong.cli import app
from yibiaotong.errors import UsageError
from yibiaotong.export import (
    MASKS_FILE,
    ExportContext,
    ExportOptions,
    ExportSummary,
    FormSheet,
    SheetColumn,
    build_form_sheet,
    export_forms,
    export_log,
    load_forms,
    load_snapshot,
    main_ledger,
    mask_policy,
    render_form,
    render_workbook,
)
from yibiaotong.export.sheet import FormStats
from yibiaotong.export.snapshot import Drawing, StoredForm
from yibiaotong.export.styles import DateStyle, infer_code_style, infer_date_style
from yibiaotong.export.text import render_line
from yibiaotong.ingest import ingest_paths, make_form_key
from yibiaotong.matching import path_key
from yibiaotong.model import column_letter
from yibiaotong.reading import read_workbook
from yibiaotong.resolve import rebuild_ledgers
from yibiaotong.schema import Schema, load_schema
from yibiaotong.settings import Settings, load_settings
from yibiaotong.storage import Decision, Store, init_workspace
from yibiaotong.values import ColumnRules, cell_text, normalise_column

GOLDEN = ROOT / "tests" / "golden" / "export"
GOLDEN_FORMS = {
    "dibao-roster": "民政|青山旗城乡低保对象花名册",
    "social-org-party": "民政|社会组织党建情况表",
    "left-behind-children": "民政|农村留守儿童摸底表|留守儿童",
}
PARTY_MEMBERS = "组织部|党员基本信息采集表"
FIXED_TIME = dt.datetime(2026, 11, 1, 9, 0)
NEW_PHONE = "13912345678"


# -- fixtures --------------------------------------------------------------------------------


def _settings(folder: Path) -> Settings:
    return load_settings({"workspace": folder, "workers": 0}, environ={})


@pytest.fixture(scope="session")
def schema() -> Schema:
    return load_schema(())


@pytest.fixture(scope="session")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample county ingested once; tests that change it work on a copy."""
    folder = init_workspace(tmp_path_factory.mktemp("export") / "county", county="青山旗")
    ingest_paths([COUNTY], _settings(folder))
    return folder


@pytest.fixture(scope="session")
def full_export(
    county: Path, schema: Schema, tmp_path_factory: pytest.TempPathFactory
) -> ExportSummary:
    """Every form of the county, unmasked."""
    out = tmp_path_factory.mktemp("full-export")
    with Store.open(_settings(county).database) as store:
        return export_forms(
            store, schema, _settings(county), ExportOptions(out=out, masks=("none",))
        )


@pytest.fixture
def county_copy(county: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "county"
    shutil.copytree(county, copy)
    return copy


def _stored(county: Path) -> dict[str, StoredForm]:
    with Store.open(_settings(county).database, read_only=True) as store:
        return {form.form_key: form for form in load_forms(store)}


def _data_rows(path: Path, result: Any, form: StoredForm) -> Iterator[dict[int, Any]]:
    """The data rows of one exported form: sheet column → value."""
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = book[result.sheet]
    rows = sheet.iter_rows(min_row=form.header_last + 1, max_row=form.header_last + result.rows)
    for row in rows:
        yield dict(enumerate(cell.value for cell in row))
    book.close()


# -- the whole county ------------------------------------------------------------------------


def test_every_form_gets_a_file_per_department(full_export: ExportSummary, county: Path) -> None:
    stored = _stored(county)
    assert {f.form_key for f in full_export.forms} == set(stored)
    assert len(full_export.forms) == 106
    folders = {Path(f.path).parent.name for f in full_export.forms}
    assert len(folders) == 20
    for result in full_export.forms:
        assert Path(result.path).is_file()
        assert oct(Path(result.path).stat().st_mode & 0o777) == "0o600"
    totals = full_export.totals()
    assert totals["from_others"] > 5000  # values another department collected
    assert totals["added"] > 0


def test_a_workbook_of_several_forms_stays_one_workbook(full_export: ExportSummary) -> None:
    pension = [f for f in full_export.forms if "城乡居民养老保险名册" in f.path]
    assert len(pension) == 2
    assert len({f.path for f in pension}) == 1
    book = openpyxl.load_workbook(pension[0].path, read_only=True)
    assert book.sheetnames == ["待遇领取", "参保缴费", "说明"]


def _pin_mapping(county: Path, target: Path, summary: ExportSummary) -> None:
    """Carry the county's header decisions over, so both workspaces read the same columns, and
    its entity-id secret, so both name the same entities alike."""
    results = {f.form_key: f for f in summary.forms}
    with Store.open(_settings(county).database, read_only=True) as store:
        columns = store.frame(
            "SELECT f.form_key, f.department, fc.path, fc.element_id FROM forms f "
            "JOIN form_columns fc USING (form_id) WHERE fc.status <> 'layout'"
        )
        secret = store.scalar("SELECT value FROM ybt_meta WHERE key = 'pseudonym_key'")
    with Store.open(_settings(target).database) as store:
        store.connection.execute(
            "UPDATE ybt_meta SET value = ? WHERE key = 'pseudonym_key'", [secret]
        )
        for row in columns.iter_rows(named=True):
            result = results[row["form_key"]]
            key = make_form_key(row["department"], result.title, result.sheet)
            path = path_key(row["path"].split("/"))
            store.save_decision(Decision(key, path, row["element_id"]))


def _ledger(folder: Path) -> tuple[dict[tuple[str, str], str], dict[str, set[str]], set[str]]:
    """(entity, element) → value; person → entities their rows link to; row-keyed entities."""
    with Store.open(_settings(folder).database, read_only=True) as store:
        values = {
            (e, el): v
            for e, el, v in store.connection.execute(
                "SELECT entity_id, element_id, value FROM ledger_values"
            ).fetchall()
        }
        linked: dict[str, set[str]] = defaultdict(set)
        for person, entity in store.connection.execute(
            "SELECT a.entity_id, b.entity_id FROM row_entities a JOIN row_entities b "
            "USING (form_id, row_no) WHERE a.kind = 'person' AND a.relation = 'self'"
        ).fetchall():
            linked[person].add(entity)
        by_row = {
            e
            for (e,) in store.connection.execute(
                "SELECT entity_id FROM entities WHERE key_kind = 'row'"
            ).fetchall()
        }
    return values, linked, by_row


def test_round_trip_reproduces_the_ledgers(
    full_export: ExportSummary, county: Path, tmp_path: Path
) -> None:
    """Ingesting the exports gives back every ledger value of every keyed entity, unchanged.

    Row-keyed entities (records, persons without a usable ID) get new ids from new files, so
    they are left out. A value the county attached to a person only because the row named no
    household may now sit on the household: the export filled the row's 与户主关系 from the
    ledgers, so the new workspace links that household."""
    fresh = init_workspace(tmp_path / "fresh", county="青山旗")
    _pin_mapping(county, fresh, full_export)
    report = ingest_paths([Path(full_export.out)], _settings(fresh))
    assert report.totals()["forms"] == 106
    before, _links, row_keyed = _ledger(county)
    after, linked, _rows = _ledger(fresh)
    checked = 0
    for (entity, element), value in before.items():
        if entity in row_keyed:
            continue
        checked += 1
        if (entity, element) in after:
            assert after[(entity, element)] == value, (entity, element)
        else:
            moved = [after.get((other, element)) for other in linked.get(entity, ())]
            assert value in moved, (entity, element, value)
    assert checked > 30000


def test_collect_once(county_copy: Path, schema: Schema, tmp_path: Path) -> None:
    """A phone changed in 公安's 实有人口 form shows in every other form that asks for it."""
    settings = _settings(county_copy)
    with Store.open(settings.database, read_only=True) as store:
        form_id, id_letter, phone_letter = store.connection.execute(
            "SELECT f.form_id, max(fc.letter) FILTER (WHERE fc.element_id = 'id_number'), "
            "max(fc.letter) FILTER (WHERE fc.element_id = 'phone') FROM forms f "
            "JOIN form_columns fc USING (form_id) WHERE f.title = '实有人口信息登记表' GROUP BY 1"
        ).fetchone()
        _person, row_no, number, forms = store.connection.execute(
            """
            SELECT re.entity_id, min(re.row_no), any_value(e.key_value),
                   (SELECT count(DISTINCT o.form_id) FROM row_entities o JOIN form_columns fc
                    USING (form_id) WHERE o.entity_id = re.entity_id AND fc.element_id = 'phone')
            FROM row_entities re JOIN entities e USING (entity_id)
            WHERE re.form_id = ? AND re.kind = 'person' AND e.key_kind = 'id_number'
              AND re.entity_id NOT IN (SELECT entity_id FROM conflicts)
            GROUP BY 1 ORDER BY 4 DESC, 1 LIMIT 1
            """,
            [form_id],
        ).fetchone()
    assert forms >= 4  # the person is asked for a phone by several forms
    source = COUNTY / "公安局" / "实有人口登记表.xlsx"
    changed = tmp_path / "公安局" / source.name
    changed.parent.mkdir()
    book = openpyxl.load_workbook(source)
    sheet = book.active
    assert sheet is not None
    assert str(sheet[f"{id_letter}{row_no}"].value) == number
    sheet[f"{phone_letter}{row_no}"].value = NEW_PHONE
    for row in sheet.iter_rows(max_row=3):
        for cell in row:
            if isinstance(cell.value, str) and "2026年10月31日" in cell.value:
                cell.value = cell.value.replace("2026年10月31日", "2026年11月30日")
    book.save(changed)
    assert ingest_paths([changed], settings, replace=True).totals()["failed"] == 0

    stored = _stored(county_copy)
    asking = [f for f in stored.values() if "phone" in f.elements and "id_number" in f.elements]
    with Store.open(settings.database) as store:
        summary = export_forms(
            store,
            schema,
            settings,
            ExportOptions(
                forms=tuple(f.form_key for f in asking), out=tmp_path / "out", masks=("none",)
            ),
        )
    seen: dict[str, str] = {}
    for result in summary.forms:
        form = stored[result.form_key]
        ids = [c.index for c in form.columns if c.element == "id_number"]
        phones = [c.index for c in form.columns if c.element == "phone"]
        for row in _data_rows(Path(result.path), result, form):
            if row.get(ids[0]) == number:
                seen[result.title] = row.get(phones[0])
    departments = {stored[r.form_key].department for r in summary.forms if r.title in seen}
    assert len(seen) >= 3
    assert len(departments - {"公安"}) >= 2
    assert set(seen.values()) == {NEW_PHONE}, seen


def test_least_privilege_every_form(
    full_export: ExportSummary, county: Path, schema: Schema
) -> None:
    """Each generated form has exactly its own columns and header cells, nothing beside them,
    and every value in a column is a value of that column's element (or the form's own cell)."""
    stored = _stored(county)
    with Store.open(_settings(county).database, read_only=True) as store:
        snapshot = load_snapshot(store, list(stored.values()), [])
        holders = defaultdict(set)
        for element, value in store.connection.execute(
            "SELECT element_id, value FROM ledger_values"
        ).fetchall():
            holders[element].add(value)
            if schema.elements[element].type == "date":
                holders[element].add(value[:7])  # a form writing year and month only
    books: dict[str, Any] = {}
    for result in full_export.forms:
        form = stored[result.form_key]
        assert sorted(set(result.elements)) == sorted(set(form.elements)), form.title
        book = books.setdefault(result.path, openpyxl.load_workbook(result.path, read_only=True))
        drawing = form.drawing
        rows = list(book[result.sheet].iter_rows(values_only=True))
        assert max(map(len, rows)) <= drawing.last_column + 1, form.title
        for row, expected in zip(
            rows[form.header_first - 1 :], drawing.top_rows[form.header_first - 1 :], strict=False
        ):
            texts = list(row[drawing.first_column :])
            assert texts + [None] * (len(expected) - len(texts)) == list(expected), form.title
        columns: dict[int, list[Any]] = defaultdict(list)
        for row in rows[form.header_last : form.header_last + result.rows]:
            for index, value in enumerate(row):
                if value is not None:
                    assert drawing.first_column <= index <= drawing.last_column
                    columns[index].append(value)
        own = snapshot.cells.get(form.form_id, {})
        for column in form.columns:
            if column.element is not None and columns[column.index]:
                raws = {raw for (_row, index), (raw, _v) in own.items() if index == column.index}
                _assert_values_of(schema, column.element, columns[column.index], holders, raws)
    for book in books.values():
        book.close()


def _assert_values_of(
    schema: Schema, element_id: str, cells: list[Any], holders: dict[str, set[str]], raws: set[str]
) -> None:
    """Every cell holds a value of the element (as the ingest normaliser reads it back) or the
    form's own cell as it was written."""
    element = schema.elements[element_id]
    if element.type in {"text", "name", "address"}:
        found: list[Any] = [str(cell) for cell in cells]  # written as the ledger holds them
    else:
        code_list = schema.code_lists.get(element.code_list or "")
        rules = ColumnRules(type=element.type, code_list=code_list)
        found = normalise_column(cells, rules)["value"].to_list()
    for value, cell in zip(found, cells, strict=True):
        assert value in holders[element_id] or str(cell) in raws, (element_id, cell)


# -- masks -----------------------------------------------------------------------------------


def _export_one(
    folder: Path, schema: Schema, key: str, out: Path, *masks: str
) -> tuple[Any, StoredForm]:
    settings = _settings(folder)
    with Store.open(settings.database) as store:
        summary = export_forms(
            store, schema, settings, ExportOptions(forms=(key,), out=out, masks=masks)
        )
    return summary.forms[0], _stored(folder)[key]


def _column(rows: list[dict[int, Any]], form: StoredForm, element: str) -> list[Any]:
    index = next(c.index for c in form.columns if c.element == element)
    return [row.get(index) for row in rows if row.get(index) is not None]


def test_default_masks_come_from_the_schema(county: Path, schema: Schema, tmp_path: Path) -> None:
    result, form = _export_one(county, schema, GOLDEN_FORMS["dibao-roster"], tmp_path)
    rows = list(_data_rows(Path(result.path), result, form))
    ids, phones, accounts = (_column(rows, form, e) for e in ("id_number", "phone", "account_no"))
    assert ids
    assert all(re.fullmatch(r"\d{6}\*{8}[\dX]{4}", v) for v in ids)
    assert phones
    assert all(re.fullmatch(r"\d{3}\*{4}\d{4}", v) for v in phones)
    assert accounts
    assert all(re.fullmatch(r"\*{8}\d{4}", v) for v in accounts)
    assert result.masks == {
        "id_number": "id_middle",
        "phone": "phone_middle",
        "account_no": "account_tail",
    }
    names = _column(rows, form, "head_name")
    assert names
    assert not any("*" in v for v in names)


def test_masks_overridden_per_run_and_per_form(
    county_copy: Path, schema: Schema, tmp_path: Path
) -> None:
    key = GOLDEN_FORMS["dibao-roster"]
    result, form = _export_one(county_copy, schema, key, tmp_path / "a", "id_number=id_tail")
    rows = list(_data_rows(Path(result.path), result, form))
    assert all(re.fullmatch(r"\d{10}\*{8}", v) for v in _column(rows, form, "id_number"))
    (county_copy / MASKS_FILE).write_text(f'"{key}":\n  公民身份号码: none\n', encoding="utf-8")
    result, form = _export_one(county_copy, schema, key, tmp_path / "b")
    rows = list(_data_rows(Path(result.path), result, form))
    ids = _column(rows, form, "id_number")
    assert not any("*" in v for v in ids)  # shown in full (a damaged one as the form wrote it)
    assert sum(bool(re.fullmatch(r"\d{17}[\dX]", v)) for v in ids) >= len(ids) - 2
    assert all("*" in v for v in _column(rows, form, "phone"))
    other = "民政|低保对象动态管理表"
    result, form = _export_one(county_copy, schema, other, tmp_path / "c")
    rows = list(_data_rows(Path(result.path), result, form))
    assert all("*" in v for v in _column(rows, form, "id_number"))  # other forms: still masked


@pytest.mark.parametrize(
    "option", ["id_number", "nothing=none", "id_number=sideways", "公民身份号码=hidden"]
)
def test_bad_mask_options_are_refused(schema: Schema, option: str) -> None:
    with pytest.raises(UsageError):
        mask_policy(schema, [option])


# -- how values are written ------------------------------------------------------------------


def test_ids_and_accounts_are_text_dates_and_codes_as_the_form_wrote_them(
    full_export: ExportSummary, county: Path
) -> None:
    stored = _stored(county)
    by_key = {r.form_key: r for r in full_export.forms}
    roster = by_key[GOLDEN_FORMS["dibao-roster"]]
    form = stored[roster.form_key]
    book = openpyxl.load_workbook(roster.path)
    sheet = book[roster.sheet]
    id_column = next(column_letter(c.index) for c in form.columns if c.element == "id_number")
    account = next(column_letter(c.index) for c in form.columns if c.element == "account_no")
    first = form.header_last + 1
    for letter in (id_column, account):
        cell = sheet[f"{letter}{first}"]
        assert cell.data_type == "s"
        assert cell.number_format == "@"
    party = by_key[PARTY_MEMBERS]
    form = stored[party.form_key]
    rows = list(_data_rows(Path(party.path), party, form))
    assert all(
        re.fullmatch(r"\d{4}\.\d{1,2}\.\d{1,2}", v) for v in _column(rows, form, "join_party_date")
    )
    assert all(isinstance(v, dt.datetime) for v in _column(rows, form, "birth_date"))
    labels = set(_column(rows, form, "sex"))
    assert labels <= {"男", "女"}


def test_styles_learnt_from_raw_texts(schema: Schema) -> None:
    assert (
        infer_date_style(["1990年5月1日", "2001年12月3日"], "text", False).write("2024-03-09")
        == "2024年3月9日"
    )
    assert infer_date_style(["1990.05.01"], "text", False).write("2024-03-09") == "2024.03.09"
    assert infer_date_style(["19900501"], "text", False).write("2024-03-09") == "20240309"
    assert infer_date_style(["1990-05"], "text", False).write("2024-03-09") == "2024-03"
    assert infer_date_style(["1990年5月"], "text", True).write("2024-03") == "2024年3月"
    assert infer_date_style([], "date", False).write("2024-03-09") == dt.date(2024, 3, 9)
    assert DateStyle().write("2024-02-30") == "2024-02-30"  # impossible dates stay as kept
    ethnicity, sex = schema.code_lists["ethnicity"], schema.code_lists["sex"]
    assert infer_code_style(ethnicity, ["汉", "汉", "回"]).write(ethnicity, "02") == "蒙古"
    assert infer_code_style(ethnicity, ["01-汉族"]).write(ethnicity, "03") == "03-回族"
    assert infer_code_style(ethnicity, ["汉族"]).write(ethnicity, "03") == "回族"
    assert infer_code_style(sex, ["1-男"]).write(sex, "2") == "2-女"
    assert infer_code_style(sex, ["1"]).write(sex, "2") == "2"
    assert infer_code_style(ethnicity, ["1", "3"]).write(ethnicity, "02") == "2"
    assert infer_code_style(ethnicity, ["02蒙古族"]).write(ethnicity, "01") == "01汉族"


def test_title_and_meta_lines_take_the_period_and_county() -> None:
    november = dt.date(2026, 11, 30)
    assert render_line("青山旗2026年10月城乡低保对象花名册", "青山旗", november) == (
        "青山旗2026年11月城乡低保对象花名册"
    )
    assert render_line("2026—2027年度冬春生活救助花名册", "青山旗", dt.date(2027, 10, 1)) == (
        "2027—2028年度冬春生活救助花名册"
    )
    assert render_line("填报日期：2026年10月31日", "", november) == "填报日期：2026年11月30日"
    assert render_line("统计截止日期：2026-10-31", "", november) == "统计截止日期：2026-11-30"
    assert render_line("2026年第三季度报表", "", november) == "2026年第四季度报表"
    assert render_line("岗位补贴（元/月）", "青山旗", november) == "岗位补贴（元/月）"


def test_as_of_moves_the_title(county: Path, schema: Schema, tmp_path: Path) -> None:
    settings = _settings(county)
    options = ExportOptions(
        forms=(GOLDEN_FORMS["dibao-roster"],), out=tmp_path, as_of=dt.date(2026, 11, 30)
    )
    with Store.open(settings.database) as store:
        result = export_forms(store, schema, settings, options).forms[0]
    sheet = openpyxl.load_workbook(result.path)[result.sheet]
    assert sheet["A1"].value == "青山旗2026年11月城乡低保对象花名册"
    assert "填报日期：2026年11月30日" in sheet["A2"].value


# -- scope -----------------------------------------------------------------------------------


def test_main_ledger(schema: Schema, county: Path) -> None:
    stored = _stored(county)
    assert main_ledger(schema, stored[GOLDEN_FORMS["dibao-roster"]].elements) == "assistance"
    assert main_ledger(schema, stored["团委|共青团员花名册"].elements) == "person"
    assert main_ledger(schema, stored["公安|实有房屋信息采集表"].elements) == "house"


def test_templates_and_category_rosters_get_new_members(full_export: ExportSummary) -> None:
    by_title = {r.title: r for r in full_export.forms}
    template = by_title["残疾人基本服务状况和需求信息动态更新表"]
    assert template.listed == 0
    assert template.rows == template.added > 50
    roster = by_title["青山旗2026年10月城乡低保对象花名册"]
    # Every 低保 household of the county is on its roster: no form reports another one (see
    # test_a_new_household_of_a_listed_category_joins_the_roster for one that does).
    assert roster.added == 0
    assert roster.rows == roster.listed
    members = by_title["共青团员花名册"]  # only base ledgers: its own list is its scope
    assert members.added == 0


def test_a_new_household_of_a_listed_category_joins_the_roster(
    county_copy: Path, schema: Schema, tmp_path: Path
) -> None:
    """Another 民政 list names a 农村低保 household the roster lacks: the roster gains it."""
    settings = _settings(county_copy)
    key = GOLDEN_FORMS["dibao-roster"]
    form = _stored(county_copy)[key]
    with Store.open(settings.database, read_only=True) as store:
        listed = {
            value
            for (value,) in store.connection.execute(
                "SELECT value FROM observations WHERE form_id = ? AND element_id = 'id_number'",
                [form.form_id],
            ).fetchall()
        }
        categories = {
            value
            for (value,) in store.connection.execute(
                "SELECT DISTINCT value FROM observations WHERE form_id = ? "
                "AND element_id = 'assistance_type' AND value IS NOT NULL",
                [form.form_id],
            ).fetchall()
        }
        # A household head of the county (from a 农牧 heads-only roster) never on the 低保 roster.
        name, number = next(
            (name, number)
            for name, number in store.connection.execute(
                "SELECT n.value, i.value FROM observations i JOIN observations n "
                "USING (form_id, row_no) JOIN forms f USING (form_id) "
                "WHERE i.element_id = 'id_number' AND i.value IS NOT NULL "
                "AND n.element_id = 'head_name' AND f.department = '农牧' ORDER BY i.value"
            ).fetchall()
            if number not in listed
        )
    code = "02" if "02" in categories else sorted(categories)[0]
    label = next(e.label for e in schema.code_lists["assistance_type"].entries if e.code == code)
    extra = tmp_path / "民政局" / "低保新增对象名单.csv"
    extra.parent.mkdir()
    extra.write_text(
        f"低保新增对象名单\n户主姓名,身份证号,救助类型,家庭人口数\n{name},{number},{label},3\n",
        encoding="utf-8",
    )
    outcome = ingest_paths([extra], settings).files[0]
    assert outcome.status == "stored", outcome.message
    result, form = _export_one(county_copy, schema, key, tmp_path / "out", "none")
    assert result.added == 1
    assert result.rows == result.listed + 1
    ids = _column(list(_data_rows(Path(result.path), result, form)), form, "id_number")
    assert ids.count(number) == 1
    assert ids[-1] == number  # new members follow the listed rows


def test_a_verified_category_outside_the_form_leaves_it(
    county_copy: Path, schema: Schema, tmp_path: Path
) -> None:
    settings = _settings(county_copy)
    key = GOLDEN_FORMS["dibao-roster"]
    form = _stored(county_copy)[key]
    with Store.open(settings.database) as store:
        entity, row_no = store.connection.execute(
            # 社会救助 is a household ledger: the category sits on the roster row's household.
            "SELECT lv.entity_id, re.row_no FROM ledger_values lv JOIN row_entities re "
            "USING (entity_id) WHERE lv.element_id = 'assistance_type' AND re.form_id = ? "
            "AND re.kind = 'household' ORDER BY re.row_no LIMIT 1",
            [form.form_id],
        ).fetchone()
        store.connection.execute(
            "INSERT INTO value_decisions VALUES (?, 'assistance_type', '03', '民政', 'x', now())",
            [entity],
        )
        rebuild_ledgers(store, schema)
        summary = export_forms(store, schema, settings, ExportOptions(forms=(key,), out=tmp_path))
    result = summary.forms[0]
    assert result.left == [row_no]
    assert result.rows == result.listed + result.added
    notes = openpyxl.load_workbook(result.path)["说明"]
    texts = [c.value for row in notes.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(f"原表第 {row_no} 行" in text for text in texts)


# -- formulas, CSV, audit --------------------------------------------------------------------

DANGEROUS = ["=1+1", "+8613800138000", "-5+3", "@SUM(A1:A2)", '=HYPERLINK("http://x")']


def _hand_made_sheet() -> FormSheet:
    """A small generated form built by hand: text that looks like formulas, an ID, a code."""
    form = StoredForm(
        form_id=1,
        form_key="测试|公式",
        department="测试",
        title="公式测试表",
        sheet="Sheet1",
        file_name="公式测试表.xlsx",
        header_first=2,
        header_last=2,
        template=False,
        as_of=dt.date(2026, 10, 31),
        has_totals=False,
        drawing=Drawing(
            0, 2, (("公式测试表", None, None), ("备注", "身份证号", "民族")), ((0, 0, 0, 2),), ()
        ),
        columns=(),
    )
    columns = (
        SheetColumn(0, "备注", None, False, "text", "none", (), False, 20),
        SheetColumn(1, "身份证号", "id_number", False, "text", "none", (), False, 22),
        SheetColumn(2, "民族", "ethnicity", False, "text", "none", ("汉族", "蒙古族"), False, 10),
    )
    rows = tuple((text, "150999199001011234", "汉族") for text in DANGEROUS)
    return FormSheet(
        form=form,
        title=form.title,
        sheet_name="Sheet1",
        top=form.drawing.top_rows,
        merges=form.drawing.merges,
        columns=columns,
        rows=rows,
        totals=None,
        footers=(),
        notes=(("说明",), ("来源", "=cmd|' /C calc'!A0")),
        main_ledger=None,
        stats=FormStats(len(rows), 0, (), 0, 0, 0, 0),
    )


def test_formula_like_text_stays_text(tmp_path: Path) -> None:
    sheet = _hand_made_sheet()
    path = render_form(sheet, tmp_path / "f.xlsx")
    book = openpyxl.load_workbook(path)
    cells = [book["Sheet1"][f"A{row}"] for row in range(3, 3 + len(DANGEROUS))]
    assert [c.value for c in cells] == DANGEROUS
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert book["说明"]["B2"].data_type == "s"
    with path.open("rb") as handle:
        import zipfile

        with zipfile.ZipFile(handle) as archive:
            xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml  # no formula anywhere
    csv_path = render_form(sheet, tmp_path / "f.csv", "csv")
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [r[0] for r in rows[2:]] == [f"'{t}" for t in DANGEROUS]
    assert rows[2][1] == "\t150999199001011234"
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_big_forms_are_streamed_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """constant_memory writing (used above STREAM_CELLS) gives the same workbook, merges too."""
    sheet = _hand_made_sheet()
    small = dump_workbook(render_form(sheet, tmp_path / "memory.xlsx"))
    monkeypatch.setattr("yibiaotong.export.writers.STREAM_CELLS", 0)
    streamed = dump_workbook(render_form(sheet, tmp_path / "streamed.xlsx"))
    assert streamed.replace("streamed", "memory") == small
    assert "merges A1:C1" in small


def test_csv_export_reads_back(county: Path, schema: Schema, tmp_path: Path) -> None:
    settings = _settings(county)
    key = GOLDEN_FORMS["dibao-roster"]
    options = ExportOptions(forms=(key,), out=tmp_path, file_format="csv", masks=("none",))
    with Store.open(settings.database) as store:
        result = export_forms(store, schema, settings, options).forms[0]
    assert result.path.endswith(".csv")
    grid = read_workbook(Path(result.path)).sheets[0].rows
    form = _stored(county)[key]
    id_index = next(c.index for c in form.columns if c.element == "id_number")
    cells = [row[id_index] for row in grid[form.header_last :] if row[id_index]]
    digits = [v for v in cells if str(v).strip().isdigit()]
    assert digits
    assert all(str(v).startswith("\t") for v in digits)  # so Excel keeps them as text
    ids = [cell_text(v) for v in cells]  # ingest strips the tab
    assert len(ids) == result.rows
    assert sum(bool(re.fullmatch(r"\d{17}[\dX]", str(v))) for v in ids) >= len(ids) - 2


def test_audit_log_records_every_export_and_notices_tampering(
    county_copy: Path, schema: Schema, tmp_path: Path
) -> None:
    settings = _settings(county_copy)
    with Store.open(settings.database) as store:
        summary = export_forms(
            store, schema, settings, ExportOptions(departments=("残联局",), out=tmp_path)
        )
        entries = [e for e in export_log(store) if e["run"] == summary.run_id]
    assert len(entries) == len(summary.forms) == 5
    assert {e["department"] for e in entries} == {"残联"}
    first = entries[-1]
    assert first["rows"] == summary.forms[0].rows
    assert first["elements"] == summary.forms[0].elements
    assert any(e["masks"].get("id_number") == "id_middle" for e in entries)
    assert all(e["intact"] for e in entries)
    runner = CliRunner()
    listed = runner.invoke(app, ["export", "--log", "--json", "-w", str(county_copy)])
    assert listed.exit_code == 0
    assert json.loads(listed.output)[: len(entries)] == entries
    with Store.open(settings.database) as store:
        store.connection.execute(
            "UPDATE export_log SET row_count = 0 WHERE entry_id = (SELECT min(entry_id) "
            "FROM export_log WHERE run_id = ?)",
            [summary.run_id],
        )
        assert not any(e["intact"] for e in export_log(store)[: len(entries)])
    broken = runner.invoke(app, ["export", "--log", "-w", str(county_copy)], terminal_width=160)
    assert broken.exit_code == 1


def test_cli_json_equals_the_library(county_copy: Path, schema: Schema, tmp_path: Path) -> None:
    key = PARTY_MEMBERS
    result = CliRunner().invoke(
        app,
        ["export", "-w", str(county_copy), "--form", key, "--out", str(tmp_path / "cli"), "--json"],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    settings = _settings(county_copy)
    with Store.open(settings.database) as store:
        library = export_forms(
            store, schema, settings, ExportOptions(forms=(key,), out=tmp_path / "lib")
        ).as_dict()
    for side in (document, library):
        side.pop("run"), side.pop("out")
        for form in side["forms"]:
            form.pop("path")
    assert document == library


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--format", "pdf"], 2),
        (["--dept", "外交部"], 2),
        (["--form", "没有这张表"], 2),
        (["--mask", "id_number=sideways"], 2),
        (["--as-of", "十月"], 2),
    ],
)
def test_cli_refuses_bad_options(county_copy: Path, args: list[str], code: int) -> None:
    from yibiaotong.cli.boundary import run

    assert run(app, ["export", "-w", str(county_copy), *args]) == code


def test_help_is_chinese() -> None:
    result = CliRunner().invoke(app, ["export", "--help"], terminal_width=100)
    assert result.exit_code == 0
    assert "用法：" in result.output
    assert "--mask" in result.output


# -- golden dumps ----------------------------------------------------------------------------


def dump_workbook(path: Path) -> str:
    """A workbook as reviewable text: per sheet its setup, merges, validations and cells."""
    book = openpyxl.load_workbook(path)
    lines: list[str] = []
    for sheet in book.worksheets:
        setup = sheet.page_setup
        lines += [
            f"== {sheet.title} {sheet.dimensions}",
            f"freeze {sheet.freeze_panes}; filter {sheet.auto_filter.ref}; "
            f"print titles {sheet.print_title_rows}; {setup.orientation} paper {setup.paperSize}",
            "merges " + " ".join(sorted(str(r) for r in sheet.merged_cells.ranges)),
        ]
        lines += [
            f"list {v.sqref}: {v.formula1} ({v.errorStyle})"
            for v in sheet.data_validations.dataValidation
        ]
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    lines.append(f"{cell.coordinate}: {cell.value!r} [{cell.number_format}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name", sorted(GOLDEN_FORMS))
def test_golden(county: Path, schema: Schema, tmp_path: Path, name: str) -> None:
    settings = _settings(county)
    with Store.open(settings.database, read_only=True) as store:
        forms = load_forms(store)
        chosen = [f for f in forms if f.form_key == GOLDEN_FORMS[name]]
        snapshot = load_snapshot(store, chosen, chosen[0].elements)
    context = ExportContext(
        "青山旗", dt.date(2026, 10, 31), FIXED_TIME, {f.form_id: f for f in forms}
    )
    sheet = build_form_sheet(chosen[0], snapshot, schema, mask_policy(schema, []), context)
    text = dump_workbook(render_workbook([sheet], tmp_path / f"{name}.xlsx"))
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("YBT_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), "run with YBT_UPDATE_GOLDEN=1 to create the golden file"
    assert text == golden.read_text(encoding="utf-8")


# -- LibreOffice -----------------------------------------------------------------------------


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def _convert(soffice: str, source: Path, folder: Path) -> list[list[str]]:
    """The first sheet of a workbook as LibreOffice computes and shows it (UTF-8 CSV)."""
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with (folder / f"{source.stem}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@pytest.mark.slow
def test_libreoffice_reads_the_values(
    full_export: ExportSummary, county: Path, schema: Schema, tmp_path: Path
) -> None:
    """LibreOffice opens the generated workbooks and shows every ID, account, phone, credit
    code and name exactly as written (never a number, never scientific notation)."""
    soffice = _soffice()
    stored = _stored(county)
    text_types = {"id_number", "account", "phone", "uscc", "name"}
    ids: list[str] = []
    for key in GOLDEN_FORMS.values():
        result = next(r for r in full_export.forms if r.form_key == key)
        form = stored[key]
        shown = _convert(soffice, Path(result.path), tmp_path)
        sheet = openpyxl.load_workbook(result.path)[result.sheet]
        for column in form.columns:
            element = schema.elements.get(column.element or "")
            if element is None or element.type not in text_types:
                continue
            for row in range(form.header_last + 1, form.header_last + result.rows + 1):
                written = sheet.cell(row, column.index + 1).value
                assert shown[row - 1][column.index] == (written or ""), (key, row)
                if element.type == "id_number" and written:
                    ids.append(shown[row - 1][column.index])
    assert len(ids) > 50
    assert not any("E+" in v for v in ids)
    assert sum(bool(re.fullmatch(r"\d{17}[\dX]", v)) for v in ids) >= len(ids) - 3


@pytest.mark.slow
def test_libreoffice_keeps_formula_text_as_text(tmp_path: Path) -> None:
    soffice = _soffice()
    path = render_form(_hand_made_sheet(), tmp_path / "formulas.xlsx")
    shown = _convert(soffice, path, tmp_path)
    assert [row[0] for row in shown[2:]] == DANGEROUS
    assert [row[1] for row in shown[2:]] == ["150999199001011234"] * len(DANGEROUS)

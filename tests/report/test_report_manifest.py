"""Every report figure against what sample_forms/manifest.json implies, computed here from the
manifest, not by calling the report code.

The manifest knows each column's element; the tool maps almost all of them and leaves a few
for review (and maps a few the manifest calls form-local). Where a figure depends on the
mapping, the expected value is computed from the manifest columns *as the tool classified
them* (read straight from the form_columns table), and the test also checks that this
classification is within a small tolerance of the manifest's own: that is the only
tolerance, and it is named where used.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text

from yibiaotong.report import Report
from yibiaotong.report.compare import compare_reports
from yibiaotong.report.render_terminal import render_terminal
from yibiaotong.report.serialise import report_to_json
from yibiaotong.schema import load_schema
from yibiaotong.settings import Settings
from yibiaotong.storage import Store

ID_ERRORS = {"id-checksum", "id-format", "id-precision-lost"}
KEY_ERRORS = {*ID_ERRORS, "uscc-checksum", "account-precision-lost"}


@dataclass(frozen=True)
class Column:
    """One manifest column with how the tool classified it."""

    form: str  # manifest form_id
    letter: str
    manifest_element: str | None
    kind: str  # manifest kind: element | serial | local
    status: str  # tool: accepted | review | layout
    tool_element: str | None


@pytest.fixture(scope="module")
def columns(county: Settings, manifest: dict[str, Any]) -> list[Column]:
    with Store.open(county.database, read_only=True) as store:
        rows = store.connection.execute(
            "SELECT fi.path, f.sheet, c.letter, c.status, c.element_id FROM form_columns c "
            "JOIN forms f USING (form_id) JOIN files fi USING (file_id)"
        ).fetchall()
    tool = {
        (Path(path).as_posix().split("sample_forms/")[1], sheet, letter): (status, element)
        for path, sheet, letter, status, element in rows
    }
    aligned = []
    for form in manifest["forms"]:
        for column in form["columns"]:
            status, element = tool[(form["file"], form["sheet"], column["letter"])]
            aligned.append(
                Column(
                    form["form_id"],
                    column["letter"],
                    column["element"],
                    column["kind"],
                    status,
                    element if status == "accepted" else None,
                )
            )
    assert len(aligned) == len(tool)  # every stored column is a manifest column
    return aligned


def _forms(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["form_id"]: f for f in manifest["forms"]}


def test_the_tool_classifies_columns_as_the_manifest_does(columns: list[Column]) -> None:
    """The tolerance every mapping-dependent figure inherits: at most 3% of the manifest's
    element columns are left for review, no accepted column carries another element than the
    manifest's, and only serial columns (and at most one local one) are layout."""
    element_columns = [c for c in columns if c.kind == "element"]
    left_for_review = [c for c in element_columns if c.status != "accepted"]
    assert len(left_for_review) <= 0.03 * len(element_columns)
    assert all(
        c.tool_element == c.manifest_element for c in element_columns if c.status == "accepted"
    )
    assert all(c.status == "layout" for c in columns if c.kind == "serial")
    assert sum(1 for c in columns if c.kind == "local" and c.status == "layout") <= 1


def test_forms_count_each_form_once(report: Report, manifest: dict[str, Any]) -> None:
    forms = manifest["forms"]
    # The manifest names a form by form_id; no form appears twice (in two periods) here, and
    # the department + title pairs are as distinct as the ids.
    assert len({f["form_id"] for f in forms}) == len(forms) == 106
    assert len({(f["department"], f["title"], f["sheet"]) for f in forms}) == 106
    assert report.figure("forms").value == 106
    assert len(report.forms) == 106
    assert sum(d.forms for d in report.departments) == 106
    assert len(report.departments) == len({f["department"] for f in forms})


def test_ledgers_are_those_of_the_used_elements(
    report: Report, columns: list[Column], manifest: dict[str, Any]
) -> None:
    schema = load_schema()
    used = {c.tool_element for c in columns if c.tool_element}
    ledgers = {schema.elements[e].ledger for e in used}
    manifest_ledgers = {
        schema.elements[c["element"]].ledger
        for f in manifest["forms"]
        for c in f["columns"]
        if c["element"]
    }
    assert ledgers == manifest_ledgers  # the few review columns cost no ledger
    assert report.figure("ledgers").value == len(ledgers)
    assert {ledger.ledger_id for ledger in report.ledgers} == ledgers
    rate = report.figure("form_reduction_rate")
    assert (rate.numerator, rate.denominator) == (len(ledgers), 106)
    assert rate.value == pytest.approx(1 - len(ledgers) / 106, abs=1e-6)
    assert report.figure("ledger_merge_ratio").value == pytest.approx(len(ledgers) / 106, abs=1e-6)


def test_field_occurrences_and_elements(
    report: Report, columns: list[Column], manifest: dict[str, Any]
) -> None:
    manifest_mapped = [c for c in columns if c.manifest_element]
    review = [c for c in manifest_mapped if c.status != "accepted"]
    local_accepted = [c for c in columns if c.kind == "local" and c.status == "accepted"]
    expected_c = len(manifest_mapped) - len(review) + len(local_accepted)
    occurrences = report.figure("field_occurrences").value
    assert occurrences == expected_c
    # Against the manifest alone: within the named tolerance (≤ 3% of columns left for review).
    assert abs(occurrences - len(manifest_mapped)) <= 0.03 * len(manifest_mapped)
    elements = {c.manifest_element for c in manifest_mapped if c.status == "accepted"} | {
        c.tool_element for c in local_accepted
    }
    assert report.figure("elements").value == len(elements)
    all_elements = {c.manifest_element for c in manifest_mapped}
    assert abs(report.figure("elements").value - len(all_elements)) <= 0.03 * len(all_elements)
    rate = report.figure("field_reduction_rate")
    assert (rate.numerator, rate.denominator) == (len(elements), expected_c)
    assert rate.value == pytest.approx(1 - len(elements) / expected_c, abs=1e-6)
    data_columns = [c for c in columns if c.status != "layout"]
    assert report.figure("unmapped_fields").value == len(data_columns) - expected_c
    assert sum(u.columns for u in report.unmapped) == len(data_columns) - expected_c


def test_filling_burden(report: Report, columns: list[Column], manifest: dict[str, Any]) -> None:
    forms = _forms(manifest)
    data = defaultdict(int)
    unmapped = defaultdict(int)
    for column in columns:
        if column.status != "layout":
            data[column.form] += 1
            unmapped[column.form] += column.tool_element is None
    rows = {key: len(form["data_rows"]) for key, form in forms.items()}
    before = sum(rows[key] * data[key] for key in forms)
    assert report.figure("cells_before").value == before
    assert report.figure("unmapped_cells").value == sum(rows[k] * unmapped[k] for k in forms)
    # Against the manifest alone (serial columns out): the tool's one local column treated as
    # layout is the whole difference.
    manifest_before = sum(
        len(f["data_rows"]) * sum(1 for c in f["columns"] if c["kind"] != "serial")
        for f in manifest["forms"]
    )
    assert 0 <= manifest_before - before <= 0.001 * manifest_before
    once = report.figure("values_once").value
    observed = report.figure("cells_observed").value
    # Blank cells are not in the manifest: non-blank cells lie between 90% and 100% of all.
    assert 0.9 * before <= observed <= before
    assert 0 < once < observed
    removed = report.figure("cells_removed")
    assert (removed.value, removed.numerator, removed.denominator) == (before - once, before, once)
    assert report.figure("fill_reduction_rate").value == pytest.approx(1 - once / before, abs=1e-6)
    assert sum(d.rows for d in report.departments) == sum(rows.values()) == 7671


def test_prefill_and_generated_forms_per_form(
    report: Report, columns: list[Column], manifest: dict[str, Any]
) -> None:
    """A column is fillable when another form that has data rows also holds its element in an
    accepted column; a form is generated when all its data columns are fillable."""
    forms = _forms(manifest)
    holders: dict[str, set[str]] = defaultdict(set)
    for column in columns:
        if column.tool_element and forms[column.form]["data_rows"]:
            holders[column.tool_element].add(column.form)
    by_title = {(f.department, f.title): f for f in report.forms}
    generated = 0
    for form_id, form in forms.items():
        data = [c for c in columns if c.form == form_id and c.status != "layout"]
        fillable = [c for c in data if c.tool_element and holders[c.tool_element] - {form_id}]
        is_generated = bool(data) and len(fillable) == len(data)
        generated += is_generated
        shown = [f for f in report.forms if f.files == (Path(form["file"]).name,)]
        shown = [
            f for f in shown if f.data_columns == len(data) and f.rows == len(form["data_rows"])
        ]
        assert shown, form_id
        assert {(f.fillable_columns, f.generated) for f in shown} == {
            (len(fillable), is_generated)
        }, form_id
    assert len(by_title) == 106
    assert report.figure("generated_forms").value == generated
    simplification = report.figure("form_simplification_rate")
    assert (simplification.numerator, simplification.denominator) == (106 - generated, 106)
    fillable_total = sum(f.fillable_columns for f in report.forms)
    data_total = sum(1 for c in columns if c.status != "layout")
    prefill = report.figure("prefill_rate")
    assert (prefill.numerator, prefill.denominator) == (fillable_total, data_total)
    rates = [f.fillable_columns / f.data_columns for f in report.forms if f.data_columns]
    assert report.figure("prefill_rate_mean").value == pytest.approx(
        sum(rates) / len(rates), abs=1e-5
    )


def test_department_rates_both_ways(report: Report) -> None:
    for department in report.departments:
        forms = [f for f in report.forms if f.department == department.department]
        assert department.prefill_rate == pytest.approx(
            sum(f.fillable_columns for f in forms) / sum(f.data_columns for f in forms), abs=1e-6
        )
        rates = [f.prefill_rate for f in forms if f.prefill_rate is not None]
        assert department.prefill_rate_mean == pytest.approx(sum(rates) / len(rates), abs=1e-6)


def test_invalid_key_cells_are_the_planted_ones(
    report: Report, columns: list[Column], manifest: dict[str, Any]
) -> None:
    """Invalid identifier cells = the planted ID / USCC / account problems in mapped columns."""
    accepted = {(c.form, c.letter) for c in columns if c.status == "accepted"}
    planted = [
        p
        for f in manifest["forms"]
        for p in f["planted"]
        if p["code"] in KEY_ERRORS
        and (f["form_id"], "".join(ch for ch in p["cell"] if ch.isalpha())) in accepted
    ]
    keys = report.quality.key_validity
    invalid = sum(k.non_blank - k.valid for k in keys)
    assert invalid == len(planted)
    rate = report.figure("valid_key_rate")
    assert rate.denominator == sum(k.non_blank for k in keys)
    assert rate.numerator == rate.denominator - len(planted)


def test_findings_by_code_cover_the_planted_problems(
    report: Report, manifest: dict[str, Any]
) -> None:
    counts = {f.code: f.count for f in report.quality.findings}
    planted: dict[str, int] = defaultdict(int)
    for form in manifest["forms"]:
        for problem in form["planted"]:
            planted[problem["code"]] += 1
    for code in ("id-checksum", "id-precision-lost", "id-format", "id-legacy-15", "uscc-checksum"):
        assert counts.get(code) == planted[code], code
    assert report.figure("error_findings").value == sum(
        f.count for f in report.quality.findings if f.severity == "error"
    )


def test_person_linkage_is_bounded_by_the_manifest(
    report: Report, columns: list[Column], manifest: dict[str, Any]
) -> None:
    """Every person whose intact ID sits on a row of a form with a mapped house code or house
    address column is linked to a house; nobody is linked beyond the persons counted."""
    house_forms = {c.form for c in columns if c.tool_element in {"house_code", "house_address"}}
    damaged = {
        (f["form_id"], int("".join(ch for ch in p["cell"] if ch.isdigit())))
        for f in manifest["forms"]
        for p in f["planted"]
        if p["code"] in ID_ERRORS | {"id-legacy-15"}
    }
    must_link = {
        entity["person"]
        for form in manifest["forms"]
        if form["form_id"] in house_forms
        for entity in form["entities"]
        if entity.get("person")
        and entity.get("house")
        and (form["form_id"], entity["row"]) not in damaged
    }
    link = report.quality.linkage
    assert len(must_link) <= link.with_house <= link.persons
    assert link.with_both <= min(link.with_house, link.with_grid)
    house_rate = report.figure("person_house_rate")
    assert (house_rate.numerator, house_rate.denominator) == (link.with_house, link.persons)
    population = manifest["population"]["persons"]
    assert link.persons <= population


def test_terminal_report_reads_at_80_columns(report: Report) -> None:
    buffer = io.StringIO()
    console = Console(width=80, file=buffer, record=True, force_terminal=False)
    render_terminal(report, console)
    text = console.export_text()
    assert all(Text(line).cell_len <= 80 for line in text.splitlines())
    for figure in report.figures:
        assert figure.label[:5] in text, figure.key
    rate = report.figure("form_reduction_rate")
    assert f"{rate.value * 100:.1f}%" in text
    assert f"= 1 − {rate.numerator} ÷ {rate.denominator}" in text


def test_compare_names_forms_added_and_removed(report: Report) -> None:
    previous = report_to_json(report)
    dropped = previous["forms"].pop(0)
    previous["forms"].append({**dropped, "form_key": "旧部门|已停用的表", "title": "已停用的表"})
    previous["quality"]["findings"] = []
    changes = compare_reports(previous, report)
    assert [f.form_key for f in changes.forms_added] == [dropped["form_key"]]
    assert [f.title for f in changes.forms_removed] == ["已停用的表"]
    assert {c.code for c in changes.findings} == {f.code for f in report.quality.findings}
    assert not changes.figures  # same figures
    assert compare_reports(report_to_json(report), report).unchanged

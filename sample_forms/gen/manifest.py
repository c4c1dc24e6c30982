"""The manifest: the truth about every file, form, column, row, planted problem and conflict."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from .county import CITY, COUNTY_CODE, COUNTY_NAME, PROVINCE
from .model import FormPlan, PlacedColumn, PlacedRow, SheetPlan, WorkbookPlan
from .population import AS_OF, Population
from .sheetref import cell_name, column_letter

MANIFEST_FORMAT = "ybt-sample-manifest/1"


def build_manifest(
    seed: int,
    population: Population,
    workbooks: list[WorkbookPlan],
    conflicts: list[dict[str, object]],
) -> dict[str, object]:
    forms = []
    for workbook in workbooks:
        extra = _workbook_traits(workbook)
        for sheet in workbook.sheets:
            if sheet.form is not None:
                forms.append(_form_entry(workbook, sheet, sheet.form, extra))
    return {
        "format": MANIFEST_FORMAT,
        "county": _county(population),
        "seed": seed,
        "as_of": AS_OF.isoformat(),
        "population": _population_summary(population),
        "forms": forms,
        "files": [_file_entry(workbook) for workbook in workbooks],
        "conflicts": conflicts,
    }


def _county(population: Population) -> dict[str, object]:
    return {
        "name": COUNTY_NAME,
        "code": COUNTY_CODE,
        "province": PROVINCE,
        "city": CITY,
        "towns": [
            {
                "code": town.code,
                "name": town.name,
                "kind": town.kind,
                "units": [
                    {
                        "code": unit.code,
                        "name": unit.name,
                        "kind": "社区" if unit.urban else "村",
                        "grids": [
                            {"code": grid.code, "name": grid.name, "worker": grid.worker_id}
                            for grid in unit.grids
                        ],
                    }
                    for unit in town.units
                ],
            }
            for town in population.towns
        ],
    }


def _population_summary(population: Population) -> dict[str, object]:
    tags = Counter(tag for person in population.persons for tag in person.tags)
    return {
        "persons": len(population.persons),
        "households": len(population.households),
        "houses": len(population.houses),
        "organisations": len(population.organisations),
        "towns": len(population.towns),
        "villages": len(population.units),
        "grids": len(population.grids),
        "floating_persons": tags["floating"],
        "tags": dict(sorted(tags.items())),
        "organisation_kinds": dict(
            sorted(Counter(o.kind for o in population.organisations).items())
        ),
    }


def _workbook_traits(workbook: WorkbookPlan) -> list[str]:
    spec = workbook.spec
    traits = []
    if spec.kind == "xls":
        traits.append("xls")
    if spec.kind == "csv":
        traits.append("csv-gbk" if spec.encoding == "gbk" else "csv-utf8-bom")
    forms = [sheet for sheet in workbook.sheets if sheet.form is not None]
    if len(forms) > 1:
        traits.append("multi-form-workbook")
    if any(sheet.role == "hidden" for sheet in workbook.sheets):
        traits.append("hidden-sheet")
    if any(sheet.role == "instructions" for sheet in workbook.sheets):
        traits.append("instructions-sheet")
    return traits


def _rows(rows: list[int]) -> list[int]:
    return [row + 1 for row in rows]


def _form_entry(
    workbook: WorkbookPlan, sheet: SheetPlan, plan: FormPlan, extra: list[str]
) -> dict[str, object]:
    spec = plan.spec
    return {
        "form_id": spec.form_id,
        "file": workbook.spec.path,
        "sheet": sheet.name,
        "department": spec.department,
        "folder": workbook.spec.folder,
        "title": spec.title,
        "as_of": spec.as_of.isoformat(),
        "template": spec.template,
        "traits": plan.traits + [t for t in extra if t not in plan.traits],
        "origin": cell_name(*spec.layout.origin),
        "title_rows": _rows(plan.title_rows),
        "meta_rows": _rows(plan.meta_rows),
        "header_rows": _rows(plan.header_rows),
        "data_rows": [row.row + 1 for row in plan.data_rows],
        "blank_rows": _rows(plan.blank_rows),
        "total_rows": _rows(plan.total_rows),
        "footer_rows": _rows(plan.footer_rows),
        "columns": [_column_entry(placed) for placed in plan.columns],
        "entities": [_entity(row) for row in plan.data_rows],
        "planted": sorted(
            (_jsonable_entry(entry) for entry in plan.planted),
            key=lambda e: (_cell_sort(str(e["cell"])), str(e["code"])),
        ),
    }


def _column_entry(placed: PlacedColumn) -> dict[str, object]:
    column = placed.column
    entry: dict[str, object] = {
        "letter": column_letter(placed.index),
        "header": column.header,
        "header_cell": cell_name(placed.header_row, placed.index),
        "path": column.path,
        "element": column.element,
        "kind": column.kind or "element",
        "format": column.fmt.name if column.fmt else "text",
    }
    if column.required:
        entry["required"] = True
    if column.variant:
        entry["variant"] = column.variant
    return entry


def _entity(row: PlacedRow) -> dict[str, object]:
    entry: dict[str, object] = {"row": row.row + 1, **row.record.keys}
    if row.record.roles:
        entry["roles"] = dict(sorted(row.record.roles.items()))
    if row.duplicate_of is not None:
        entry["duplicate_of_row"] = row.duplicate_of + 1
    return entry


def _jsonable_entry(entry: dict[str, object]) -> dict[str, object]:
    return {key: _jsonable(value) for key, value in entry.items()}


def _jsonable(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _cell_sort(cell: str) -> tuple[int, int]:
    letters = "".join(ch for ch in cell if ch.isalpha())
    number = int("".join(ch for ch in cell if ch.isdigit()))
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return (number, index)


def _file_entry(workbook: WorkbookPlan) -> dict[str, object]:
    return {
        "file": workbook.spec.path,
        "department": workbook.spec.folder,
        "kind": workbook.spec.kind,
        "encoding": workbook.spec.encoding,
        "sheets": [{"name": sheet.name, "role": sheet.role} for sheet in workbook.sheets],
    }

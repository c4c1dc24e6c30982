"""Build the sample county: population → forms → planted problems → files and manifest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .catalogue import civil, economy, order, party, social, veterans
from .catalogue.base import Ctx
from .county import build_places
from .damage import Planter, find_conflicts
from .layout import lay_out_extra, lay_out_form
from .manifest import build_manifest
from .model import FormSpec, WorkbookPlan, WorkbookSpec
from .population import build_population
from .programmes import build_programmes
from .writers import write_workbook

SEED = 20261031


def build_county(out: Path, seed: int = SEED, scale: int = 1) -> dict[str, object]:
    """Write ``out/county/…`` and ``out/manifest.json``; return the manifest.

    ``scale`` multiplies the households of every village and community (benchmarks use it for
    bigger forms); the default 1 writes the committed sample county byte for byte.
    """
    population = build_population(seed, build_places(), scale)
    programmes = build_programmes(population, seed)
    context = Ctx(population, programmes, seed)
    specs = catalogue(context)
    workbooks = [plan_workbook(spec, seed) for spec in specs]
    planter = Planter(workbooks, population, seed)
    deliberate = planter.plant_conflicts()
    planter.plant_errors()
    conflicts = find_conflicts(workbooks, population)
    found = [(str(c["person"]), str(c["element"])) for c in conflicts]
    if sorted(found) != sorted(deliberate):
        unexpected = sorted(set(found) ^ set(deliberate))
        raise AssertionError(f"conflicts differ from the planted ones: {unexpected[:5]}")
    manifest = build_manifest(seed, population, workbooks, conflicts)
    county = out / "county"
    if county.exists():
        shutil.rmtree(county)
    for workbook in workbooks:
        write_workbook(workbook, out)
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False)
    (out / "manifest.json").write_text(text + "\n", encoding="utf-8")
    return manifest


def catalogue(context: Ctx) -> list[WorkbookSpec]:
    specs: list[WorkbookSpec] = []
    for module in (civil, veterans, social, order, party, economy):
        specs.extend(module.workbooks(context))
    form_ids = [s.form_id for spec in specs for s in spec.sheets if isinstance(s, FormSpec)]
    duplicated = {form_id for form_id in form_ids if form_ids.count(form_id) > 1}
    if duplicated:
        raise AssertionError(f"form ids used twice: {sorted(duplicated)}")
    return specs


def plan_workbook(spec: WorkbookSpec, seed: int) -> WorkbookPlan:
    import random

    sheets = []
    for sheet in spec.sheets:
        if isinstance(sheet, FormSpec):
            sheets.append(lay_out_form(sheet, random.Random(f"{seed}:{sheet.form_id}")))
        else:
            sheets.append(lay_out_extra(sheet))
    return WorkbookPlan(spec=spec, sheets=sheets)

"""The writer's own speed on the cells `ybt export` writes: the reference for the export ratio.

Builds every form of a workspace exactly as `ybt export` does (same grouping into workbooks, same
values, default masks), then times only bare xlsxwriter writing of the data rows: one workbook per
exported file, one worksheet per form, every non-empty data value written with the typed call
(write_string / write_number / write_datetime), no formats, no header drawing, no validations,
opened by export's own writers.open_workbook (same mode and options).

Run it in its own process (bench.py does) so the time of building the forms stays out of it:

    .venv/bin/python bench/bare_write.py WORKSPACE OUT_DIR   → prints JSON
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from yibiaotong.export.masks import mask_policy
from yibiaotong.export.run import _files
from yibiaotong.export.sheet import ExportContext, FormSheet, build_form_sheet
from yibiaotong.export.snapshot import forget_cells, load_cells, load_forms, load_snapshot
from yibiaotong.export.writers import open_workbook
from yibiaotong.schema import load_schema
from yibiaotong.settings import load_settings
from yibiaotong.storage import Store


def bare_write(workspace: Path, out: Path) -> dict[str, Any]:
    importlib.import_module("xlsxwriter")  # open_workbook imports it: not on the clock
    settings = load_settings({"workspace": workspace})
    schema = load_schema(settings.schema_extensions)
    seconds, cpu, cells, grid, workbooks, sheets_written, rows_written = 0.0, 0.0, 0, 0, 0, 0, 0
    with Store.open(settings.database, read_only=True) as store:
        forms = load_forms(store)
        policy = mask_policy(schema, (), settings.workspace)
        snapshot = load_snapshot(store, forms, {e for f in forms for e in f.elements}, cells=False)
        now = dt.datetime.now().replace(microsecond=0)
        context = ExportContext(
            county=settings.county,
            as_of=snapshot.latest_as_of or now.date(),
            generated_at=now,
            forms={form.form_id: form for form in forms},
        )
        out.mkdir(parents=True, exist_ok=True)
        for number, (_, members) in enumerate(_files(forms, "xlsx")):
            load_cells(store, snapshot, members)
            sheets = [build_form_sheet(f, snapshot, schema, policy, context) for f in members]
            forget_cells(snapshot, members)
            started, cpu_started = time.perf_counter(), time.process_time()
            cells += _write_book(sheets, out / f"{number:05d}.xlsx")
            seconds += time.perf_counter() - started
            cpu += time.process_time() - cpu_started
            workbooks += 1
            sheets_written += len(sheets)
            rows_written += sum(len(s.rows) for s in sheets)
            grid += sum(len(s.rows) * len(s.columns) for s in sheets)
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "cells": cells,  # non-empty data values
        "grid_cells": grid,  # data rows × columns, blanks included
        "workbooks": workbooks,
        "sheets": sheets_written,
        "rows": rows_written,
    }


def _write_book(sheets: list[FormSheet], target: Path) -> int:
    book = open_workbook(sheets, target)  # the very workbook mode and options export uses
    written = 0
    for index, sheet in enumerate(sheets):
        worksheet = book.add_worksheet(f"表{index + 1}")
        write_string, write_number = worksheet.write_string, worksheet.write_number
        write_datetime = worksheet.write_datetime
        columns = [c.index for c in sheet.columns]
        for row_number, values in enumerate(sheet.rows, start=sheet.first_data_row):
            for column, value in zip(columns, values, strict=True):
                if value is None:
                    continue
                written += 1
                if isinstance(value, str):
                    write_string(row_number, column, value)
                elif isinstance(value, dt.date):
                    write_datetime(row_number, column, dt.datetime.combine(value, dt.time()))
                else:
                    write_number(row_number, column, value)
    book.close()
    return written


if __name__ == "__main__":
    print(json.dumps(bare_write(Path(sys.argv[1]), Path(sys.argv[2]))))

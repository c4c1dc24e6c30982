"""The verification workbook (核查清单) for conflicts, and reading the decisions that come back.

A department gets the conflicts it is involved in, checks them, writes the right value in the
「核实后的值」 column and returns the file; `ybt conflicts --apply` stores those values as
decisions that survivorship puts first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from yibiaotong.errors import UsageError
from yibiaotong.messages import msg
from yibiaotong.storage import Store

_HEADER_KEYS = (
    "number",
    "ledger",
    "entity",
    "element",
    "element_id",
    "sources",
    "chosen",
    "verified",
    "verified_by",
    "remark",
)


def _sheet_name() -> str:
    return msg("verification.sheet")


def _headers() -> list[str]:
    return [msg(f"verification.headers.{key}") for key in _HEADER_KEYS]


_ENTITY_COLUMN, _ELEMENT_COLUMN, _VERIFIED_COLUMN, _BY_COLUMN = 3, 5, 8, 9
_FORMULA_START = ("=", "+", "-", "@")


def safe_text(value: object) -> str:
    """Text that no spreadsheet will evaluate as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def write_verification_workbook(
    conflicts: Sequence[dict[str, Any]], ledgers: dict[str, str], target: Path, county: str
) -> int:
    """Write conflicts (as returned by ledgers.conflict_rows) to a workbook; return the count."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _sheet_name()
    title = msg("verification.title", county=county or "", date=dt.date.today().isoformat())
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(_HEADER_KEYS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(_headers())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for number, conflict in enumerate(conflicts, start=1):
        sources = "\n".join(
            f"{v['value']}（{v['location']}·{v['department'] or '—'}·{v['as_of'] or '—'}）"
            for v in conflict["values"]
        )
        chosen = next((v["value"] for v in conflict["values"] if v["chosen"]), "")
        sheet.append(
            [
                number,
                safe_text(ledgers.get(conflict["ledger"], conflict["ledger"])),
                conflict["entity"],
                safe_text(conflict["element_name"]),
                conflict["element"],
                safe_text(sources),
                safe_text(chosen),
                "",
                "",
                "",
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.number_format = "@"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = (6, 16, 18, 14, 16, 60, 20, 20, 12, 16)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    sheet.freeze_panes = "A3"
    hint = DataValidation(
        type="textLength",
        operator="lessThanOrEqual",
        formula1="200",
        promptTitle=msg("verification.headers.verified"),
        prompt=msg("verification.prompt"),
    )
    hint.add(f"H3:H{max(3, sheet.max_row)}")
    sheet.add_data_validation(hint)
    book.save(target)
    return len(conflicts)


def read_verified_values(source: Path) -> list[tuple[str, str, str, str]]:
    """(entity, element, verified value, department) for every filled 「核实后的值」 cell."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError) as error:
        raise UsageError(
            msg("verification.unreadable", detail=type(error).__name__), str(source)
        ) from error
    if _sheet_name() not in book.sheetnames:
        raise UsageError(msg("verification.no_sheet", sheet=_sheet_name()), source.name)
    found = []
    for row in book[_sheet_name()].iter_rows(min_row=3, values_only=True):
        if len(row) < _BY_COLUMN or row[_ENTITY_COLUMN - 1] is None:
            continue
        verified = row[_VERIFIED_COLUMN - 1]
        if verified is None or str(verified).strip() == "":
            continue
        department = str(row[_BY_COLUMN - 1] or "").strip() or msg("verification.unnamed")
        found.append(
            (
                str(row[_ENTITY_COLUMN - 1]),
                str(row[_ELEMENT_COLUMN - 1]),
                str(verified).strip(),
                department,
            )
        )
    book.close()
    return found


def store_verified_values(
    store: Store, verified: Sequence[tuple[str, str, str, str]], source: Path
) -> int:
    """Keep returned values as decisions; survivorship ranks them above every form."""
    with store.transaction():
        for entity, element, value, department in verified:
            store.connection.execute(
                "INSERT OR REPLACE INTO value_decisions VALUES (?, ?, ?, ?, ?, ?)",
                [
                    entity,
                    element,
                    value,
                    department,
                    source.name,
                    dt.datetime.now().replace(microsecond=0),
                ],
            )
    return len(verified)

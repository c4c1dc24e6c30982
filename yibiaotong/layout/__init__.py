"""The layout stage: find the form on each sheet: title, meta, header, data, totals, footers."""

from __future__ import annotations

from yibiaotong.errors import UsageError
from yibiaotong.layout.body import read_top, split_body
from yibiaotong.layout.department import DEPARTMENT_ALIASES, detect_department
from yibiaotong.layout.header import find_header
from yibiaotong.layout.records import FormLayout, HeaderColumn, SkippedSheet
from yibiaotong.layout.screening import screen_sheet
from yibiaotong.messages import msg
from yibiaotong.model import SheetGrid, Workbook

__all__ = [
    "DEPARTMENT_ALIASES",
    "UNDECIDED_BELOW",
    "FormLayout",
    "HeaderColumn",
    "SkippedSheet",
    "detect_department",
    "locate_form",
    "locate_forms",
]

UNDECIDED_BELOW = 0.5  # a header choice less sure than this is left to the user (--header-rows)
SERIAL_HEADERS = frozenset({"序号", "顺序号", "序"})


def locate_forms(
    workbook: Workbook, *, header_rows: int | None = None, include_hidden: bool = False
) -> list[FormLayout | SkippedSheet]:
    """Locate the form on every sheet of a workbook, in sheet order."""
    return [
        locate_form(sheet, header_rows=header_rows)
        if sheet.visible or include_hidden
        else _skipped(sheet, "hidden")
        for sheet in workbook.sheets
    ]


def locate_form(sheet: SheetGrid, *, header_rows: int | None = None) -> FormLayout | SkippedSheet:
    """Locate the form on one sheet; ``header_rows`` (a count) overrides the detected height."""
    if header_rows is not None and header_rows < 1:
        raise UsageError(msg("layout.error.header_rows", value=header_rows))
    reason = screen_sheet(sheet)
    if reason is not None:
        return _skipped(sheet, reason)
    choice = find_header(sheet, header_rows)
    undecided = header_rows is None and choice.confidence < UNDECIDED_BELOW
    if choice.block is None or not choice.columns or undecided:
        return _skipped(sheet, "undecided")
    top, bottom = choice.block
    title, meta = read_top(sheet, top)
    serial = frozenset(
        column.index for column in choice.columns if column.match_text in SERIAL_HEADERS
    )
    body = split_body(sheet, bottom + 1, serial)
    for key, value in body.meta.items():
        if not meta.get(key):
            meta[key] = value
    return FormLayout(
        sheet=sheet.name,
        sheet_index=sheet.index,
        title=title,
        meta=meta,
        header_rows=(top + 1, bottom + 1),
        columns=choice.columns,
        data_rows=body.data_rows,
        total_rows=body.total_rows,
        footer_rows=body.footer_rows,
        template=not body.data_rows,
        confidence=choice.confidence,
    )


def _skipped(sheet: SheetGrid, reason: str) -> SkippedSheet:
    return SkippedSheet(
        sheet.name, sheet.index, reason, msg(f"layout.skipped.{reason}", sheet=sheet.name)
    )

"""Lay a form out on a sheet: title, meta line, merged header block, data, totals, footers."""

from __future__ import annotations

import datetime as dt
import random
import re

from .formats import TEXT
from .model import (
    Cell,
    Column,
    ExtraSheet,
    FormPlan,
    FormSpec,
    PlacedColumn,
    PlacedRow,
    Record,
    SheetPlan,
)
from .sheetref import cell_name

_UNIT = re.compile(
    r"[（(](元|万元|元/月|元/年|元/人|㎡|平方米|亩|人|户|头|只|月|岁|间|个)[)）]|（元）|元/月"
)
_TRADITIONAL = set("聯繫證號碼現電話戶與關係門區鄉鎮縣開銀帳別備註親屬國")


def cn_date(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def lay_out_form(spec: FormSpec, rng: random.Random) -> SheetPlan:
    """Place the form on a sheet, top to bottom, and record where each part landed."""
    sheet = SheetPlan(name=spec.sheet, role="form")
    left = spec.layout.origin[1]
    right = left + len(spec.columns) - 1
    title_rows, meta_rows = _top_block(sheet, spec, left, right)
    first_header = spec.layout.origin[0] + len(title_rows) + len(meta_rows)
    columns, header_rows = _header_block(
        sheet, spec.columns, first_header, left, spec.layout.header_height
    )
    plan = FormPlan(
        spec=spec,
        columns=columns,
        header_rows=header_rows,
        data_rows=[],
        total_rows=[],
        footer_rows=[],
        blank_rows=[],
        title_rows=title_rows,
        meta_rows=meta_rows,
    )
    row = _data_block(sheet, plan, header_rows[-1] + 1, rng)
    for line in spec.layout.footer:
        if line:
            _merged(sheet, row, left, right, line, "footer")
            plan.footer_rows.append(row)
        row += 1
    _resolve_duplicate_rows(plan)
    plan.traits = _layout_traits(spec, plan) + _value_traits(spec)
    sheet.form = plan
    for placed_column in columns:
        header = placed_column.column.header
        longest = max(len(part) for part in header.split("\n"))
        sheet.widths[placed_column.index] = placed_column.column.width or max(6.0, 2.2 * longest)
    return sheet


def _top_block(
    sheet: SheetPlan, spec: FormSpec, left: int, right: int
) -> tuple[list[int], list[int]]:
    """Title line(s) and the 填报单位/填报日期 line; returns their rows."""
    layout = spec.layout
    row = layout.origin[0]
    titles = [spec.title, layout.subtitle][: layout.title_rows]
    for offset, (text, style) in enumerate(zip(titles, ("title", "subtitle"), strict=False)):
        _merged(sheet, row + offset, left, right, text, style)
    title_rows = list(range(row, row + len(titles)))
    if not layout.meta:
        return title_rows, []
    meta_row = row + len(titles)
    _meta_line(sheet, spec, meta_row, left, right)
    return title_rows, [meta_row]


def _data_block(sheet: SheetPlan, plan: FormPlan, row: int, rng: random.Random) -> int:
    """Data rows with blank rows, 小计 and 合计 rows mixed in; returns the next free row."""
    spec, layout = plan.spec, plan.spec.layout
    records = [] if spec.template else _with_duplicates(spec.records, spec.duplicates, rng)
    blank_after = (
        set(rng.sample(range(2, max(3, len(records) - 1)), layout.blank_rows))
        if (layout.blank_rows and len(records) > 6)
        else set()
    )
    group_records: list[Record] = []
    for index, (record, duplicate_of) in enumerate(records):
        placed = PlacedRow(row=row, record=record, duplicate_of=duplicate_of)
        _write_record(sheet, plan, placed, serial=index + 1)
        plan.data_rows.append(placed)
        group_records.append(record)
        row += 1
        next_group = records[index + 1][0].group if index + 1 < len(records) else None
        if layout.totals == "subtotal" and next_group != record.group:
            _total_row(sheet, plan, row, group_records, f"{record.group}小计")
            plan.total_rows.append(row)
            group_records = []
            row += 1
        if index in blank_after:
            plan.blank_rows.append(row)
            row += 1
    if layout.totals and records:
        _total_row(sheet, plan, row, [record for record, _ in records], "合计")
        plan.total_rows.append(row)
        row += 1
    return row


def lay_out_extra(extra: ExtraSheet) -> SheetPlan:
    sheet = SheetPlan(name=extra.name, role=extra.role)
    for row, line in enumerate(extra.lines):
        for column, text in enumerate(line):
            sheet.put(row, column, text, "footer" if extra.role == "instructions" else "data")
    sheet.widths[0] = 60.0 if extra.role == "instructions" else 14.0
    return sheet


def _merged(sheet: SheetPlan, row: int, left: int, right: int, text: str, style: str) -> None:
    sheet.put(row, left, text, style)
    if right > left:
        sheet.merges.append((row, left, row, right))


def _meta_line(sheet: SheetPlan, spec: FormSpec, row: int, left: int, right: int) -> None:
    unit = f"填报单位：{spec.unit_name}"
    date = cn_date(spec.as_of)
    meta = spec.layout.meta
    if meta == "unit-date":
        _merged(sheet, row, left, right, f"{unit}（盖章）          填报日期：{date}", "meta")
    elif meta == "unit-asof":
        _merged(sheet, row, left, right, f"{unit}          统计截止日期：{date}", "meta")
    elif meta == "asof-only":
        sheet.put(row, right, f"统计截止日期：{spec.as_of.isoformat()}", "meta")
    else:  # split: unit on the left half, date on the right
        middle = left + max(1, (right - left + 1) // 2)
        _merged(sheet, row, left, middle - 1, unit, "meta")
        _merged(sheet, row, middle, right, f"填报日期：{date}", "meta")


def _header_block(
    sheet: SheetPlan, columns: list[Column], top: int, left: int, height: int | None
) -> tuple[list[PlacedColumn], list[int]]:
    depth = max(height or 1, *(len(column.path) for column in columns))
    bottom = top + depth - 1
    placed: list[PlacedColumn] = []
    for offset, column in enumerate(columns):
        index = left + offset
        leaf_row = top + len(column.path) - 1
        sheet.put(leaf_row, index, column.header, "header")
        if leaf_row < bottom:
            sheet.merges.append((leaf_row, index, bottom, index))
            for filler in range(leaf_row + 1, bottom + 1):
                sheet.styles[(filler, index)] = "header"
        placed.append(PlacedColumn(column=column, index=index, header_row=leaf_row))
    for level in range(depth - 1):
        offset = 0
        while offset < len(columns):
            path = columns[offset].path
            if len(path) <= level + 1:
                offset += 1
                continue
            prefix = tuple(path[: level + 1])
            end = offset
            while (
                end + 1 < len(columns)
                and tuple(columns[end + 1].path[: level + 1]) == prefix
                and len(columns[end + 1].path) > level + 1
            ):
                end += 1
            sheet.put(top + level, left + offset, prefix[-1], "header")
            for filler in range(left + offset + 1, left + end + 1):
                sheet.styles[(top + level, filler)] = "header"
            if end > offset:
                sheet.merges.append((top + level, left + offset, top + level, left + end))
            offset = end + 1
    return placed, list(range(top, bottom + 1))


def _with_duplicates(
    records: list[Record], count: int, rng: random.Random
) -> list[tuple[Record, int | None]]:
    """Records in order; ``count`` of them written a second time a few rows later."""
    rows: list[tuple[Record, int | None]] = [(record, None) for record in records]
    if count and len(records) > 4:
        for original in sorted(rng.sample(range(len(records) - 2), count), reverse=True):
            position = min(len(rows), original + 1 + rng.randrange(0, 3))
            rows.insert(position, (records[original], original))
    return rows


def _resolve_duplicate_rows(plan: FormPlan) -> None:
    """Turn duplicate_of (an index into the records) into the sheet row of the first copy."""
    first_row: dict[int, int] = {}
    for placed in plan.data_rows:
        if placed.duplicate_of is None:
            first_row.setdefault(id(placed.record), placed.row)
    for placed in plan.data_rows:
        if placed.duplicate_of is not None:
            placed.duplicate_of = first_row[id(placed.record)]


def _write_record(sheet: SheetPlan, plan: FormPlan, placed: PlacedRow, *, serial: int) -> None:
    for placed_column in plan.columns:
        column = placed_column.column
        position = (placed.row, placed_column.index)
        if column.kind == "serial":
            sheet.put(*position, serial)
            continue
        value = placed.record.values.get(column.key or "")
        fmt = column.fmt or TEXT
        cell: Cell = fmt.write(value)
        style = f"date:{fmt.date_format}" if fmt.date_format and cell is not None else "data"
        sheet.put(*position, cell, style)
        if fmt.name == "id-numeric" and isinstance(cell, float):
            plan.planted.append(_planted(placed.row, placed_column, "id-precision-lost"))
        if fmt.name == "account-numeric" and isinstance(cell, float):
            plan.planted.append(_planted(placed.row, placed_column, "account-precision-lost"))


def _planted(row: int, placed_column: PlacedColumn, code: str) -> dict[str, object]:
    return {
        "cell": cell_name(row, placed_column.index),
        "code": code,
        "element": placed_column.column.element,
    }


def _total_row(
    sheet: SheetPlan, plan: FormPlan, row: int, records: list[Record], label: str
) -> None:
    first = plan.columns[0].index
    sheet.put(row, first, label, "total")
    for placed_column in plan.columns[1:]:
        key = placed_column.column.key
        value: Cell = None
        if key in plan.spec.layout.sum_keys:
            total = sum(float(str(r.values.get(key) or 0)) for r in records)
            value = int(total) if total == int(total) else round(total, 2)
        sheet.put(row, placed_column.index, value, "total")


def _layout_traits(spec: FormSpec, plan: FormPlan) -> list[str]:
    layout = spec.layout
    headers = [column.header for column in spec.columns]
    groups = [part for column in spec.columns for part in column.group]
    checks = (
        ("title", len(plan.title_rows) == 1),
        ("title-2-rows", len(plan.title_rows) == 2),
        ("meta-line", layout.meta in {"unit-date", "split"}),
        ("as-of-line", layout.meta in {"unit-asof", "asof-only"}),
        ("header-1-row", len(plan.header_rows) == 1),
        (f"header-{len(plan.header_rows)}-rows", len(plan.header_rows) > 1),
        ("required-markers", any("*" in header for header in headers)),
        ("units-in-headers", any(_UNIT.search(header) for header in headers + groups)),
        ("line-breaks-in-headers", any("\n" in header for header in headers)),
        ("traditional-headers", any(set(header) & _TRADITIONAL for header in headers + groups)),
        ("serial-column", any(column.kind == "serial" for column in spec.columns)),
        ("blank-rows", bool(plan.blank_rows)),
        ("subtotal-rows", layout.totals == "subtotal" and bool(plan.total_rows)),
        ("total-rows", bool(plan.total_rows)),
        ("footer", bool(plan.footer_rows)),
        ("notes-footer", any(line.startswith("注") for line in layout.footer)),
        ("stamp-footer", any("盖章" in line for line in layout.footer)),
        ("offset-origin", layout.origin != (0, 0)),
        ("unusual-headers", any(column.variant == "unusual" for column in spec.columns)),
        ("template", spec.template),
        ("duplicate-rows", spec.duplicates > 0),
    )
    return [trait for trait, present in checks if present]


def _value_traits(spec: FormSpec) -> list[str]:
    """How values are written (dates, codes, numbers as numbers …), from the column formats."""
    traits: list[str] = []
    if not spec.template:
        for column in spec.columns:
            if column.fmt and column.fmt.trait and column.fmt.trait not in traits:
                traits.append(column.fmt.trait)
    traits.extend(note for note in spec.notes if note not in traits)
    return traits

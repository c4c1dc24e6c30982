"""A generated form as plain data: the drawing above the data (title, meta lines, header block
with its merges), one value per row and column formatted as the form writes it, totals, footers
and the 说明 lines. Writers (xlsx, csv) only lay this out; nothing here knows a file format.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from yibiaotong.export.masks import MaskPolicy
from yibiaotong.export.scope import (
    Scope,
    candidates,
    first_value,
    form_scope,
    target_kind,
)
from yibiaotong.export.snapshot import FormColumn, LedgerSnapshot, StoredForm
from yibiaotong.export.styles import CodeStyle, DateStyle, infer_code_style, infer_date_style
from yibiaotong.export.text import render_line, render_notes
from yibiaotong.messages import msg
from yibiaotong.model import column_letter
from yibiaotong.schema import CodeList, Element, Schema
from yibiaotong.values import mask_value

Value = str | int | float | dt.date | None

# Units whose column is summed in a 合计 row (rates such as 元/亩, ages and years are not).
ADDITIVE_UNITS = frozenset(
    {
        "元", "元/月", "元/年", "万元", "亩", "平方米", "㎡", "平方公里", "人", "户", "口",
        "头", "只", "头(只)", "匹", "间", "个", "套",
    }
)  # fmt: skip
NUMBER_TYPES = frozenset({"integer", "decimal"})
DATE_TYPES = frozenset({"date", "year_month"})
CODE_TYPES = frozenset({"code", "flag"})
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_EXCEL_DIGITS = 15
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_UNSEEN: Any = object()  # a value a column has not formatted yet
_WIDE = re.compile("[\u2e80-\U0010ffff]")  # CJK and full-width: two columns wide
NOTES_SHEET = "说明"


@dataclass(frozen=True, slots=True)
class SheetColumn:
    """One sheet column of the generated form and how its cells are written."""

    index: int  # 0-based sheet column, as in the department's form
    header: str  # the header path ("保障情况/月保障金（元）"); "" for a spacer column
    element: str | None
    serial: bool  # 序号: numbered 1, 2, 3 …
    kind: str  # text | number | date: what the data cells hold
    mask: str  # the mask applied ("none" when the values are shown in full)
    choices: tuple[str, ...]  # drop-down entries of a code-list column, as the form spells them
    additive: bool  # summed in the 合计 row
    width: float

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass(frozen=True, slots=True)
class FormStats:
    listed: int  # rows the form itself listed that are written
    added: int  # new members from the ledgers
    left: tuple[int, ...]  # form rows whose entity left the scope (not written)
    unplaced: int
    values: int  # cells filled from the ledgers
    from_others: int  # of those, values collected by another department
    changed: int  # cells whose value differs from what the form itself wrote


@dataclass(frozen=True, slots=True)
class FormSheet:
    form: StoredForm
    title: str  # the form's title for this export's period and county
    sheet_name: str
    top: tuple[tuple[str | None, ...], ...]  # sheet rows 1..header_last, columns first..last
    merges: tuple[tuple[int, int, int, int], ...]
    columns: tuple[SheetColumn, ...]  # one per sheet column first..last
    rows: tuple[tuple[Value, ...], ...]
    totals: tuple[Value, ...] | None
    footers: tuple[tuple[str | None, ...], ...]
    notes: tuple[tuple[str, ...], ...]
    main_ledger: str | None
    stats: FormStats

    @property
    def header_first(self) -> int:
        """0-based sheet row where the header block starts."""
        return self.form.header_first - 1

    @property
    def first_data_row(self) -> int:
        """0-based sheet row of the first data row."""
        return self.form.header_last

    @property
    def elements(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.element for c in self.columns if c.element is not None))

    @property
    def masks(self) -> dict[str, str]:
        return {c.element: c.mask for c in self.columns if c.element and c.mask != "none"}


@dataclass(frozen=True, slots=True)
class ExportContext:
    """What every form of one export run shares."""

    county: str
    as_of: dt.date
    generated_at: dt.datetime
    forms: Mapping[int, StoredForm]  # every stored form by id, to name where values came from


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one column's values are written."""

    column: FormColumn
    element: Element | None
    mask: str
    date_style: DateStyle | None
    code_style: CodeStyle | None
    code_list: CodeList | None


def build_form_sheet(
    form: StoredForm,
    snapshot: LedgerSnapshot,
    schema: Schema,
    policy: MaskPolicy,
    context: ExportContext,
) -> FormSheet:
    """The generated form for ``form``: its layout filled with the current ledger values."""
    scope = form_scope(form, snapshot, schema)
    plans = _plans(form, snapshot, schema, policy)
    rows, sources, counts = _rows(form, scope, plans, snapshot, schema)
    columns = _columns(form, plans, rows, schema)
    stats = FormStats(
        listed=sum(1 for r in scope.rows if r.source_row is not None),
        added=scope.added,
        left=scope.left,
        unplaced=scope.unplaced,
        values=counts["values"],
        from_others=counts["from_others"],
        changed=counts["changed"],
    )
    sheet = FormSheet(
        form=form,
        title=render_line(form.title, context.county, context.as_of),
        sheet_name=_sheet_name(form.sheet),
        top=_top_rows(form, context),
        merges=form.drawing.merges,
        columns=columns,
        rows=tuple(rows),
        totals=_totals(columns, rows) if form.has_totals else None,
        footers=form.drawing.footer_rows,
        notes=(),
        main_ledger=scope.main_ledger,
        stats=stats,
    )
    notes = render_notes(notes_context(sheet, scope, sources, schema, context))
    return dataclasses.replace(sheet, notes=tuple(tuple(line) for line in notes))


# -- columns ---------------------------------------------------------------------------------


def _plans(
    form: StoredForm, snapshot: LedgerSnapshot, schema: Schema, policy: MaskPolicy
) -> dict[int, _Plan]:
    raws: dict[int, list[str]] = defaultdict(list)
    for (_row, index), (raw, value) in snapshot.cells.get(form.form_id, {}).items():
        if raw is not None and value is not None:
            raws[index].append(raw)
    plans: dict[int, _Plan] = {}
    for column in form.columns:
        element = schema.elements.get(column.element) if column.element else None
        if element is None:
            plans[column.index] = _Plan(column, None, "none", None, None, None)
            continue
        mask = policy.style(schema, form.form_key, element.id)
        code_list = schema.code_lists.get(element.code_list) if element.code_list else None
        date_style = code_style = None
        if mask == "none" and element.type in DATE_TYPES:
            months = element.type == "year_month"
            date_style = infer_date_style(raws[column.index], column.cell_kind, months)
        elif mask == "none" and element.type in CODE_TYPES and code_list is not None:
            code_style = infer_code_style(code_list, raws[column.index])
        plans[column.index] = _Plan(column, element, mask, date_style, code_style, code_list)
    return plans


def _columns(
    form: StoredForm,
    plans: Mapping[int, _Plan],
    rows: Sequence[tuple[Value, ...]],
    schema: Schema,
) -> tuple[SheetColumn, ...]:
    drawing = form.drawing
    columns: list[SheetColumn] = []
    for position, index in enumerate(range(drawing.first_column, drawing.last_column + 1)):
        plan = plans.get(index)
        cells = [row[position] for row in rows]
        headers = [top[position] for top in drawing.top_rows[form.header_first - 1 :]]
        if plan is None:
            columns.append(
                SheetColumn(index, "", None, False, "text", "none", (), False, _width(headers, []))
            )
            continue
        kind = _cell_kind(plan, cells)
        unit = plan.column.unit or (plan.element.unit if plan.element else None)
        choices: tuple[str, ...] = ()
        if plan.code_style is not None and plan.code_list is not None:
            choices = plan.code_style.choices(plan.code_list)
        columns.append(
            SheetColumn(
                index=index,
                header=plan.column.path or plan.column.header,
                element=plan.element.id if plan.element else None,
                serial=plan.column.serial,
                kind=kind,
                mask=plan.mask,
                choices=choices,
                additive=kind == "number" and unit in ADDITIVE_UNITS and not plan.column.serial,
                width=_width(headers, cells),
            )
        )
    return tuple(columns)


def _cell_kind(plan: _Plan, cells: Sequence[Value]) -> str:
    if plan.column.serial:
        return "number"
    if any(isinstance(cell, dt.date) for cell in cells):
        return "date"
    if plan.element is not None and plan.mask == "none" and plan.element.type in NUMBER_TYPES:
        return "number"
    if plan.element is None and any(isinstance(c, int | float) for c in cells):
        return "number"
    return "text"


def _width(headers: Sequence[str | None], cells: Sequence[Value]) -> float:
    """A column width (in characters) that shows the header words and most values whole."""
    widest = 4
    for header in headers:
        if header:
            widest = max(widest, *(min(_display(line), 16) for line in str(header).split("\n")))
    for cell in cells[:500]:
        if isinstance(cell, dt.date):
            widest = max(widest, 10)
        elif cell is not None:
            widest = max(widest, _display(str(cell)))
    return float(min(widest + 2, 48))


def _display(text: str) -> int:
    """Characters as a spreadsheet shows them: CJK and full-width count double."""
    if text.isascii():
        return len(text)
    return len(text) + len(_WIDE.findall(text))


def _sheet_name(name: str) -> str:
    cleaned = _SHEET_NAME_BAD.sub("_", name).strip("'")[:31] or "Sheet1"
    return "报表" if cleaned == NOTES_SHEET else cleaned


# -- rows ------------------------------------------------------------------------------------


def _rows(
    form: StoredForm,
    scope: Scope,
    plans: Mapping[int, _Plan],
    snapshot: LedgerSnapshot,
    schema: Schema,
) -> tuple[list[tuple[Value, ...]], dict[str | None, Counter[int]], Counter[str]]:
    """Every written row's values, with the forms each department's values came from.

    This loop runs once per data cell of every form, so the per-column decisions are made
    once up front and each column remembers how it formatted a ledger value."""
    drawing = form.drawing
    cells = snapshot.cells.get(form.form_id, {})
    # per sheet column: its plan, the entity kind its element attaches to, and the column's
    # memory of ledger values already formatted (format_value depends on the value only)
    layout: list[tuple[int, _Plan | None, str, dict[str, Value]]] = []
    for index in range(drawing.first_column, drawing.last_column + 1):
        plan = plans.get(index)
        target = target_kind(schema, plan.element.id) if plan and plan.element else ""
        layout.append((index, plan, target, {}))
    rows: list[tuple[Value, ...]] = []
    sources: dict[str | None, Counter[int]] = defaultdict(Counter)
    values_count = from_others = changed = 0
    department, form_id = form.department, form.form_id
    for number, scope_row in enumerate(scope.rows, start=1):
        source_row = scope_row.source_row
        entities: dict[str, list[str]] = {}  # target kind → candidate entities, once per row
        values: list[Value] = []
        for index, plan, target, formatted in layout:
            if plan is None:
                values.append(None)
                continue
            own = cells.get((source_row, index)) if source_row else None
            if plan.column.serial:
                values.append(number)
                continue
            element = plan.element
            if element is None:
                values.append(_own_cell(plan, own))
                continue
            found = entities.get(target)
            if found is None:
                found = entities[target] = candidates(snapshot, form_id, scope_row, target)
            current = first_value(snapshot, found, element.id)
            if current is None:
                # Nothing usable in the ledgers: the form's own cell as written (an invalid
                # value is kept, never dropped or "fixed"; it is already a finding of the form).
                raw = own[0] if own is not None else None
                values.append(
                    mask_value(raw, plan.mask) if raw is not None and plan.mask != "none" else raw
                )
                continue
            values_count += 1
            sources[current.department][current.form_id] += 1
            if current.department != department:
                from_others += 1
            if own is not None and own[1] is not None and own[1] != current.value:
                changed += 1
            value = current.value
            written = formatted.get(value, _UNSEEN)
            if written is _UNSEEN:
                written = formatted[value] = format_value(plan, value)
            values.append(written)
        rows.append(tuple(values))
    counts = Counter(values=values_count, from_others=from_others, changed=changed)
    return rows, sources, counts


def format_value(plan: _Plan, value: str) -> Value:
    """A canonical ledger value as the form writes it (masked where the policy says so)."""
    if plan.mask != "none":
        return mask_value(value, plan.mask)
    if plan.date_style is not None:
        return plan.date_style.write(value)
    if plan.code_style is not None and plan.code_list is not None:
        return plan.code_style.write(plan.code_list, value)
    if plan.element is not None and plan.element.type in NUMBER_TYPES:
        return _number(value)
    return value


def _own_cell(plan: _Plan, own: tuple[str | None, str | None] | None) -> Value:
    """A form-local or undecided column: the form's own cell, a number where it wrote one."""
    raw = own[0] if own is not None else None
    if raw is not None and plan.column.cell_kind == "number":
        return _number(raw)
    return raw


def _number(text: str) -> Value:
    """A number cell for plain numbers; text when digits would be lost (beyond 15)."""
    if (
        not _PLAIN_NUMBER.fullmatch(text)
        or len(text.replace("-", "").replace(".", "")) > _EXCEL_DIGITS
    ):
        return text
    return int(text) if "." not in text else float(text)


def _totals(columns: Sequence[SheetColumn], rows: Sequence[tuple[Value, ...]]) -> tuple[Value, ...]:
    label_at = next((i for i, c in enumerate(columns) if c.serial), 0)
    totals: list[Value] = []
    for position, column in enumerate(columns):
        if position == label_at:
            totals.append(msg("export.sheet.total"))
        elif column.additive:
            numbers = [r[position] for r in rows if isinstance(r[position], int | float)]
            total = sum(n for n in numbers if isinstance(n, int | float))
            totals.append(total if isinstance(total, int) else round(total, 2))
        else:
            totals.append(None)
    return tuple(totals)


# -- text above the data ---------------------------------------------------------------------


def _top_rows(form: StoredForm, context: ExportContext) -> tuple[tuple[str | None, ...], ...]:
    """The drawing above the data; title and meta lines get the export's period and county."""
    above_header = form.header_first - 1
    rows: list[tuple[str | None, ...]] = []
    for number, row in enumerate(form.drawing.top_rows):
        if number < above_header:
            rows.append(tuple(_render(text, context) for text in row))
        else:
            rows.append(row)
    return tuple(rows)


def _render(text: str | None, context: ExportContext) -> str | None:
    return render_line(text, context.county, context.as_of) if text else text


def notes_context(
    sheet: FormSheet,
    scope: Scope,
    sources: Mapping[str | None, Counter[int]],
    schema: Schema,
    context: ExportContext,
) -> dict[str, Any]:
    """Variables of templates/export/notes.j2."""
    form = sheet.form
    none = msg("export.notes.none")
    return {
        "title": sheet.title,
        "department": form.department or none,
        "file_name": form.file_name,
        "sheet": form.sheet,
        "as_of": context.as_of.isoformat(),
        "generated_at": context.generated_at.strftime("%Y-%m-%d %H:%M"),
        "main_ledger": schema.ledgers[scope.main_ledger].name if scope.main_ledger else none,
        "rows": {
            "written": len(sheet.rows),
            "listed": sheet.stats.listed,
            "added": sheet.stats.added,
            "left": list(sheet.stats.left),
            "unplaced": sheet.stats.unplaced,
        },
        "categories": _categories(scope, schema),
        "sources": _sources(sources, context),
        "filled_from_others": sheet.stats.from_others,
        "columns": [
            _column_note(column, schema)
            for column in sheet.columns
            if column.header and not column.serial
        ],
    }


def _categories(scope: Scope, schema: Schema) -> list[dict[str, str]]:
    items = []
    for element_id, codes in scope.categories.items():
        if not codes:
            continue
        element = schema.elements[element_id]
        code_list = schema.code_lists.get(element.code_list or "")
        labels = {e.code: e.label for e in code_list.entries} if code_list else {}
        items.append(
            {
                "element": element.name,
                "labels": "、".join(labels.get(code, code) for code in sorted(codes)),
            }
        )
    return items


def _sources(
    sources: Mapping[str | None, Counter[int]], context: ExportContext
) -> list[dict[str, Any]]:
    items = []
    for department, forms in sorted(sources.items(), key=lambda item: -sum(item[1].values())):
        stored = [context.forms[f] for f, _n in forms.most_common() if f in context.forms]
        titles = list(dict.fromkeys(f.title for f in stored))
        dates = [f.as_of for f in stored if f.as_of is not None]
        shown = "、".join(titles[:3]) + (
            msg("export.notes.more", n=len(titles)) if len(titles) > 3 else ""
        )
        items.append(
            {
                "department": department or msg("export.notes.none"),
                "count": sum(forms.values()),
                "forms": shown,
                "as_of": max(dates).isoformat() if dates else msg("export.notes.none"),
            }
        )
    return items


def _column_note(column: SheetColumn, schema: Schema) -> dict[str, str]:
    element = schema.elements.get(column.element) if column.element else None
    if element is None:
        local = msg("export.notes.local_column")
        return {
            "letter": column.letter,
            "header": _one_line(column.header),
            "element": local,
            "ledger": "",
            "source": "",
            "mask": "",
        }
    return {
        "letter": column.letter,
        "header": _one_line(column.header),
        "element": f"{element.name}（{element.id}）",
        "ledger": schema.ledgers[element.ledger].name,
        "source": element.source or "",
        "mask": msg(f"export.mask_style.{column.mask}") if column.mask != "none" else "",
    }


def _one_line(text: str) -> str:
    """Header text for one notes cell: its line breaks become spaces."""
    return " ".join(text.split())

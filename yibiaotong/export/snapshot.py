"""What export reads from the workspace, loaded once per run: the latest version of every form
with its drawing and columns, the current ledger values, the row links and the forms' own cells.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from yibiaotong.storage import Store

SERIAL_HEADERS = frozenset({"序号", "编号", "序", "No", "No."})


@dataclass(frozen=True, slots=True)
class FormColumn:
    """One column of a stored form, as ingest understood it."""

    index: int  # 0-based sheet column
    header: str
    path: str
    element: str | None  # the accepted element; None for 序号, form-local and undecided columns
    status: str  # accepted | review | layout
    cell_kind: str | None  # how the form wrote the cells: text | number | date
    unit: str | None

    @property
    def serial(self) -> bool:
        return self.status == "layout" and self.header.strip() in SERIAL_HEADERS


@dataclass(frozen=True, slots=True)
class Drawing:
    """The form's own look: the cells above the data, their merges, and the footer lines."""

    first_column: int
    last_column: int
    top_rows: tuple[tuple[str | None, ...], ...]  # sheet rows 1..header_last, columns first..last
    merges: tuple[
        tuple[int, int, int, int], ...
    ]  # 0-based (first_row, first_col, last_row, last_col)
    footer_rows: tuple[tuple[str | None, ...], ...]


@dataclass(frozen=True, slots=True)
class StoredForm:
    """The latest stored version of one form (one form_key)."""

    form_id: int
    form_key: str
    department: str | None
    title: str
    sheet: str
    file_name: str
    header_first: int  # 1-based sheet rows
    header_last: int
    template: bool
    as_of: dt.date | None
    has_totals: bool
    drawing: Drawing
    columns: tuple[FormColumn, ...]

    @property
    def elements(self) -> tuple[str, ...]:
        """The accepted elements, in column order (an element asked twice appears twice)."""
        return tuple(c.element for c in self.columns if c.element is not None)


class Current(NamedTuple):
    """The current ledger value of one (entity, element) and the form it was taken from."""

    value: str
    department: str | None
    form_id: int
    verified: bool  # a department confirmed it (核查清单); survivorship put it first


@dataclass(frozen=True, slots=True)
class Placed:
    """The entity a row names for one kind, and whether it is the row's own subject."""

    entity: str
    own: bool  # relation 'self'


@dataclass(slots=True)
class LedgerSnapshot:
    """Current ledger values and the links between rows and entities, for a set of forms."""

    values: dict[tuple[str, str], Current] = field(default_factory=dict)
    holders: dict[str, dict[str, str]] = field(default_factory=dict)  # element → entity → value
    row_links: dict[tuple[int, int], dict[str, Placed]] = field(default_factory=dict)
    person_links: dict[str, dict[str, str]] = field(default_factory=dict)  # person → kind → entity
    linked_persons: dict[str, list[str]] = field(default_factory=dict)  # entity → persons
    entities: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # kind, key kind, key
    cells: dict[int, dict[tuple[int, int], tuple[str | None, str | None]]] = field(
        default_factory=dict
    )  # form → (row, column) → (raw, value)
    form_rows: dict[int, list[int]] = field(default_factory=dict)
    latest_as_of: dt.date | None = None

    def value(self, entity: str, element: str) -> Current | None:
        return self.values.get((entity, element))


def load_forms(store: Store) -> list[StoredForm]:
    """The latest version of every form (by as-of date, then ingest order), in department order."""
    forms = store.frame(
        """
        SELECT f.form_id, f.form_key, f.department, f.title, f.sheet, fi.name AS file_name,
               f.header_first, f.header_last, f.template, f.as_of, f.total_rows, f.layout_json
        FROM forms f JOIN files fi USING (file_id)
        QUALIFY row_number() OVER (
            PARTITION BY f.form_key ORDER BY f.as_of DESC NULLS LAST, f.form_id DESC) = 1
        ORDER BY f.department NULLS LAST, fi.name, f.sheet_index
        """
    )
    columns: dict[int, list[FormColumn]] = defaultdict(list)
    for row in store.frame(
        "SELECT form_id, col_index, header, path, element_id, status, cell_kind, unit "
        "FROM form_columns ORDER BY form_id, col_index"
    ).iter_rows(named=True):
        columns[row["form_id"]].append(
            FormColumn(
                index=row["col_index"],
                header=row["header"],
                path=row["path"],
                element=row["element_id"] if row["status"] == "accepted" else None,
                status=row["status"],
                cell_kind=row["cell_kind"],
                unit=row["unit"],
            )
        )
    return [
        StoredForm(
            form_id=row["form_id"],
            form_key=row["form_key"],
            department=row["department"],
            title=row["title"] or "",
            sheet=row["sheet"],
            file_name=row["file_name"],
            header_first=row["header_first"],
            header_last=row["header_last"],
            template=bool(row["template"]),
            as_of=row["as_of"],
            has_totals=bool(json.loads(row["total_rows"] or "[]")),
            drawing=_drawing(row["layout_json"], row["header_last"]),
            columns=tuple(columns.get(row["form_id"], ())),
        )
        for row in forms.iter_rows(named=True)
    ]


def _drawing(layout_json: str | None, header_last: int) -> Drawing:
    layout: dict[str, Any] = json.loads(layout_json) if layout_json else {}
    top = [tuple(row) for row in layout.get("top_rows", [])]
    width = 1 + int(layout.get("last_column", 0)) - int(layout.get("first_column", 0))
    while len(top) < header_last:  # forms stored before drawings existed: blank rows
        top.append((None,) * width)
    return Drawing(
        first_column=int(layout.get("first_column", 0)),
        last_column=int(layout.get("last_column", 0)),
        top_rows=tuple(top),
        merges=tuple(tuple(m) for m in layout.get("merges", [])),
        footer_rows=tuple(tuple(row) for row in layout.get("footer_rows", [])),
    )


def load_snapshot(
    store: Store, forms: Sequence[StoredForm], elements: Iterable[str], *, cells: bool = True
) -> LedgerSnapshot:
    """Everything rendering needs for ``forms``: values of ``elements``, links, own cells.

    With ``cells=False`` the forms' own cells and rows are left out; ``load_cells`` then loads
    them a few forms at a time (an export holds one workbook's cells, not the workspace's)."""
    # Millions of small tuples and dicts, none in a reference cycle: the cyclic garbage
    # collector would walk all of them again and again while they are built (a third of the
    # load time on a 5-million-cell workspace), so it waits until the snapshot is complete.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_snapshot(store, forms, elements, cells)
    finally:
        if collecting:
            gc.enable()


def _load_snapshot(
    store: Store, forms: Sequence[StoredForm], elements: Iterable[str], cells: bool
) -> LedgerSnapshot:
    snapshot = LedgerSnapshot()
    wanted = sorted(set(elements))
    entities, elements_of, values, departments, form_ids, verified = _columns(
        store,
        "SELECT entity_id, element_id, value, department, form_id, verified_by IS NOT NULL "
        "FROM ledger_values WHERE element_id IN (SELECT unnest(?))",
        [wanted],
    )
    # Built by C-level loops (zip, map, dict): this runs once per ledger value of the workspace.
    snapshot.values = dict(
        zip(
            zip(entities, elements_of, strict=True),
            map(_CURRENT, zip(values, departments, form_ids, verified, strict=True)),
            strict=True,
        )
    )
    holders = snapshot.holders
    for entity, element, value in zip(entities, elements_of, values, strict=True):
        found = holders.get(element)
        if found is None:
            found = holders[element] = {}
        found[entity] = value
    _load_links(store, snapshot)
    ids, kinds, key_kinds, keys = _columns(
        store, "SELECT entity_id, kind, key_kind, key_value FROM entities", []
    )
    snapshot.entities = dict(zip(ids, zip(kinds, key_kinds, keys, strict=True), strict=True))
    if cells:
        load_cells(store, snapshot, forms)
    snapshot.latest_as_of = store.scalar("SELECT max(as_of) FROM forms")
    return snapshot


def load_cells(store: Store, snapshot: LedgerSnapshot, forms: Sequence[StoredForm]) -> None:
    """The stored cells and data rows of ``forms``, into ``snapshot``."""
    form_ids = sorted({form.form_id for form in forms})
    if not form_ids:
        return
    # The range lets DuckDB skip row groups by their min/max (observations are stored in
    # ingest order, so one form's cells sit together).
    where = "WHERE form_id BETWEEN ? AND ? AND form_id IN (SELECT unnest(?))"
    params = [form_ids[0], form_ids[-1], form_ids]
    owners, rows, columns, raws, values = _columns(
        store, f"SELECT form_id, row_no, col_index, raw, value FROM observations {where}", params
    )
    cells = snapshot.cells
    for form_id in form_ids:
        cells[form_id] = {}
    for form_id, row_no, col_index, raw, value in zip(
        owners, rows, columns, raws, values, strict=True
    ):
        cells[form_id][(row_no, col_index)] = (raw, value)
    owners, rows = _columns(
        store, f"SELECT form_id, row_no FROM form_rows {where} ORDER BY form_id, row_no", params
    )
    for form_id, row_no in zip(owners, rows, strict=True):
        snapshot.form_rows.setdefault(form_id, []).append(row_no)


def forget_cells(snapshot: LedgerSnapshot, forms: Sequence[StoredForm]) -> None:
    """Drop the cells and rows of ``forms`` once they are written."""
    for form in forms:
        snapshot.cells.pop(form.form_id, None)
        snapshot.form_rows.pop(form.form_id, None)


_CURRENT = functools.partial(tuple.__new__, Current)  # Current from a 4-tuple, without a call


def _columns(store: Store, sql: str, params: list[Any]) -> list[list[Any]]:
    """A query's result as one Python list per column (much faster than row tuples)."""
    table = store.connection.execute(sql, params).to_arrow_table()
    return [column.to_pylist() for column in table.columns]


def _load_links(store: Store, snapshot: LedgerSnapshot) -> None:
    """Row → entities per kind; person → the entity of each kind most of their rows link to."""
    row_links = snapshot.row_links
    for form_id, row_no, entity, kind, own in zip(
        *_columns(
            store,
            "SELECT form_id, row_no, entity_id, kind, relation = 'self' FROM row_entities "
            "ORDER BY form_id, row_no, relation <> 'self', kind",
            [],
        ),
        strict=True,
    ):
        links = row_links.get((form_id, row_no))
        if links is None:
            links = row_links[(form_id, row_no)] = {}
        if kind not in links:
            links[kind] = Placed(entity, bool(own))
    counts: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    persons: dict[str, set[str]] = defaultdict(set)
    for links in snapshot.row_links.values():
        person = links.get("person")
        if person is None or not person.own:
            continue
        for kind, placed in links.items():
            if kind not in {"person", "record"}:
                counts[person.entity][kind][placed.entity] += 1
                persons[placed.entity].add(person.entity)
    snapshot.person_links = {
        person: {kind: _most_common(counter) for kind, counter in kinds.items()}
        for person, kinds in counts.items()
    }
    snapshot.linked_persons = {entity: sorted(found) for entity, found in persons.items()}


def _most_common(counter: Counter[str]) -> str:
    """The entity most rows name; ties go to the smallest id, so the choice is stable."""
    return min(counter.items(), key=lambda item: (-item[1], item[0]))[0]

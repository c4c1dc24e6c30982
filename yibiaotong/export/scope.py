"""Which rows a generated form holds, and where each of its values comes from.

A form is about one ledger, its *main ledger*: the topic ledger (社会救助, 残疾人, 参保 …) holding
most of the form's elements. The base ledgers that describe everyone of a kind (人口, 家庭户, 房屋,
单位, 网格, 村社区, 人房关系, 标签) only say who a row is and where, so they count only when a form
has nothing else. The rows are the entities the form listed, in its order, plus *new members*:

- a form that carries a category element of its main ledger's key (低保类别, 险种 …) is about
  the categories it lists; every entity of that ledger now holding one of them is a member — a
  new 低保 household appears in every roster keyed on 低保类别;
- an empty template is about everyone holding all the main-ledger elements it asks for;
- otherwise the form's own list is its scope: the ledgers cannot tell who else belongs (not every
  disabled person receives a given subsidy), and records (events, payments, accounts) have no
  identity across forms.

A listed entity whose category a department has since verified (核查清单) as one outside the
form's categories has *left* the scope: it is reported, and its row is not written. A mere
disagreement between forms is a conflict, not a departure (a person may hold several insurances).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from yibiaotong.export.snapshot import Current, LedgerSnapshot, StoredForm
from yibiaotong.resolve import HEAD_RELATIONS, PERSON_KINDS, RECORD_KINDS
from yibiaotong.schema import Schema

CATEGORY_TYPES = frozenset({"code", "flag"})


@dataclass(frozen=True, slots=True)
class ScopeRow:
    """One row of a generated form: the entity it is about and the form row it came from."""

    entity: str | None  # None when the stored row named no entity of the form's row kind
    source_row: int | None  # the form's own sheet row; None for a new member


@dataclass(frozen=True, slots=True)
class Scope:
    main_ledger: str | None
    row_kind: str  # person, household, house, organisation, grid, area or record
    rows: tuple[ScopeRow, ...]
    categories: Mapping[str, frozenset[str]]  # element → codes the form is about (empty: any)
    added: int  # new members
    left: tuple[int, ...]  # form rows whose entity left the scope
    unplaced: int  # new members that could not be given a row (no person to write them as)


def is_base_ledger(schema: Schema, ledger_id: str) -> bool:
    """A ledger describing every entity of its kind (its id is its entity kind)."""
    return schema.ledgers[ledger_id].entity == ledger_id


def target_kind(schema: Schema, element_id: str) -> str:
    """The kind of entity an element's values are attached to (as resolve attaches them)."""
    kind = schema.ledgers[schema.elements[element_id].ledger].entity
    if kind in PERSON_KINDS:
        return "person"
    return "record" if kind in RECORD_KINDS else kind


def main_ledger(schema: Schema, elements: tuple[str, ...]) -> str | None:
    """The topic ledger holding most of the elements (ties: the one asked first); failing that,
    the base ledger holding most, the person ledger only when it is the only one."""
    ledgers = [schema.elements[e].ledger for e in elements if e in schema.elements]
    counts = Counter(ledgers)
    topics = {ledger: n for ledger, n in counts.items() if not is_base_ledger(schema, ledger)}
    bases = {ledger: n for ledger, n in counts.items() if ledger != "person"} or dict(counts)
    pool = topics or bases
    if not pool:
        return None
    return min(pool, key=lambda ledger: (-pool[ledger], ledgers.index(ledger)))


def form_scope(form: StoredForm, snapshot: LedgerSnapshot, schema: Schema) -> Scope:
    """The rows of the generated form, listed ones first in the form's order."""
    main = main_ledger(schema, form.elements)
    unit = _unit_kind(schema, main)
    row_kind = _row_kind(form, snapshot, unit)
    listed = _listed_rows(form, snapshot, row_kind)
    categories = _categories(form, snapshot, schema, main, unit)
    if categories is None:
        return Scope(main, row_kind, tuple(listed), {}, 0, (), 0)
    kept, left = _still_members(form, snapshot, schema, listed, categories)
    new, unplaced = _new_members(form, snapshot, kept, categories, unit, row_kind)
    return Scope(main, row_kind, (*kept, *new), categories, len(new), tuple(left), unplaced)


def _unit_kind(schema: Schema, main: str | None) -> str:
    if main is None:
        return "person"
    kind = schema.ledgers[main].entity
    if kind in PERSON_KINDS:
        return "person"
    return "record" if kind in RECORD_KINDS else kind


def _row_kind(form: StoredForm, snapshot: LedgerSnapshot, unit: str) -> str:
    """What each row is about: records for a record ledger; else the main ledger's kind when
    rows own such entities, then persons, then the kind most rows own."""
    if unit == "record":
        return "record"
    owned: Counter[str] = Counter()
    for row in snapshot.form_rows.get(form.form_id, []):
        links = snapshot.row_links.get((form.form_id, row), {})
        owned.update(kind for kind, placed in links.items() if placed.own and kind != "record")
    if not owned:
        return unit
    return min(owned, key=lambda kind: (kind != unit, kind != "person", -owned[kind], kind))


def _listed_rows(form: StoredForm, snapshot: LedgerSnapshot, row_kind: str) -> list[ScopeRow]:
    """The form's rows in its order. A row listed twice stays twice: the duplicate is the
    department's to resolve (ingest reports it as duplicate-row), not ours to drop."""
    rows: list[ScopeRow] = []
    for row in snapshot.form_rows.get(form.form_id, []):
        placed = snapshot.row_links.get((form.form_id, row), {}).get(row_kind)
        rows.append(ScopeRow(placed.entity if placed is not None else None, row))
    return rows


def _categories(
    form: StoredForm,
    snapshot: LedgerSnapshot,
    schema: Schema,
    main: str | None,
    unit: str,
) -> dict[str, frozenset[str]] | None:
    """What membership in the form means, or None when only the form's own list can say."""
    if main is None or is_base_ledger(schema, main) or unit == "record":
        return None
    ledger = schema.ledgers[main]
    keys = {element for key in (ledger.key, *ledger.alternate_keys) for element in key}
    cells = snapshot.cells.get(form.form_id, {})
    categories = {
        column.element: frozenset(
            value
            for (_row, index), (_raw, value) in cells.items()
            if index == column.index and value is not None
        )
        for column in form.columns
        if column.element in keys and schema.elements[column.element].type in CATEGORY_TYPES
    }
    if categories:
        return {element: codes for element, codes in categories.items() if element is not None}
    if not snapshot.form_rows.get(form.form_id):
        return {e: frozenset() for e in form.elements if schema.elements[e].ledger == main}
    return None


def _still_members(
    form: StoredForm,
    snapshot: LedgerSnapshot,
    schema: Schema,
    listed: list[ScopeRow],
    categories: Mapping[str, frozenset[str]],
) -> tuple[list[ScopeRow], list[int]]:
    kept: list[ScopeRow] = []
    left: list[int] = []
    for row in listed:
        outside = False
        for element, codes in categories.items():
            found = lookup(snapshot, schema, form.form_id, row, element)
            if codes and found is not None and found.verified and found.value not in codes:
                outside = True
        if outside and row.source_row is not None:
            left.append(row.source_row)
        else:
            kept.append(row)
    return kept, left


def _new_members(
    form: StoredForm,
    snapshot: LedgerSnapshot,
    kept: list[ScopeRow],
    categories: Mapping[str, frozenset[str]],
    unit: str,
    row_kind: str,
) -> tuple[list[ScopeRow], int]:
    members: set[str] | None = None
    for element, codes in categories.items():
        holding = {
            entity
            for entity, value in snapshot.holders.get(element, {}).items()
            if not codes or value in codes
        }
        members = holding if members is None else members & holding
    candidates = {e for e in members or set() if _kind(snapshot, e) == unit}
    covered = {unit_entity for row in kept for unit_entity in _units_of(form, snapshot, row, unit)}
    written = {row.entity for row in kept if row.entity is not None}
    new: list[ScopeRow] = []
    unplaced = 0
    for entity in sorted(candidates - covered, key=lambda e: _sort_key(snapshot, e)):
        subject = entity if unit == row_kind else _head(snapshot, entity, row_kind)
        if subject is None:
            unplaced += 1
        elif subject not in written:
            written.add(subject)
            new.append(ScopeRow(subject, None))
    return new, unplaced


def _units_of(
    form: StoredForm, snapshot: LedgerSnapshot, row: ScopeRow, unit: str
) -> Iterator[str]:
    """The entities of the main ledger's kind a written row stands for."""
    if row.entity is not None and _kind(snapshot, row.entity) == unit:
        yield row.entity
    if row.source_row is not None:
        placed = snapshot.row_links.get((form.form_id, row.source_row), {}).get(unit)
        if placed is not None:
            yield placed.entity
    person = _person_of(form.form_id, row, snapshot)
    if person is not None and unit in snapshot.person_links.get(person, {}):
        yield snapshot.person_links[person][unit]


def _head(snapshot: LedgerSnapshot, entity: str, row_kind: str) -> str | None:
    """The person a household is written as on a roster of persons: its head."""
    if row_kind != "person":
        return None
    persons = snapshot.linked_persons.get(entity, [])
    if len(persons) == 1:
        return persons[0]
    head = snapshot.value(entity, "head_id_number")
    for person in persons:
        if head is not None and snapshot.entities.get(person, ("", "", ""))[2] == head.value:
            return person
    heads = [
        p
        for p in persons
        if (found := snapshot.value(p, "relation_to_head")) and found.value in HEAD_RELATIONS
    ]
    return heads[0] if len(heads) == 1 else None


def _kind(snapshot: LedgerSnapshot, entity: str) -> str:
    return snapshot.entities.get(entity, ("", "", ""))[0]


def _sort_key(snapshot: LedgerSnapshot, entity: str) -> tuple[str, str]:
    return (snapshot.entities.get(entity, ("", "", ""))[2], entity)


def _person_of(form_id: int, row: ScopeRow, snapshot: LedgerSnapshot) -> str | None:
    if row.source_row is not None:
        placed = snapshot.row_links.get((form_id, row.source_row), {}).get("person")
        if placed is not None and placed.own:
            return placed.entity
    if row.entity is not None and _kind(snapshot, row.entity) == "person":
        return row.entity
    return None


def candidates(snapshot: LedgerSnapshot, form_id: int, row: ScopeRow, target: str) -> list[str]:
    """Entities that may hold a row's value of an element attached to ``target`` entities,
    best first, mirroring how resolve attached it: the row's own link; else the row's person
    (resolve's fallback when a row names no such entity: 与户主关系 on a row without 户号 is
    that person's); else the entity the person's other rows name; else the row's record."""
    links = snapshot.row_links.get((form_id, row.source_row), {}) if row.source_row else {}
    person = _person_of(form_id, row, snapshot)
    found: list[str] = []
    placed = links.get(target)
    if placed is not None:
        found.append(placed.entity)
    if row.entity is not None and _kind(snapshot, row.entity) == target:
        found.append(row.entity)
    if person is not None:
        found.append(person)
        usual = snapshot.person_links.get(person, {}).get(target)
        if usual is not None:
            found.append(usual)
    record = links.get("record")
    if record is not None and record.own:
        found.append(record.entity)
    return list(dict.fromkeys(found))


def lookup(
    snapshot: LedgerSnapshot, schema: Schema, form_id: int, row: ScopeRow, element: str
) -> Current | None:
    """The current ledger value of ``element`` for a row, with the department it came from."""
    return first_value(
        snapshot, candidates(snapshot, form_id, row, target_kind(schema, element)), element
    )


def first_value(snapshot: LedgerSnapshot, entities: Sequence[str], element: str) -> Current | None:
    """The current value of ``element`` held by the first of ``entities`` that has one."""
    values = snapshot.values
    for entity in entities:
        found = values.get((entity, element))
        if found is not None:
            return found
    return None

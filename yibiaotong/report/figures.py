"""The report's figures: every number supervisors read, each with its numerator, denominator and
formula, computed from the workspace tables. Definitions: docs/report.md."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from yibiaotong.errors import WorkspaceError
from yibiaotong.messages import msg
from yibiaotong.report import queries
from yibiaotong.report.quality import Quality, build_quality, started_linkage
from yibiaotong.schema import Schema
from yibiaotong.settings import Settings
from yibiaotong.storage import Store

REPORT_FORMAT = "ybt-report/1"
# Figure groups, in the order the report shows them.
GROUPS = ("scale", "fields", "prefill", "filling", "quality")


@dataclass(frozen=True, slots=True)
class Figure:
    """One headline figure. Counts carry their value only; rates and differences carry the
    numerator and denominator they come from, so anyone can recompute them."""

    key: str
    group: str
    label: str
    kind: str  # "count" | "rate" | "difference"
    value: float | None
    numerator: float | None
    denominator: float | None
    formula: str
    definition: str


@dataclass(frozen=True, slots=True)
class FormFigures:
    """One form (all its periods), described by its latest ingested instance."""

    form_key: str
    department: str
    title: str
    files: tuple[str, ...]
    periods: int
    template: bool
    rows: int
    data_columns: int
    mapped_columns: int
    unmapped_columns: int
    elements: int
    fillable_columns: int
    prefill_rate: float | None
    generated: bool
    ledgers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DepartmentFigures:
    department: str
    forms: int
    generated_forms: int
    data_columns: int
    mapped_columns: int
    elements: int
    ledgers: int
    fillable_columns: int
    prefill_rate: float | None  # rate of totals: Σ fillable ÷ Σ data columns
    prefill_rate_mean: float | None  # mean of the forms' rates
    rows: int


@dataclass(frozen=True, slots=True)
class KeyCompleteness:
    """How many of a ledger's records hold one element of its primary key."""

    element_id: str
    name: str
    records: int
    rate: float | None


@dataclass(frozen=True, slots=True)
class LedgerFigures:
    ledger_id: str
    name: str
    entity: str
    elements_used: int
    forms: int
    departments: tuple[str, ...]
    records: int
    key_elements: tuple[KeyCompleteness, ...]  # each element of the primary key
    key_complete: int  # records holding every element of the primary key
    key_rate: float | None


@dataclass(frozen=True, slots=True)
class UnmappedField:
    """Columns left without a standard element, grouped by header path."""

    header: str
    columns: int
    forms: int
    departments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FormRef:
    form_key: str
    department: str
    title: str


@dataclass(frozen=True, slots=True)
class FigureChange:
    key: str
    label: str
    kind: str
    before: float | None
    after: float | None
    delta: float | None


@dataclass(frozen=True, slots=True)
class CountChange:
    code: str
    label: str
    before: int
    after: int
    delta: int


@dataclass(frozen=True, slots=True)
class ReportChanges:
    """What changed since a previous report."""

    previous_generated_at: str
    forms_added: tuple[FormRef, ...]
    forms_removed: tuple[FormRef, ...]
    figures: tuple[FigureChange, ...]  # only figures whose value changed
    findings: tuple[CountChange, ...]  # only codes whose count changed

    @property
    def unchanged(self) -> bool:
        return not (self.forms_added or self.forms_removed or self.figures or self.findings)


@dataclass(frozen=True, slots=True)
class Report:
    format: str
    county: str
    generated_at: str
    schema_name: str
    schema_version: str
    figures: tuple[Figure, ...]
    forms: tuple[FormFigures, ...]
    departments: tuple[DepartmentFigures, ...]
    ledgers: tuple[LedgerFigures, ...]
    unmapped: tuple[UnmappedField, ...]
    quality: Quality
    changes: ReportChanges | None = None

    def figure(self, key: str) -> Figure:
        for item in self.figures:
            if item.key == key:
                return item
        raise KeyError(key)

    @property
    def title(self) -> str:
        if self.county:
            return msg("report.title", county=self.county)
        return msg("report.title_no_county")


# -- loading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _FormSummary:
    """One form across its instances (a form ingested for two months has two instances),
    described by its latest instance (by as-of date, then ingest order)."""

    form_key: str
    latest_form_id: int
    department: str
    files: tuple[str, ...]  # the instances' file names, in instance order, each once
    periods: int
    template: bool
    rows: int


@dataclass(frozen=True, slots=True)
class _Column:
    path: str
    element_id: str | None  # set only for accepted columns


# Instances ordered within their form: as-of date (undated first), then ingest order. The
# department is the latest instance's even when it is NULL (arg_max would skip it).
_FORM_SUMMARIES = """
WITH instances AS (
    SELECT f.form_id, f.form_key, f.department, fi.name AS file_name, f.data_rows, f.template,
           row_number() OVER (PARTITION BY f.form_key
                              ORDER BY f.as_of NULLS FIRST, f.form_id) AS position
    FROM forms f JOIN files fi USING (file_id)
),
files AS (
    SELECT form_key, file_name, min(position) AS first FROM instances GROUP BY ALL
)
SELECT i.form_key, arg_max(i.form_id, i.position), arg_max_null(i.department, i.position),
       any_value(n.names), count(*), bool_and(i.template), sum(i.data_rows)
FROM instances i
JOIN (SELECT form_key, list(file_name ORDER BY first) AS names FROM files GROUP BY 1) n
    USING (form_key)
GROUP BY i.form_key
"""


def _form_summaries(store: Store) -> dict[str, _FormSummary]:
    """form_key → the form across its instances."""
    summaries = {}
    for form_key, latest, department, files, periods, template, rows in queries.rows(
        store, _FORM_SUMMARIES
    ):
        summaries[form_key] = _FormSummary(
            form_key,
            int(latest),
            department or msg("report.unknown_department"),
            tuple(files),
            int(periods),
            bool(template),
            int(rows),
        )
    return summaries


def _columns(store: Store, form_ids: Sequence[int]) -> dict[int, list[_Column]]:
    """form_id → its data columns (layout columns such as 序号 left out), for the given forms."""
    columns: dict[int, list[_Column]] = defaultdict(list)
    for form_id, path, element_id in queries.rows(
        store,
        "SELECT form_id, path, CASE WHEN status = 'accepted' THEN element_id END "
        "FROM form_columns WHERE status <> 'layout' "
        f"AND form_id IN (SELECT unnest({queries.NUMBERS})) ORDER BY form_id, col_index",
        [queries.listed(form_ids)],
    ):
        columns[int(form_id)].append(_Column(path, element_id))
    return columns


def _collectors(store: Store) -> dict[str, set[str]]:
    """element → the forms (form_key) that collected at least one usable value of it."""
    collectors: dict[str, set[str]] = defaultdict(set)
    for form_key, element_id in queries.rows(
        store,
        f"SELECT DISTINCT f.form_key, c.element_id FROM {queries.CELLS} c "
        "JOIN forms f USING (form_id) WHERE c.element_id IS NOT NULL AND c.usable",
    ):
        collectors[element_id].add(form_key)
    return collectors


# -- per form --------------------------------------------------------------------------------


def _display_title(form_key: str) -> str:
    """The stable title (periods stripped) with the sheet, as the form key holds them."""
    parts = form_key.split("|")
    if len(parts) < 2:
        return form_key
    return f"{parts[1]}（{parts[2]}）" if len(parts) > 2 and parts[2] else parts[1]


def _form_figures(
    summary: _FormSummary,
    columns: Sequence[_Column],
    collectors: Mapping[str, set[str]],
    schema: Schema,
) -> FormFigures:
    form_key = summary.form_key
    mapped = [c.element_id for c in columns if c.element_id]
    fillable = sum(1 for e in mapped if collectors.get(e, set()) - {form_key})
    ledgers = {schema.elements[e].ledger for e in mapped if e in schema.elements}
    return FormFigures(
        form_key=form_key,
        department=summary.department,
        title=_display_title(form_key),
        files=summary.files,
        periods=summary.periods,
        template=summary.template,
        rows=summary.rows,
        data_columns=len(columns),
        mapped_columns=len(mapped),
        unmapped_columns=len(columns) - len(mapped),
        elements=len(set(mapped)),
        fillable_columns=fillable,
        prefill_rate=_ratio(fillable, len(columns)),
        generated=bool(columns) and fillable == len(columns),
        ledgers=tuple(sorted(ledgers, key=_schema_order(schema).__getitem__)),
    )


def _schema_order(schema: Schema) -> Mapping[str, int]:
    order = {ledger_id: index for index, ledger_id in enumerate(schema.ledgers)}
    return defaultdict(lambda: len(order), order)


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 6) if denominator else None


def _mean(rates: Iterable[float | None]) -> tuple[float, int, float | None]:
    """(sum, count, mean) of the rates that exist."""
    present = [r for r in rates if r is not None]
    total = round(sum(present), 6)
    return total, len(present), _ratio(total, len(present))


# -- departments, ledgers, unmapped fields ---------------------------------------------------


def _department_figures(
    department: str,
    forms: Sequence[FormFigures],
    columns: Mapping[str, Sequence[_Column]],
) -> DepartmentFigures:
    elements = {c.element_id for f in forms for c in columns[f.form_key] if c.element_id}
    data = sum(f.data_columns for f in forms)
    fillable = sum(f.fillable_columns for f in forms)
    return DepartmentFigures(
        department=department,
        forms=len(forms),
        generated_forms=sum(f.generated for f in forms),
        data_columns=data,
        mapped_columns=sum(f.mapped_columns for f in forms),
        elements=len(elements),
        ledgers=len({ledger for f in forms for ledger in f.ledgers}),
        fillable_columns=fillable,
        prefill_rate=_ratio(fillable, data),
        prefill_rate_mean=_mean(f.prefill_rate for f in forms)[2],
        rows=sum(f.rows for f in forms),
    )


# Per ledger and combination of key elements held, how many records (entities with a current
# value of one of the ledger's elements). A record holds a key element when the element has a
# current value on the record itself, or a usable value in one of the form rows the record came
# from (a subsidy record's 身份证号 lives on the row's person, not on the record). Key elements
# travel as bits of a mask (parameters: element ids and their bits), so each entity's holdings
# are one integer and no (entity, element) pair needs de-duplicating.
_RECORD_HOLDINGS = f"""
WITH keys AS (SELECT unnest({queries.TEXTS}) AS element_id, unnest({queries.NUMBERS}) AS bit),
row_masks AS (
    SELECT o.form_id, o.row_no, bit_or(k.bit) AS mask
    FROM observations o JOIN keys k USING (element_id)
    WHERE o.value IS NOT NULL GROUP BY 1, 2
),
masks AS (
    SELECT entity_id, bit_or(mask) AS mask FROM (
        SELECT lv.entity_id, k.bit AS mask FROM ledger_values lv JOIN keys k USING (element_id)
        UNION ALL
        SELECT re.entity_id, m.mask FROM row_entities re JOIN row_masks m USING (form_id, row_no)
    ) GROUP BY 1
),
records AS (SELECT ledger_id, entity_id FROM ledger_values GROUP BY ALL)
SELECT r.ledger_id, coalesce(m.mask, 0), count(*)
FROM records r LEFT JOIN masks m USING (entity_id) GROUP BY ALL
"""
_MASK_BITS = 62  # key elements per query: bits of a signed 64-bit mask


@dataclass(frozen=True, slots=True)
class _Records:
    count: int  # the ledger's records
    by_element: dict[str, int]  # key element → records holding it
    complete: int  # records holding every key element


def _ledger_records(store: Store, schema: Schema, ledgers: Sequence[str]) -> dict[str, _Records]:
    """Every ledger's record count; for ``ledgers``, how many hold each key element and all."""
    counts: dict[str, int] = {}
    holding: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    complete: dict[str, int] = defaultdict(int)
    for group in _ledger_groups(schema, ledgers):
        elements = sorted({e for lid in group for e in schema.ledgers[lid].key})
        bits = {element: 1 << i for i, element in enumerate(elements)}
        group_counts: dict[str, int] = defaultdict(int)
        for ledger_id, mask, records in queries.rows(
            store, _RECORD_HOLDINGS, [queries.listed(bits), queries.listed(bits.values())]
        ):
            group_counts[ledger_id] += int(records)
            if ledger_id not in group:
                continue
            key = schema.ledgers[ledger_id].key
            for element_id in key:
                if mask & bits[element_id]:
                    holding[ledger_id][element_id] += int(records)
            if all(mask & bits[element_id] for element_id in key):
                complete[ledger_id] += int(records)
        counts = counts or dict(group_counts)
    return {
        ledger_id: _Records(number, dict(holding[ledger_id]), complete[ledger_id])
        for ledger_id, number in counts.items()
    }


def _ledger_groups(schema: Schema, ledgers: Sequence[str]) -> list[list[str]]:
    """The ledgers in groups whose key elements fit one mask (one group for any real schema)."""
    groups: list[list[str]] = [[]]
    elements: set[str] = set()
    for ledger_id in ledgers:
        key = set(schema.ledgers[ledger_id].key)
        if len(elements | key) > _MASK_BITS and groups[-1]:
            groups.append([])
            elements = set()
        groups[-1].append(ledger_id)
        elements |= key
    return groups


def _ledger_figures(
    store: Store,
    schema: Schema,
    forms: Sequence[FormFigures],
    used: Sequence[str],
    elements: set[str],
) -> tuple[LedgerFigures, ...]:
    records = _ledger_records(store, schema, used)
    figures = []
    for ledger_id in used:
        ledger = schema.ledgers[ledger_id]
        serving = [f for f in forms if ledger_id in f.ledgers]
        held = records.get(ledger_id, _Records(0, {}, 0))
        count = held.count
        figures.append(
            LedgerFigures(
                ledger_id=ledger_id,
                name=ledger.name,
                entity=ledger.entity,
                elements_used=sum(
                    1
                    for e in elements
                    if e in schema.elements and schema.elements[e].ledger == ledger_id
                ),
                forms=len(serving),
                departments=tuple(sorted({f.department for f in serving})),
                records=count,
                key_elements=tuple(
                    KeyCompleteness(
                        element_id,
                        schema.elements[element_id].name
                        if element_id in schema.elements
                        else element_id,
                        held.by_element.get(element_id, 0),
                        _ratio(held.by_element.get(element_id, 0), count),
                    )
                    for element_id in ledger.key
                ),
                key_complete=held.complete if ledger.key else 0,
                key_rate=_ratio(held.complete, count) if ledger.key else None,
            )
        )
    return tuple(figures)


def _unmapped_fields(
    forms: Sequence[FormFigures], columns: Mapping[str, Sequence[_Column]]
) -> tuple[UnmappedField, ...]:
    by_header: dict[str, list[FormFigures]] = defaultdict(list)
    for form in forms:
        for column in columns[form.form_key]:
            if column.element_id is None:
                by_header[column.path].append(form)
    fields = [
        UnmappedField(
            header=header,
            columns=len(holders),
            forms=len({f.form_key for f in holders}),
            departments=tuple(sorted({f.department for f in holders})),
        )
        for header, holders in by_header.items()
    ]
    return tuple(sorted(fields, key=lambda f: (-f.columns, f.header)))


# -- headline figures ------------------------------------------------------------------------


def make_figure(
    key: str,
    group: str,
    value: float | None,
    numerator: float | None = None,
    denominator: float | None = None,
    *,
    kind: str = "rate",
) -> Figure:
    """A figure with its Chinese label, definition and formula from the message catalogue."""
    shown = {"numerator": _plain_number(numerator), "denominator": _plain_number(denominator)}
    return Figure(
        key=key,
        group=group,
        label=msg(f"report.figure.{key}.label"),
        kind=kind,
        value=value,
        numerator=numerator,
        denominator=denominator,
        formula=msg(f"report.figure.{key}.formula", **shown),
        definition=msg(f"report.figure.{key}.definition"),
    )


def _plain_number(value: float | None) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.4f}".rstrip("0")


def _count(key: str, group: str, value: int) -> Figure:
    return make_figure(key, group, value, kind="count")


def _rate(key: str, group: str, numerator: float, denominator: float) -> Figure:
    return make_figure(key, group, _ratio(numerator, denominator), numerator, denominator)


def _complement(key: str, group: str, numerator: float, denominator: float) -> Figure:
    """1 − numerator ÷ denominator."""
    part = _ratio(numerator, denominator)
    value = None if part is None else round(1 - part, 6)
    return make_figure(key, group, value, numerator, denominator)


@dataclass(frozen=True, slots=True)
class _Filling:
    cells_before: int
    unmapped_cells: int
    values_once: int
    cells_observed: int


# Every instance's rows × its data columns (and × its unmapped ones), over all periods.
_FILLING = """
SELECT sum(f.data_rows * c.data_columns), sum(f.data_rows * c.unmapped)
FROM forms f JOIN files USING (file_id)
JOIN (
    SELECT form_id, count(*) AS data_columns,
           count(*) FILTER (WHERE status <> 'accepted' OR element_id IS NULL) AS unmapped
    FROM form_columns WHERE status <> 'layout' GROUP BY 1
) c USING (form_id)
"""


def _filling(store: Store) -> _Filling:
    cells, unmapped = queries.rows(store, _FILLING)[0]
    return _Filling(
        cells_before=int(cells or 0),
        unmapped_cells=int(unmapped or 0),
        values_once=queries.count(store, "SELECT count(*) FROM ledger_values"),
        cells_observed=queries.count(store, "SELECT count(*) FROM observations"),
    )


def _headline(
    forms: Sequence[FormFigures],
    used_ledgers: Sequence[str],
    elements: set[str],
    filling: _Filling,
    quality: Quality,
) -> tuple[Figure, ...]:
    n_forms, n_ledgers = len(forms), len(used_ledgers)
    generated = sum(f.generated for f in forms)
    mapped = sum(f.mapped_columns for f in forms)
    data = sum(f.data_columns for f in forms)
    fillable = sum(f.fillable_columns for f in forms)
    rate_sum, rate_count, _ = _mean(f.prefill_rate for f in forms)
    once = filling.values_once
    return (
        _count("forms", "scale", n_forms),
        _count("ledgers", "scale", n_ledgers),
        _complement("form_reduction_rate", "scale", n_ledgers, n_forms),
        _rate("ledger_merge_ratio", "scale", n_ledgers, n_forms),
        _count("generated_forms", "scale", generated),
        _complement("form_simplification_rate", "scale", n_forms - generated, n_forms),
        _count("field_occurrences", "fields", mapped),
        _count("elements", "fields", len(elements)),
        _complement("field_reduction_rate", "fields", len(elements), mapped),
        _count("unmapped_fields", "fields", data - mapped),
        _rate("prefill_rate", "prefill", fillable, data),
        _rate("prefill_rate_mean", "prefill", rate_sum, rate_count),
        _count("cells_before", "filling", filling.cells_before),
        _count("values_once", "filling", once),
        make_figure(
            "cells_removed",
            "filling",
            filling.cells_before - once,
            filling.cells_before,
            once,
            kind="difference",
        ),
        _complement("fill_reduction_rate", "filling", once, filling.cells_before),
        _count("cells_observed", "filling", filling.cells_observed),
        _complement("fill_reduction_rate_observed", "filling", once, filling.cells_observed),
        _count("unmapped_cells", "filling", filling.unmapped_cells),
        *quality_figures(quality),
    )


def quality_figures(quality: Quality) -> tuple[Figure, ...]:
    link = quality.linkage
    valid = sum(k.valid for k in quality.key_validity)
    non_blank = sum(k.non_blank for k in quality.key_validity)
    errors = sum(f.count for f in quality.findings if f.severity == "error")
    return (
        _rate("valid_key_rate", "quality", valid, non_blank),
        _count("persons", "quality", link.persons),
        _count("unidentified_person_rows", "quality", link.unidentified_rows),
        _rate("person_house_rate", "quality", link.with_house, link.persons),
        _rate("person_grid_rate", "quality", link.with_grid, link.persons),
        _rate("person_house_grid_rate", "quality", link.with_both, link.persons),
        _count("conflicts", "quality", sum(c.entities for c in quality.conflicts_by_element)),
        _count("error_findings", "quality", errors),
    )


# -- the whole report ------------------------------------------------------------------------


def build_report(
    store: Store,
    schema: Schema,
    settings: Settings,
    *,
    generated_at: dt.datetime | None = None,
) -> Report:
    """Every figure of the simplification report, from the workspace as it stands."""
    # The person linkage starts first: its addresses are normalised in the background while
    # the other figures are counted.
    summaries = _form_summaries(store)
    if not summaries:
        raise WorkspaceError(msg("report.empty"))
    # The person linkage starts first: its addresses are normalised in the background while
    # the other figures are counted.
    with started_linkage(store) as linkage, queries.cell_counts(store):
        columns = _columns(store, [s.latest_form_id for s in summaries.values()])
        latest_columns = {key: columns.get(s.latest_form_id, []) for key, s in summaries.items()}
        collectors = _collectors(store)
        forms = tuple(
            _form_figures(summary, latest_columns[key], collectors, schema)
            for key, summary in sorted(summaries.items(), key=lambda kv: (kv[1].department, kv[0]))
        )
        elements = {c.element_id for cols in latest_columns.values() for c in cols if c.element_id}
        order = _schema_order(schema)
        used_ledgers = sorted(
            {schema.elements[e].ledger for e in elements if e in schema.elements},
            key=lambda lid: order[lid],
        )
        ledgers = _ledger_figures(store, schema, forms, used_ledgers, elements)
        filling = _filling(store)
        titles = {f.form_key: (f.department, f.title) for f in forms}
        quality = build_quality(store, schema, titles, linkage())
    by_department: dict[str, list[FormFigures]] = defaultdict(list)
    for form in forms:
        by_department[form.department].append(form)
    stamp = (generated_at or dt.datetime.now()).replace(microsecond=0)
    return Report(
        format=REPORT_FORMAT,
        county=settings.county,
        generated_at=stamp.isoformat(sep=" "),
        schema_name=schema.name,
        schema_version=schema.version,
        figures=_headline(forms, used_ledgers, elements, filling, quality),
        forms=forms,
        departments=tuple(
            _department_figures(name, group, latest_columns)
            for name, group in sorted(by_department.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ),
        ledgers=ledgers,
        unmapped=_unmapped_fields(forms, latest_columns),
        quality=quality,
    )

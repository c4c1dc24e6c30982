"""Data quality for the report: findings, conflicts, valid key cells, problem forms, and how well
persons are linked to houses and grids (人房关联率)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from yibiaotong.messages import catalogue, msg
from yibiaotong.resolve import normalise_address
from yibiaotong.schema import Schema
from yibiaotong.storage import Store

# Element types that identify someone or something; their cells are counted for 关键标识有效率.
KEY_TYPES = frozenset({"id_number", "uscc", "account", "admin_code"})
TOP_PROBLEM_FORMS = 10
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True, slots=True)
class FindingCount:
    code: str
    severity: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class ConflictByElement:
    element_id: str
    element_name: str
    ledger_id: str
    entities: int  # (entity, element) pairs with more than one value
    cells: int  # competing cells behind them


@dataclass(frozen=True, slots=True)
class ConflictByDepartment:
    department: str
    involved: int  # conflicts this department's cells take part in
    chosen: int  # its cells whose value was adopted
    overruled: int  # its cells whose value was not adopted


@dataclass(frozen=True, slots=True)
class KeyValidity:
    element_id: str
    element_name: str
    valid: int
    non_blank: int
    rate: float | None


@dataclass(frozen=True, slots=True)
class ProblemForm:
    form_key: str
    department: str
    title: str
    errors: int
    warnings: int
    infos: int
    cells: int
    per_100: float | None  # errors and warnings per 100 non-blank cells


@dataclass(frozen=True, slots=True)
class Linkage:
    """Persons (identified by 身份证号) linked to a house, a grid, both. How: docs/report.md."""

    persons: int
    unidentified_rows: int
    with_house: int
    with_grid: int
    with_both: int


@dataclass(frozen=True, slots=True)
class Quality:
    findings: tuple[FindingCount, ...]
    conflicts_by_element: tuple[ConflictByElement, ...]
    conflicts_by_department: tuple[ConflictByDepartment, ...]
    key_validity: tuple[KeyValidity, ...]
    problem_forms: tuple[ProblemForm, ...]
    linkage: Linkage

    def severity_totals(self) -> dict[str, int]:
        totals = dict.fromkeys(SEVERITIES, 0)
        for item in self.findings:
            totals[item.severity] = totals.get(item.severity, 0) + item.count
        return totals


def code_label(code: str) -> str:
    """The Chinese name of a finding code; the code itself when the catalogue has none."""
    return catalogue().get(f"report.codes.{code}", code)


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 6) if denominator else None


def _findings(store: Store) -> tuple[FindingCount, ...]:
    frame = store.frame(
        "SELECT code, severity, count(*) AS n FROM findings GROUP BY ALL ORDER BY n DESC, code"
    )
    return tuple(
        FindingCount(code, severity, code_label(code), int(n))
        for code, severity, n in frame.iter_rows()
    )


def _conflicts_by_element(store: Store, schema: Schema) -> tuple[ConflictByElement, ...]:
    frame = store.frame(
        "SELECT element_id, ledger_id, count(DISTINCT entity_id) AS n, count(*) AS cells "
        "FROM conflicts GROUP BY ALL ORDER BY n DESC, element_id"
    )
    return tuple(
        ConflictByElement(
            element_id,
            schema.elements[element_id].name if element_id in schema.elements else element_id,
            ledger_id,
            int(n),
            int(cells),
        )
        for element_id, ledger_id, n, cells in frame.iter_rows()
    )


def _conflicts_by_department(store: Store) -> tuple[ConflictByDepartment, ...]:
    frame = store.frame(
        "SELECT department, count(DISTINCT (entity_id, element_id)) AS n, "
        "count(*) FILTER (WHERE chosen), count(*) FILTER (WHERE NOT chosen) "
        "FROM conflicts GROUP BY 1 ORDER BY n DESC, department"
    )
    return tuple(
        ConflictByDepartment(
            department or msg("report.unknown_department"), int(n), int(chosen), int(overruled)
        )
        for department, n, chosen, overruled in frame.iter_rows()
    )


def _key_validity(store: Store, schema: Schema) -> tuple[KeyValidity, ...]:
    """Per identifying element: non-blank cells, and those usable with no error or warning."""
    keys = sorted(e.id for e in schema.elements.values() if e.type in KEY_TYPES)
    frame = store.frame(
        """
        SELECT o.element_id, count(*) AS non_blank,
               count(*) FILTER (WHERE o.value IS NOT NULL AND (o.finding IS NULL OR o.finding IN
                   (SELECT code FROM findings WHERE severity = 'info'))) AS valid
        FROM observations o WHERE o.element_id IN (SELECT unnest(?))
        GROUP BY 1 ORDER BY non_blank DESC, 1
        """,
        [keys],
    )
    return tuple(
        KeyValidity(
            element_id,
            schema.elements[element_id].name,
            int(valid),
            int(non_blank),
            _rate(int(valid), int(non_blank)),
        )
        for element_id, non_blank, valid in frame.iter_rows()
    )


def _problem_forms(store: Store, titles: Mapping[str, tuple[str, str]]) -> tuple[ProblemForm, ...]:
    counts = store.frame(
        "SELECT f.form_key, fi.severity, count(*) FROM findings fi JOIN forms f USING (form_id) "
        "GROUP BY ALL"
    )
    cells = dict(
        store.frame(
            "SELECT f.form_key, count(*) FROM observations o JOIN forms f USING (form_id) "
            "GROUP BY 1"
        ).iter_rows()
    )
    by_form: dict[str, dict[str, int]] = defaultdict(dict)
    for form_key, severity, n in counts.iter_rows():
        by_form[form_key][severity] = int(n)
    forms = []
    for form_key, severities in by_form.items():
        errors, warnings = severities.get("error", 0), severities.get("warning", 0)
        if errors + warnings == 0:
            continue
        department, title = titles.get(form_key, ("", form_key))
        filled = int(cells.get(form_key, 0))
        forms.append(
            ProblemForm(
                form_key,
                department,
                title,
                errors,
                warnings,
                severities.get("info", 0),
                filled,
                None if not filled else round(100 * (errors + warnings) / filled, 2),
            )
        )
    forms.sort(key=lambda f: (-f.errors, -f.warnings, f.title))
    return tuple(forms[:TOP_PROBLEM_FORMS])


def person_linkage(store: Store) -> Linkage:
    """How many persons (identified by 身份证号) are linked to a house, a grid, and both.

    A person is linked to a house when one form row refers to both (row_entities), or when the
    person's current address (现住址), normalised, equals the address of a house in the house
    ledger. A person is linked to a grid when one row refers to both, or when one of the
    person's houses is referred to by a row that also names a grid."""
    persons = {
        str(eid)
        for (eid,) in store.frame(
            "SELECT entity_id FROM entities WHERE kind = 'person' AND key_kind = 'id_number'"
        ).iter_rows()
    }
    unidentified = int(
        store.scalar(
            "SELECT count(*) FROM entities WHERE kind = 'person' AND key_kind <> 'id_number'"
        )
        or 0
    )
    houses: dict[str, set[str]] = defaultdict(set)
    grids: dict[str, set[str]] = defaultdict(set)
    for person, other, kind in store.frame(
        "SELECT DISTINCT p.entity_id, o.entity_id, o.kind FROM row_entities p "
        "JOIN row_entities o USING (form_id, row_no) "
        "WHERE p.kind = 'person' AND p.relation = 'self' AND o.kind IN ('house', 'grid')"
    ).iter_rows():
        (houses if kind == "house" else grids)[person].add(other)
    for person, matched in _houses_by_address(store).items():
        houses[person] |= matched
    house_grids: dict[str, set[str]] = defaultdict(set)
    for house, grid in store.frame(
        "SELECT DISTINCT h.entity_id, g.entity_id FROM row_entities h "
        "JOIN row_entities g USING (form_id, row_no) WHERE h.kind = 'house' AND g.kind = 'grid'"
    ).iter_rows():
        house_grids[house].add(grid)
    for person, held in houses.items():
        for house in held:
            grids[person] |= house_grids.get(house, set())
    with_house = {p for p in persons if houses.get(p)}
    with_grid = {p for p in persons if grids.get(p)}
    return Linkage(
        persons=len(persons),
        unidentified_rows=unidentified,
        with_house=len(with_house),
        with_grid=len(with_grid),
        with_both=len(with_house & with_grid),
    )


def _houses_by_address(store: Store) -> dict[str, set[str]]:
    """person → houses whose address equals the person's current address (both normalised)."""
    by_address: dict[str, set[str]] = defaultdict(set)
    for house, address in store.frame(
        "SELECT lv.entity_id, lv.value FROM ledger_values lv JOIN entities e USING (entity_id) "
        "WHERE e.kind = 'house' AND lv.element_id = 'house_address' "
        "UNION SELECT entity_id, key_value FROM entities "
        "WHERE kind = 'house' AND key_kind = 'house_address'"
    ).iter_rows():
        by_address[normalise_address(address)].add(house)
    matched: dict[str, set[str]] = {}
    for person, address in store.frame(
        "SELECT lv.entity_id, lv.value FROM ledger_values lv JOIN entities e USING (entity_id) "
        "WHERE e.kind = 'person' AND lv.element_id = 'current_address'"
    ).iter_rows():
        found = by_address.get(normalise_address(address))
        if found:
            matched[person] = set(found)
    return matched


def build_quality(
    store: Store, schema: Schema, titles: Mapping[str, tuple[str, str]], linkage: Linkage
) -> Quality:
    """The data-quality section; ``titles`` maps form_key → (department, display title)."""
    return Quality(
        findings=_findings(store),
        conflicts_by_element=_conflicts_by_element(store, schema),
        conflicts_by_department=_conflicts_by_department(store),
        key_validity=_key_validity(store, schema),
        problem_forms=_problem_forms(store, titles),
        linkage=linkage,
    )

"""Data quality for the report: findings, conflicts, valid key cells, problem forms, and how well
persons are linked to houses and grids (人房关联率)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from yibiaotong.messages import catalogue, msg
from yibiaotong.report.queries import (
    CELLS,
    TEXTS,
    cell_counts,
    count,
    listed,
    rows,
    scratch_tables,
    text_pairs,
)
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
    found = rows(
        store,
        "SELECT code, severity, count(*) AS n FROM findings GROUP BY ALL ORDER BY n DESC, code",
    )
    return tuple(
        FindingCount(code, severity, code_label(code), int(n)) for code, severity, n in found
    )


def _conflicts_by_element(store: Store, schema: Schema) -> tuple[ConflictByElement, ...]:
    found = rows(
        store,
        "SELECT element_id, ledger_id, count(DISTINCT entity_id) AS n, count(*) AS cells "
        "FROM conflicts GROUP BY ALL ORDER BY n DESC, element_id",
    )
    return tuple(
        ConflictByElement(
            element_id,
            schema.elements[element_id].name if element_id in schema.elements else element_id,
            ledger_id,
            int(n),
            int(cells),
        )
        for element_id, ledger_id, n, cells in found
    )


def _conflicts_by_department(store: Store) -> tuple[ConflictByDepartment, ...]:
    found = rows(
        store,
        "SELECT department, count(DISTINCT (entity_id, element_id)) AS n, "
        "count(*) FILTER (WHERE chosen), count(*) FILTER (WHERE NOT chosen) "
        "FROM conflicts GROUP BY 1 ORDER BY n DESC, department",
    )
    return tuple(
        ConflictByDepartment(
            department or msg("report.unknown_department"), int(n), int(chosen), int(overruled)
        )
        for department, n, chosen, overruled in found
    )


def _key_validity(store: Store, schema: Schema) -> tuple[KeyValidity, ...]:
    """Per identifying element: non-blank cells, and those usable with no error or warning."""
    keys = sorted(e.id for e in schema.elements.values() if e.type in KEY_TYPES)
    counts = rows(
        store,
        f"""
        SELECT element_id, sum(cells) AS non_blank,
               coalesce(sum(cells) FILTER (WHERE usable AND (finding IS NULL OR finding IN
                   (SELECT code FROM findings WHERE severity = 'info'))), 0) AS valid
        FROM {CELLS} WHERE element_id IN (SELECT unnest({TEXTS}))
        GROUP BY 1 ORDER BY non_blank DESC, 1
        """,
        [listed(keys)],
    )
    return tuple(
        KeyValidity(
            element_id,
            schema.elements[element_id].name,
            int(valid),
            int(non_blank),
            _rate(int(valid), int(non_blank)),
        )
        for element_id, non_blank, valid in counts
    )


def _problem_forms(store: Store, titles: Mapping[str, tuple[str, str]]) -> tuple[ProblemForm, ...]:
    counts = rows(
        store,
        "SELECT f.form_key, fi.severity, count(*) FROM findings fi JOIN forms f USING (form_id) "
        "GROUP BY ALL",
    )
    cells = dict(
        rows(
            store,
            f"SELECT f.form_key, sum(c.cells) FROM {CELLS} c JOIN forms f USING (form_id) "
            "GROUP BY 1",
        )
    )
    by_form: dict[str, dict[str, int]] = defaultdict(dict)
    for form_key, severity, n in counts:
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


# Persons identified by 身份证号, each with whether a form row links them to a house, to a grid
# (directly, or through a house a row links to a grid), and their current address.
_PERSON_LINKS = """
WITH row_links AS (
    SELECT p.entity_id AS person, o.entity_id AS other, o.kind
    FROM row_entities p JOIN row_entities o USING (form_id, row_no)
    WHERE p.kind = 'person' AND p.relation = 'self' AND o.kind IN ('house', 'grid')
),
linked AS (
    SELECT l.person, bool_or(l.kind = 'house') AS house,
           bool_or(l.kind = 'grid' OR (l.kind = 'house' AND g.house IS NOT NULL)) AS grid
    FROM row_links l LEFT JOIN report_gridded_houses g ON g.house = l.other
    GROUP BY 1
)
SELECT e.entity_id AS person, coalesce(l.house, false) AS house,
       coalesce(l.grid, false) AS grid, a.value AS address
FROM entities e
LEFT JOIN linked l ON l.person = e.entity_id
LEFT JOIN ledger_values a ON a.entity_id = e.entity_id AND a.element_id = 'current_address'
WHERE e.kind = 'person' AND e.key_kind = 'id_number'
"""
_GRIDDED_HOUSES = """
SELECT DISTINCT h.entity_id AS house FROM row_entities h JOIN row_entities g USING (form_id, row_no)
WHERE h.kind = 'house' AND g.kind = 'grid'
"""
_HOUSE_ADDRESSES = """
SELECT lv.entity_id AS house, lv.value AS address
FROM ledger_values lv JOIN entities e USING (entity_id)
WHERE e.kind = 'house' AND lv.element_id = 'house_address'
UNION
SELECT entity_id, key_value FROM entities WHERE kind = 'house' AND key_kind = 'house_address'
"""
# The addresses whose normal form can change a figure: those of persons still missing a house
# or a grid, and of the houses that could give them one (any house to a person without one; to
# a person without a grid, only houses a row links to a grid).
_ADDRESSES_TO_NORMALISE = """
SELECT DISTINCT address FROM report_persons WHERE address IS NOT NULL AND NOT (house AND grid)
UNION
SELECT h.address FROM report_house_addresses h
WHERE EXISTS (SELECT 1 FROM report_persons WHERE address IS NOT NULL AND NOT house)
   OR (h.house IN (SELECT house FROM report_gridded_houses)
       AND EXISTS (SELECT 1 FROM report_persons WHERE address IS NOT NULL AND NOT grid))
"""
_LINKAGE_COUNTS = """
WITH normal AS (SELECT first AS address, second AS normal FROM report_normal_addresses),
house_normal AS (
    SELECT n.normal, bool_or(g.house IS NOT NULL) AS gridded
    FROM report_house_addresses h JOIN normal n USING (address)
    LEFT JOIN report_gridded_houses g ON g.house = h.house
    GROUP BY 1
),
by_address AS (
    SELECT p.person, bool_or(hn.gridded) AS grid
    FROM report_persons p JOIN normal n USING (address) JOIN house_normal hn USING (normal)
    GROUP BY 1
),
persons AS (
    SELECT p.person, bool_or(p.house OR a.person IS NOT NULL) AS house,
           bool_or(p.grid OR coalesce(a.grid, false)) AS grid
    FROM report_persons p LEFT JOIN by_address a USING (person)
    GROUP BY 1
)
SELECT count(*), count(*) FILTER (WHERE house), count(*) FILTER (WHERE grid),
       count(*) FILTER (WHERE house AND grid)
FROM persons
"""


def person_linkage(store: Store) -> Linkage:
    """How many persons (identified by 身份证号) are linked to a house, a grid, and both.

    A person is linked to a house when one form row refers to both (row_entities), or when the
    person's current address (现住址), normalised, equals the address of a house in the house
    ledger. A person is linked to a grid when one row refers to both, or when one of the
    person's houses is referred to by a row that also names a grid."""
    with started_linkage(store) as finish:
        return finish()


@contextmanager
def started_linkage(store: Store) -> Iterator[Callable[[], Linkage]]:
    """person_linkage in two halves, so other queries can run in between: DuckDB does the
    joins, then the distinct addresses that can still change a count are normalised in a
    background thread (normalise_address is the resolver's, so both agree on an address)
    while the caller goes on; the function yielded waits for them and counts.

    Normalising is Python and DuckDB releases the interpreter lock while a query runs, so the
    two overlap: on a large workspace this is the report's longest Python step."""
    unidentified = count(
        store, "SELECT count(*) FROM entities WHERE kind = 'person' AND key_kind <> 'id_number'"
    )
    with (
        scratch_tables(
            store,
            [
                ("report_gridded_houses", _GRIDDED_HOUSES, ()),
                ("report_house_addresses", _HOUSE_ADDRESSES, ()),
                ("report_persons", _PERSON_LINKS, ()),
            ],
        ),
        ThreadPoolExecutor(max_workers=1) as worker,
    ):
        addresses = [str(a) for (a,) in rows(store, _ADDRESSES_TO_NORMALISE)]
        normal = worker.submit(_normal_addresses, addresses)

        def finish() -> Linkage:
            pairs = text_pairs(addresses, normal.result())
            with scratch_tables(store, [("report_normal_addresses", *pairs)]):
                persons, with_house, with_grid, with_both = rows(store, _LINKAGE_COUNTS)[0]
            return Linkage(
                persons=int(persons),
                unidentified_rows=unidentified,
                with_house=int(with_house),
                with_grid=int(with_grid),
                with_both=int(with_both),
            )

        yield finish


def _normal_addresses(addresses: list[str]) -> list[str]:
    if not addresses:
        return []
    from yibiaotong.keys import normalise_address  # imported only when there are any

    return [normalise_address(address) for address in addresses]


def build_quality(
    store: Store, schema: Schema, titles: Mapping[str, tuple[str, str]], linkage: Linkage
) -> Quality:
    """The data-quality section; ``titles`` maps form_key → (department, display title)."""
    with cell_counts(store):
        return Quality(
            findings=_findings(store),
            conflicts_by_element=_conflicts_by_element(store, schema),
            conflicts_by_department=_conflicts_by_department(store),
            key_validity=_key_validity(store, schema),
            problem_forms=_problem_forms(store, titles),
            linkage=linkage,
        )

"""Entity resolution and survivorship: stored observations → one record per entity and element.

Rows of every form are tied to the persons, households, houses, organisations, grids and events
they speak of, by key (身份证号, 户号/户主身份证号, 房屋编码/地址, 信用代码/名称 …). Each element
of a row is attached to the entity its ledger is about; the current value of an element is chosen
by the declared survivorship rule, and disagreeing sources become conflicts. The whole derivation
is rebuilt from the observations after every ingest, so it is order-independent by construction,
and entity ids are hashes of each entity's strongest key, so they do not move when files are added.
"""

from __future__ import annotations

import functools
import hmac
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from yibiaotong.keys import (
    HOUSE_NUMBER,
    normalise_address,
    normalise_name,
    normalise_org_name,
    plain_text,
)
from yibiaotong.model import Severity
from yibiaotong.schema import Schema
from yibiaotong.storage import Store
from yibiaotong.values import SEVERITY

# Which element keys an entity of each kind, strongest first. The first key of a cluster
# names the entity, so an entity keeps its id when weaker keys are added later.
ENTITY_KEYS: Mapping[str, tuple[str, ...]] = {
    "household": ("household_no", "head_id_number"),
    "house": ("house_code", "house_address"),
    "organisation": ("uscc", "social_org_reg_no", "org_name", "social_org_name", "party_org_name"),
    "grid": ("grid_code", "grid_name"),
    "area": ("admin_code", "village"),
}
_ERROR_CODES = frozenset(code for code, level in SEVERITY.items() if level == Severity.ERROR)
# Ledger entity kinds that are about the row's own person.
PERSON_KINDS = frozenset({"person", "person_house", "tag"})
# Ledger entity kinds whose rows are records of their own (one per row), linked to the person.
RECORD_KINDS = frozenset({"event", "payment", "account"})
HEAD_RELATIONS = frozenset({"01", "02"})  # GB/T 4761: 本人 / 户主 on a household roster


@dataclass(frozen=True, slots=True)
class ResolveSummary:
    entities: dict[str, int]
    row_links: int
    values: int
    conflicts: int
    unresolved_persons: int


_KEY_NORMALISERS: dict[str, Callable[[str], str]] = {
    "house_address": normalise_address,
    "org_name": normalise_org_name,
    "social_org_name": normalise_org_name,
    "party_org_name": normalise_org_name,
    "grid_name": plain_text,
    "village": plain_text,
}


def entity_id(kind: str, key: str, secret: bytes) -> str:
    """A stable id for an entity: its kind's letter and a keyed hash of its strongest key.

    Keyed with the workspace's own secret: a county's ID numbers are few enough to hash every
    one, so a plain hash of an ID number could be turned back into it.
    """
    digest = hmac.new(secret, f"{kind}\x1f{key}".encode(), "sha256").hexdigest()[:14]
    return f"{kind[0].upper()}{digest}"


Namer = Callable[[str, str], str]


# -- loading -------------------------------------------------------------------------------------


def _load(store: Store) -> pl.DataFrame:
    """Every observation of a mapped element. Only what varies by cell is loaded: the form's
    department, dates and file are per form (see _form_facts), and the raw text is kept only
    where it is read (身份证号) — at region scale each column per cell costs gigabytes."""
    return store.frame(
        """
        SELECT form_id, row_no, col_index, element_id, value,
               CASE WHEN element_id = 'id_number' THEN raw END AS raw, finding
        FROM observations WHERE element_id IS NOT NULL
        """
    ).with_columns(
        # A value flagged as an error (bad checksum, impossible date …) is kept and reported,
        # but never keys an entity nor becomes a ledger's current value.
        valid=pl.col("value").is_not_null()
        & ~pl.col("finding").is_in(list(_ERROR_CODES)).fill_null(False)
    )


# -- the union of keys -----------------------------------------------------------------------


class _Clusters:
    """Union-find over "kind:key" strings."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def add(self, key: str) -> None:
        self.parent.setdefault(key, key)

    def find(self, key: str) -> str:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, keys: Sequence[str]) -> None:
        for key in keys:
            self.add(key)
        roots = [self.find(k) for k in keys]
        for root in roots[1:]:
            self.parent[root] = roots[0]

    def groups(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = defaultdict(list)
        for key in self.parent:
            grouped[self.find(key)].append(key)
        return grouped


def _rank_key(kind: str, key: str) -> tuple[int, str]:
    element, _, value = key.partition("=")
    order = ENTITY_KEYS.get(kind, (element,))
    return (order.index(element) if element in order else len(order), value)


# Elements the resolution reads from a row besides the entity keys and the distinctive facts.
_ROW_ELEMENTS = frozenset(
    {"id_number", "name", "head_name", "head_id_number", "relation_to_head", "current_address"}
)


def _row_values(
    observations: pl.DataFrame, wanted: frozenset[str]
) -> dict[tuple[int, int], dict[str, str]]:
    """(form, row) → element → the first usable value in that row, for the ``wanted`` elements
    only: a row's other values are never read here, and at region scale they are gigabytes."""
    firsts = (
        observations.filter(pl.col("valid") & pl.col("element_id").is_in(list(wanted)))
        .sort("form_id", "row_no", "col_index")
        .unique(["form_id", "row_no", "element_id"], keep="first", maintain_order=True)
        .group_by("form_id", "row_no", maintain_order=True)
        .agg("element_id", "value")
    )
    rows: dict[tuple[int, int], dict[str, str]] = defaultdict(dict)
    for form_id, row_no, elements, values in firsts.iter_rows():
        rows[(form_id, row_no)] = dict(zip(elements, values, strict=True))
    return rows


def _form_facts(store: Store) -> pl.DataFrame:
    """Per form: department, 填报日期, the date a value counts from (填报日期, else the ingest
    day), its file and sheet, and ``form_order``: its place by content (file hash, then sheet),
    the last tie-break of survivorship, so the same files win whatever order they came in."""
    return (
        store.frame(
            """
            SELECT f.form_id, f.department, f.as_of,
                   coalesce(f.as_of, CAST(fi.ingested_at AS DATE)) AS effective_date,
                   fi.sha256, fi.name AS file_name, f.sheet
            FROM forms f JOIN files fi USING (file_id)
            """
        )
        .sort("sha256", "sheet")
        .with_row_index("form_order")
        .drop("sha256")
        .with_columns(pl.col("form_id").cast(pl.Int32))
    )


def _row_raw_ids(observations: pl.DataFrame) -> dict[tuple[int, int], str]:
    """(form, row) → the raw text of an unusable 身份证号 cell, for fallback matching."""
    broken = observations.filter(
        (pl.col("element_id") == "id_number") & ~pl.col("valid") & pl.col("raw").is_not_null()
    )
    return {(f, r): raw for f, r, raw in broken.select("form_id", "row_no", "raw").iter_rows()}


def _form_elements(store: Store) -> dict[int, frozenset[str]]:
    """The elements each form's columns carry: mapped ones, and those a column under review has
    as an exact alias ("姓名" twice on one form). A fuzzy guess ("家庭成员" ~ 姓名) is not one."""
    found: dict[int, set[str]] = defaultdict(set)
    for form_id, element in store.connection.execute(
        """
        SELECT form_id, coalesce(element_id, CASE
            WHEN json_extract_string(candidates, '$[0].method') = 'alias'
            THEN json_extract_string(candidates, '$[0].element') END)
        FROM form_columns WHERE status <> 'layout'
        """
    ).fetchall():
        if element:
            found[int(form_id)].add(str(element))
    return {form_id: frozenset(elements) for form_id, elements in found.items()}


def _all_rows(store: Store) -> list[tuple[int, int, str, str, int]]:
    return [
        (int(f), int(r), str(sha), str(sheet), int(idx))
        for f, r, sha, sheet, idx in store.connection.execute(
            "SELECT fr.form_id, fr.row_no, fi.sha256, f.sheet, f.sheet_index FROM form_rows fr "
            "JOIN forms f USING (form_id) JOIN files fi USING (file_id) ORDER BY 1, 2"
        ).fetchall()
    ]


# -- persons -------------------------------------------------------------------------------------


def _birth_from_id(text: str) -> str | None:
    digits = re.sub(r"\D", "", text)
    if len(digits) < 14 or not digits.isdigit():
        return None
    stamp = digits[6:14]
    if not re.fullmatch(r"(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])", stamp):
        return None
    return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}"


# Facts distinctive enough to tell two people of the same name apart, by element type.
_DISTINCTIVE_TYPES = frozenset({"date", "year_month", "phone", "address", "account"})


@dataclass
class _Known:
    """What the rows with a valid 身份证号 say about one person, for matching the others."""

    number: str
    facts: dict[str, set[str]]


def _comparable_value(element_type: str, value: str) -> str:
    return normalise_address(value) if element_type == "address" else value


def _evidence(
    known: _Known, values: Mapping[str, str], raw_id: str, types: Mapping[str, str]
) -> list[str]:
    """Which distinctive facts of a row without a usable ID agree with a known person."""
    found = []
    birth = values.get("birth_date") or _birth_from_id(raw_id)
    births = known.facts.get("birth_date", set()) | {_birth_from_id(known.number) or ""}
    if birth and any(b and (b.startswith(birth) or birth.startswith(b)) for b in births):
        found.append("birth_date")
    digits = re.sub(r"\D", "", raw_id)
    # A damaged ID keeps its leading digits: an Excel float keeps 15, "1.50999E+17" keeps 6.
    if len(digits) >= 14 and known.number.startswith(digits[:14]):
        found.append("id_prefix")
    for element, value in values.items():
        kind = types.get(element)
        if element == "birth_date" or kind not in _DISTINCTIVE_TYPES:
            continue
        seen = known.facts.get(element, set())
        if kind in {"date", "year_month"}:  # 2010年12月 on one form agrees with 2010-12-05
            if any(v.startswith(value) or value.startswith(v) for v in seen):
                found.append(element)
        elif _comparable_value(kind, value) in seen:
            found.append(element)
    return found


def _persons(
    rows: Mapping[tuple[int, int], Mapping[str, str]],
    names: Mapping[tuple[int, int], str],
    raw_ids: Mapping[tuple[int, int], str],
    row_ids: Mapping[tuple[int, int], str],
    types: Mapping[str, str],
    name: Namer,
) -> tuple[dict[tuple[int, int], tuple[str, str]], dict[str, dict[str, str]]]:
    """Each row's own person: (entity id, evidence); plus every person's keys.

    A row without a usable ID joins a known person only when the name agrees and at least one
    distinctive fact does too (birth date, the surviving digits of the ID, a phone, an address,
    a date such as 入党时间), and exactly one known person fits; the evidence is recorded.
    Otherwise the row stays its own entity: never merged on a guess. ``names`` holds each row's
    person's name (姓名, or 户主姓名 on a row about the head; see ``_row_names``).
    """
    by_id: dict[tuple[int, int], tuple[str, str]] = {}
    keys: dict[str, dict[str, str]] = {}
    people: dict[str, _Known] = {}
    by_name: dict[str, set[str]] = defaultdict(set)
    for place, values in rows.items():
        number = values.get("id_number")
        if not number:
            continue
        eid = name("person", number)
        by_id[place] = (eid, "id_number")
        keys[eid] = {"id_number": number}
        known = people.setdefault(number, _Known(number, defaultdict(set)))
        for element, value in values.items():
            kind = types.get(element)
            if kind in _DISTINCTIVE_TYPES:
                known.facts[element].add(_comparable_value(kind, value))
        if place in names:
            by_name[normalise_name(names[place])].add(number)
    for place, values in rows.items():
        if place in by_id or place not in names:
            continue
        raw_id = raw_ids.get(place, "")
        fits = {
            number: facts
            for number in by_name.get(normalise_name(names[place]), set())
            if (facts := _evidence(people[number], values, raw_id, types))
        }
        if len(fits) == 1:
            number, facts = next(iter(fits.items()))
            by_id[place] = (name("person", number), "+".join(["name", *facts]))
        else:
            eid = name("person", f"row={row_ids[place]}")
            by_id[place] = (eid, "unresolved")
            keys[eid] = {"row": row_ids[place]}
    return by_id, keys


# -- other entities ------------------------------------------------------------------------------

Place = tuple[int, int]


# Key elements that name one thing under two headers: a 社会组织名称 is the organisation's name
# as a 单位名称 column writes it (民政's 社会组织 forms and 市场监管's 厂企 lists name one body).
_KEY_SPACES = {"social_org_name": "org_name"}


def _key_of(element: str, value: str) -> str:
    normaliser = _KEY_NORMALISERS.get(element)
    space = _KEY_SPACES.get(element, element)
    return f"{space}={normaliser(value) if normaliser else value}"


def _lists_heads(elements: frozenset[str]) -> bool:
    """A form of heads only: a 户主姓名 column and no 姓名 column (低保花名册, 草原补贴, 耕地补贴,
    危房 …), so a row's 身份证号 is the head's own."""
    return "head_name" in elements and "name" not in elements


def _row_names(
    rows: Mapping[Place, Mapping[str, str]], form_elements: Mapping[int, frozenset[str]]
) -> dict[Place, str]:
    """The name of each row's own person: its 姓名, else 户主姓名 on a form of heads only."""
    names = {}
    for place, values in rows.items():
        heads_only = _lists_heads(form_elements.get(place[0], frozenset()))
        own = values.get("name") or (values.get("head_name") if heads_only else None)
        if own:
            names[place] = own
    return names


def _non_heads(
    rows: Mapping[Place, Mapping[str, str]], persons: Mapping[Place, tuple[str, str]]
) -> set[str]:
    """Persons whose own 与户主关系 says they are a member, not the head (子, 配偶 …)."""
    return {
        persons[place][0]
        for place, values in rows.items()
        if place in persons and values.get("relation_to_head") not in {None, *HEAD_RELATIONS}
    }


def _head_rows(
    rows: Mapping[Place, Mapping[str, str]],
    form_elements: Mapping[int, frozenset[str]],
    persons: Mapping[Place, tuple[str, str]],
    non_heads: set[str],
) -> set[Place]:
    """The rows whose own person is the head of their household.

    - 与户主关系 本人/户主 (01/02); any other relation says the row is a member's;
    - without a relation: every row of a form of heads only, and a row whose 姓名 and 户主姓名 are
      the same name — unless the person is a member by their own relation elsewhere (a son
      named after his father).
    """
    heads = set()
    for place, values in rows.items():
        relation = values.get("relation_to_head")
        head_name, own_name = values.get("head_name"), values.get("name")
        if relation is not None:
            if relation in HEAD_RELATIONS:
                heads.add(place)
        elif _lists_heads(form_elements.get(place[0], frozenset())) or (
            head_name
            and own_name
            and normalise_name(head_name) == normalise_name(own_name)
            and persons.get(place, ("", ""))[0] not in non_heads
        ):
            heads.add(place)
    return heads


@dataclass(frozen=True, slots=True)
class _Found:
    """Each kind's entity per row; how each row's household was found; each household's key."""

    entities: dict[str, dict[Place, str]]
    household_evidence: dict[Place, str]
    household_keys: dict[str, str]


def _cluster(
    kind: str, row_keys: Mapping[Place, list[str]], name: Namer
) -> tuple[dict[Place, str], dict[str, str]]:
    """Rows naming one key, or keys named together on one row, are one entity, named by its
    strongest key: (row → entity, entity → that key)."""
    clusters = _Clusters()
    for keys in row_keys.values():
        clusters.union(keys)
    names: dict[str, str] = {}
    strongest: dict[str, str] = {}
    for group in clusters.groups().values():
        key = min(group, key=lambda k: _rank_key(kind, k))
        eid = name(kind, key)
        strongest[eid] = key
        names.update(dict.fromkeys(group, eid))
    return {place: names[keys[0]] for place, keys in row_keys.items()}, strongest


def _row_keys(kind: str, values: Mapping[str, str]) -> list[str]:
    """The keys of a kind a row names in its own columns."""
    keys = [_key_of(e, values[e]) for e in ENTITY_KEYS[kind] if values.get(e)]
    if kind == "house" and not keys and values.get("current_address"):
        # 人房关联: where a row describes no house itself, the row person's 现住址 names
        # the house they live in (以房找人 depends on it) — when it names one, down to its
        # number: "包头市昆都仑区" (where a migrant worker lives) is a place, not a house,
        # and would make one "house" of every worker there.
        key = _key_of("house_address", values["current_address"])
        if HOUSE_NUMBER.search(key):
            keys.append(key)
    return keys


def _head_by_name(
    head_name: str,
    own: str | None,
    row_house: str | None,
    houses_of: Mapping[str, set[str]],
    known_by_name: Mapping[str, set[str]],
    non_heads: set[str],
) -> str | None:
    """The person a member row's 户主姓名 names: the one known person of that name (with a
    valid 身份证号, not a member by their own 与户主关系) who shares a house with the row's
    person — the row's own house, or any house the person's other rows name. None unless
    exactly one fits: never a guess."""
    shared = houses_of.get(own, set()) if own else set()
    if row_house:
        shared = shared | {row_house}
    fits = {
        person
        for person in known_by_name.get(normalise_name(head_name), set())
        if person != own and person not in non_heads and houses_of.get(person, set()) & shared
    }
    return next(iter(fits)) if len(fits) == 1 else None


def _household_keys(
    rows: Mapping[Place, Mapping[str, str]],
    persons: Mapping[Place, tuple[str, str]],
    person_numbers: Mapping[str, str],
    heads: set[Place],
    non_heads: set[str],
    names: Mapping[Place, str],
    houses: Mapping[Place, str],
) -> tuple[dict[Place, list[str]], dict[Place, str]]:
    """Each row's household keys and how they were found.

    户号 and 户主身份证号 are keys of their own ("key"); a row about the head keys the household by
    the head's own 身份证号 ("head"); a member row's 户主姓名 (no 户主身份证号) keys it by the
    身份证号 of the one known person of that name sharing a house with the member
    ("head_name+house").
    """
    houses_of: dict[str, set[str]] = defaultdict(set)
    known_by_name: dict[str, set[str]] = defaultdict(set)
    for place, (own, _) in persons.items():
        if place in houses:
            houses_of[own].add(houses[place])
        if own in person_numbers and place in names:
            known_by_name[normalise_name(names[place])].add(own)
    keys: dict[Place, list[str]] = {}
    evidence: dict[Place, str] = {}
    for place, values in rows.items():
        found = _row_keys("household", values)
        how = "key" if found else ""
        person = persons[place][0] if place in persons else None
        head, basis = None, ""
        by_number = bool(values.get("head_id_number"))  # the head is named already
        if place in heads and not by_number:
            head, basis = person, "head"
        elif values.get("head_name") and not by_number:
            head = _head_by_name(
                values["head_name"], person, houses.get(place), houses_of, known_by_name, non_heads
            )
            basis = "head_name+house"
        number = person_numbers.get(head) if head else None
        if number:
            found.append(_key_of("head_id_number", number))
            how = how or basis
        if found:
            keys[place], evidence[place] = found, how
    return keys, evidence


def _cluster_entities(
    rows: Mapping[Place, Mapping[str, str]],
    persons: Mapping[Place, tuple[str, str]],
    person_numbers: Mapping[str, str],
    names: Mapping[Place, str],
    form_elements: Mapping[int, frozenset[str]],
    name: Namer,
) -> _Found:
    """Each kind's entity per row, keys merged when one row names several keys of one entity.

    Houses come first: a member's household is found through the house it shares with its head.
    """
    found: dict[str, dict[Place, str]] = {}
    for kind in ENTITY_KEYS:
        if kind != "household":
            named = {place: k for place, values in rows.items() if (k := _row_keys(kind, values))}
            found[kind] = _cluster(kind, named, name)[0]
    non_heads = _non_heads(rows, persons)
    heads = _head_rows(rows, form_elements, persons, non_heads)
    keys, evidence = _household_keys(
        rows, persons, person_numbers, heads, non_heads, names, found["house"]
    )
    # A row naming no household is not linked to the one its person belongs to elsewhere: its
    # values are the person's as that form lists them (自理能力, 救助金额 on a 养老/卫健 roster),
    # and on the household they would collide with the other members'. The person's household
    # is one join away (row_entities of the person's other rows).
    found["household"], strongest = _cluster("household", keys, name)
    return _Found(found, evidence, strongest)


# -- survivorship --------------------------------------------------------------------------------


def _attach(
    observations: pl.DataFrame,
    schema: Schema,
    row_entity: Mapping[str, Mapping[tuple[int, int], str]],
) -> pl.DataFrame:
    """Give every observation the entity its element's ledger is about (fallback: the row's
    own person, then the row itself as a record)."""
    targets = pl.DataFrame(
        [
            (e.id, e.ledger, _target(schema.ledgers[e.ledger].entity))
            for e in schema.elements.values()
        ],
        schema=["element_id", "ledger_id", "target"],
        orient="row",
    )
    links = pl.DataFrame(
        [
            (form_id, row_no, target, eid)
            for target, places in row_entity.items()
            for (form_id, row_no), eid in places.items()
        ],
        schema={
            "form_id": pl.Int32,
            "row_no": pl.Int32,
            "target": pl.String,
            "entity_id": pl.String,
        },
        orient="row",
    )
    keys = ["form_id", "row_no"]
    fallback = [
        links.filter(pl.col("target") == name).select(*keys, pl.col("entity_id").alias(name))
        for name in ("person", "record")
    ]
    attached = (
        observations.with_columns(pl.col("form_id", "row_no").cast(pl.Int32))
        .join(targets, on="element_id", how="left")
        .join(links, on=[*keys, "target"], how="left")
        .join(fallback[0], on=keys, how="left")
        .join(fallback[1], on=keys, how="left")
    )
    return attached.with_columns(
        entity_id=pl.coalesce("entity_id", "person", "record"),
        ledger_id=pl.col("ledger_id").fill_null(""),
    ).drop("person", "record", "target")


def _target(kind: str) -> str:
    if kind in PERSON_KINDS:
        return "person"
    return "record" if kind in RECORD_KINDS else kind


def _survive(
    attached: pl.DataFrame, schema: Schema, verified: pl.DataFrame, forms: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Current value per (entity, element) by the declared rule; conflicts where sources differ.

    The rule's ``ingested_at`` step is the fallback date of forms without a 填报日期.
    """
    sources = pl.DataFrame(
        {
            "element_id": list(schema.elements),
            "source": [e.source for e in schema.elements.values()],
        },
        schema={"element_id": pl.String, "source": pl.String},
    )
    facts = forms.select("form_id", "department", "as_of", "effective_date", "form_order")
    usable = (
        attached.filter(pl.col("valid"))
        .join(facts, on="form_id", how="left")
        .join(sources, on="element_id", how="left")
        .with_columns(
            from_source=(pl.col("department") == pl.col("source")).fill_null(False),
            compare=pl.col("value"),
        )
    )
    usable = _comparable(usable, schema).with_columns(
        # 填报日期 of the form, else the day it was ingested; between values that agree, the
        # most precise (1991-05-12 over 1991-05); the rest by content, never by ingest order,
        # so the same files give the same ledgers whatever order they came in.
        precision=pl.col("value").str.len_chars(),
    )
    order = {"source_department": "from_source", "as_of_date": "effective_date"}
    by = [order[rule] for rule in schema.survivorship if rule in order]
    ranked = usable.sort(
        ["entity_id", "element_id", *by, "precision", "form_order", "row_no", "col_index"],
        descending=[False, False, *[True] * len(by), True, False, False, False],
        nulls_last=True,
    )
    current = ranked.group_by("entity_id", "element_id", maintain_order=True).first()
    current = current.join(verified, on=["entity_id", "element_id"], how="left").with_columns(
        value=pl.coalesce("verified_value", "value")
    )
    spread = ranked.group_by("entity_id", "element_id").agg(
        pl.col("compare").n_unique().alias("n_values")
    )
    conflicted = spread.filter(pl.col("n_values") > 1).select("entity_id", "element_id")
    conflicts = ranked.join(conflicted, on=["entity_id", "element_id"], how="semi")
    return current, conflicts


def _comparable(frame: pl.DataFrame, schema: Schema) -> pl.DataFrame:
    """The text values are compared on: normalised addresses and names; a month-precision date
    (1991-04) agrees with any day of that month (1991-04-15) of the same entity."""
    types = {e.id: e.type for e in schema.elements.values()}
    for kind, normalise in (("address", normalise_address), ("name", normalise_name)):
        elements = [e for e, t in types.items() if t == kind]
        chosen = pl.col("element_id").is_in(elements)
        texts = frame.filter(chosen).get_column("value").unique().to_list()
        mapping = {text: normalise(text) for text in texts}  # once per distinct text
        frame = frame.with_columns(
            compare=pl.when(chosen)
            .then(pl.col("value").replace_strict(mapping, default=None, return_dtype=pl.String))
            .otherwise(pl.col("compare"))
        )
    dated = [e for e, t in types.items() if t in {"date", "year_month"}]
    precise = (
        frame.filter(pl.col("element_id").is_in(dated))
        .group_by("entity_id", "element_id")
        .agg(pl.col("compare").unique().alias("seen"))
    )
    widened = {
        (entity, element, short): long
        for entity, element, seen in precise.iter_rows()
        if len(seen) > 1
        for short in seen
        for long in [max((v for v in seen if v.startswith(short)), key=len)]
        if long != short and all(v.startswith(short) or short.startswith(v) for v in seen)
    }
    if not widened:
        return frame
    wider = pl.DataFrame(
        [(*key, long) for key, long in widened.items()],
        schema={
            "entity_id": pl.String,
            "element_id": pl.String,
            "compare": pl.String,
            "widened": pl.String,
        },
        orient="row",
    )
    return (
        frame.join(wider, on=["entity_id", "element_id", "compare"], how="left")
        .with_columns(compare=pl.coalesce("widened", "compare"))
        .drop("widened")
    )


# -- the whole rebuild ---------------------------------------------------------------------------

_DDL = """
CREATE OR REPLACE TABLE entities (
    entity_id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, key_kind VARCHAR NOT NULL,
    key_value VARCHAR NOT NULL);
CREATE OR REPLACE TABLE row_entities (
    form_id INTEGER NOT NULL, row_no INTEGER NOT NULL, entity_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL, relation VARCHAR NOT NULL, evidence VARCHAR NOT NULL);
CREATE OR REPLACE TABLE ledger_values (
    ledger_id VARCHAR NOT NULL, entity_id VARCHAR NOT NULL, element_id VARCHAR NOT NULL,
    value VARCHAR NOT NULL, form_id INTEGER NOT NULL, row_no INTEGER NOT NULL,
    col_index INTEGER NOT NULL, department VARCHAR, as_of DATE, from_source BOOLEAN NOT NULL,
    verified_by VARCHAR);
CREATE OR REPLACE TABLE conflicts (
    ledger_id VARCHAR NOT NULL, entity_id VARCHAR NOT NULL, element_id VARCHAR NOT NULL,
    value VARCHAR NOT NULL, compare VARCHAR NOT NULL, form_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL, col_index INTEGER NOT NULL, file_name VARCHAR NOT NULL,
    sheet VARCHAR NOT NULL, department VARCHAR, as_of DATE, chosen BOOLEAN NOT NULL);
CREATE OR REPLACE VIEW ledger_records AS
    SELECT ledger_id, entity_id, count(*) AS elements FROM ledger_values GROUP BY ALL;
"""


def rebuild_ledgers(store: Store, schema: Schema) -> ResolveSummary:
    """Recompute entities, row links, current values and conflicts from all observations."""
    observations = _load(store)
    types = {e.id: e.type for e in schema.elements.values() if e.role is None}
    wanted = _ROW_ELEMENTS.union(
        *ENTITY_KEYS.values(), (e for e, t in types.items() if t in _DISTINCTIVE_TYPES)
    )
    rows = _row_values(observations, wanted)
    raw_ids = _row_raw_ids(observations)
    all_rows = _all_rows(store)
    row_ids = {(f, r): f"{sha}:{idx}:{r}" for f, r, sha, _sheet, idx in all_rows}
    secret = store.pseudonym_key()

    @functools.cache  # rows repeat the same persons and houses: one keyed hash per key
    def name(kind: str, key: str) -> str:
        return entity_id(kind, key, secret)

    form_elements = _form_elements(store)
    names = _row_names(rows, form_elements)
    persons, person_keys = _persons(rows, names, raw_ids, row_ids, types, name)
    person_numbers = {
        eid: keys["id_number"] for eid, keys in person_keys.items() if "id_number" in keys
    }
    found = _cluster_entities(rows, persons, person_numbers, names, form_elements, name)
    row_entity: dict[str, dict[tuple[int, int], str]] = {
        "person": {place: eid for place, (eid, _) in persons.items()},
        **found.entities,
        "record": {place: name("record", rid) for place, rid in row_ids.items()},
    }
    attached = _attach(observations, schema, row_entity)
    verified = store.frame(
        "SELECT entity_id, element_id, value AS verified_value, decided_by AS verified_by "
        "FROM value_decisions"
    ).cast({"verified_value": pl.String, "verified_by": pl.String})
    forms = _form_facts(store)
    current, conflicts = _survive(attached, schema, verified, forms)
    links = _links(row_entity, persons, attached, {"household": found.household_evidence})
    with store.transaction():
        store.connection.execute(_DDL)
        store.mark_ledgers_built()
        store.append(
            "entities",
            _entities_frame(links, person_keys, found.household_keys, rows, row_ids),
        )
        store.append("row_entities", links)
        store.append(
            "ledger_values",
            current.select(
                "ledger_id",
                "entity_id",
                "element_id",
                "value",
                "form_id",
                "row_no",
                "col_index",
                "department",
                "as_of",
                "from_source",
                "verified_by",
            ),
        )
        store.append("conflicts", _conflicts_frame(conflicts, current, forms))
    return ResolveSummary(
        entities=dict(links.group_by("kind").agg(pl.col("entity_id").n_unique()).iter_rows()),
        row_links=links.height,
        values=current.height,
        conflicts=conflicts.select("entity_id", "element_id").unique().height,
        unresolved_persons=sum(1 for _, ev in persons.values() if ev == "unresolved"),
    )


def _links(
    row_entity: Mapping[str, Mapping[tuple[int, int], str]],
    persons: Mapping[tuple[int, int], tuple[str, str]],
    attached: pl.DataFrame,
    evidence: Mapping[str, Mapping[tuple[int, int], str]],
) -> pl.DataFrame:
    """Which entities each stored row refers to (its own person, its household, house …), and
    how: "key" where the row names the entity's key, else the kind's own evidence."""
    used = set(attached.select("form_id", "row_no", "entity_id").unique().iter_rows())
    records: list[tuple[int, int, str, str, str, str]] = []
    for (form_id, row_no), (eid, matched) in persons.items():
        records.append((form_id, row_no, eid, "person", "self", matched))
    for kind, places in row_entity.items():
        if kind == "person":
            continue
        for (form_id, row_no), eid in places.items():
            if kind == "record" and (form_id, row_no, eid) not in used:
                continue
            relation = "self" if kind == "record" or (form_id, row_no) not in persons else kind
            how = evidence.get(kind, {}).get((form_id, row_no), "key")
            records.append((form_id, row_no, eid, kind, relation, how))
    return pl.DataFrame(
        records,
        schema=["form_id", "row_no", "entity_id", "kind", "relation", "evidence"],
        orient="row",
    ).unique(maintain_order=True)


def _entities_frame(
    links: pl.DataFrame,
    person_keys: Mapping[str, Mapping[str, str]],
    household_keys: Mapping[str, str],
    rows: Mapping[tuple[int, int], Mapping[str, str]],
    row_ids: Mapping[tuple[int, int], str],
) -> pl.DataFrame:
    first = links.unique(subset=["entity_id"], keep="first", maintain_order=True)
    records = []
    for form_id, row_no, eid, kind in first.select(
        "form_id", "row_no", "entity_id", "kind"
    ).iter_rows():
        if kind == "person":
            keys = person_keys.get(eid, {})
            key_kind, key_value = next(iter(keys.items()), ("row", row_ids[(form_id, row_no)]))
        elif kind == "record":
            key_kind, key_value = "row", row_ids[(form_id, row_no)]
        elif eid in household_keys:  # a head's 身份证号 may key it on rows that do not show it
            key_kind, _, key_value = household_keys[eid].partition("=")
        else:
            values = rows.get((form_id, row_no), {})
            key_kind = next((e for e in ENTITY_KEYS.get(kind, ()) if values.get(e)), "row")
            key_value = values.get(key_kind, row_ids[(form_id, row_no)])
        records.append((eid, kind, key_kind, key_value))
    return pl.DataFrame(
        records, schema=["entity_id", "kind", "key_kind", "key_value"], orient="row"
    )


def _conflicts_frame(
    conflicts: pl.DataFrame, current: pl.DataFrame, forms: pl.DataFrame
) -> pl.DataFrame:
    chosen = current.select(
        "entity_id", "element_id", "form_id", "row_no", "col_index"
    ).with_columns(chosen=pl.lit(True))
    return (
        conflicts.join(
            chosen, on=["entity_id", "element_id", "form_id", "row_no", "col_index"], how="left"
        )
        .with_columns(pl.col("chosen").fill_null(False))
        .join(forms.select("form_id", "file_name", "sheet"), on="form_id", how="left")
        .select(
            "ledger_id",
            "entity_id",
            "element_id",
            "value",
            "compare",
            "form_id",
            "row_no",
            "col_index",
            "file_name",
            "sheet",
            "department",
            "as_of",
            "chosen",
        )
    )


def ledger_counts(store: Store, schema: Schema) -> list[dict[str, Any]]:
    """Every ledger with its record count (entities holding at least one of its elements)."""
    counts = dict(
        store.connection.execute(
            "SELECT ledger_id, count(DISTINCT entity_id) FROM ledger_values GROUP BY 1"
        ).fetchall()
    )
    return [
        {
            "ledger": ledger.id,
            "name": ledger.name,
            "entity": ledger.entity,
            "records": int(counts.get(ledger.id, 0)),
        }
        for ledger in schema.ledgers.values()
    ]

"""Ledgers of the whole sample county against the manifest: entities, conflicts, order."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import COUNTY, ROOT
from yibiaotong.ingest import collect_paths, ingest_paths
from yibiaotong.keys import normalise_address
from yibiaotong.schema import load_schema
from yibiaotong.settings import Settings, load_settings
from yibiaotong.storage import Store, init_workspace


def _workspace(
    root: Path, name: str, batches: list[list[Path]], secret: str | None = None
) -> Settings:
    settings = load_settings({"workspace": init_workspace(root / name), "workers": 2}, environ={})
    with Store.open(settings.database) as store:
        if secret is None:
            secret = str(store.scalar("SELECT value FROM ybt_meta WHERE key = 'pseudonym_key'"))
        # Entity ids are keyed hashes: two workspaces compare ids only under one secret.
        store.connection.execute(
            "UPDATE ybt_meta SET value = ? WHERE key = 'pseudonym_key'", [secret]
        )
    for batch in batches:
        ingest_paths(batch, settings)
    return settings


@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Settings]:
    files = collect_paths([COUNTY])
    first, second = files[::2], files[1::2]
    root = tmp_path_factory.mktemp("halves")
    forward = _workspace(root, "forward", [first, second])
    with Store.open(forward.database, read_only=True) as store:
        secret = str(store.scalar("SELECT value FROM ybt_meta WHERE key = 'pseudonym_key'"))
    return forward, _workspace(root, "backward", [second, first], secret)


def _truth(store: Store, manifest: dict[str, Any]) -> dict[tuple[int, int], dict[str, Any]]:
    forms = {
        (Path(path).resolve().relative_to(ROOT / "sample_forms").as_posix(), sheet): form_id
        for form_id, path, sheet in store.frame(
            "SELECT form_id, fi.path, sheet FROM forms JOIN files fi USING (file_id)"
        ).rows()
    }
    return {
        (forms[(form["file"], form["sheet"])], entity["row"]): entity
        for form in manifest["forms"]
        for entity in form.get("entities", [])
    }


def _partition(
    store: Store, truth: dict[tuple[int, int], dict[str, Any]], kind: str
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """ybt's entities of a kind over the rows the manifest knows: truth → entities, entity →
    truths."""
    links = store.frame(
        "SELECT form_id, row_no, entity_id FROM row_entities WHERE kind = ? "
        "AND (relation = 'self' OR kind <> 'person')",
        [kind],
    ).rows()
    entities_of: dict[str, set[str]] = defaultdict(set)
    truths_of: dict[str, set[str]] = defaultdict(set)
    for form_id, row_no, entity in links:
        true = truth.get((form_id, row_no), {}).get(kind)
        if true is not None:
            entities_of[true].add(entity)
            truths_of[entity].add(true)
    return entities_of, truths_of


Cells = dict[tuple[str, str, str, str], str]


def _stored_cells(store: Store) -> Cells:
    """(file, sheet, cell, element) → value of every mapped, non-blank, readable cell: what the
    manifest does not say (a person without a phone leaves the cell blank; a column still under
    review carries no element yet)."""
    return {
        (_relative(path), sheet, cell, element): value
        for path, sheet, cell, element, value in store.frame(
            "SELECT fi.path, f.sheet, c.letter || o.row_no, o.element_id, o.value "
            "FROM observations o "
            "JOIN form_columns c USING (form_id, col_index) JOIN forms f USING (form_id) "
            "JOIN files fi USING (file_id) WHERE o.element_id IS NOT NULL AND o.value IS NOT NULL"
        ).rows()
    }


def _relative(path: str) -> str:
    return Path(path).resolve().relative_to(ROOT / "sample_forms").as_posix()


def _places(store: Store, kind: str) -> dict[tuple[str, str, int], str]:
    """(file, sheet, row) → the entity of a kind the row refers to (its own, for persons)."""
    return {
        (_relative(path), sheet, row_no): entity
        for path, sheet, row_no, entity in store.frame(
            "SELECT fi.path, f.sheet, re.row_no, re.entity_id FROM row_entities re "
            "JOIN forms f USING (form_id) JOIN files fi USING (file_id) "
            "WHERE re.kind = ? AND (re.relation = 'self' OR re.kind <> 'person')",
            [kind],
        ).rows()
    }


# -- persons -------------------------------------------------------------------------------------

_DISTINCTIVE = frozenset({"date", "year_month", "phone", "address", "account"})


def _birth(text: str) -> str | None:
    digits = re.sub(r"\D", "", text)
    stamp = digits[6:14] if len(digits) >= 14 else ""
    valid = re.fullmatch(r"(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])", stamp)
    return stamp if valid else None


def _row_facts(
    cells: dict[str, str],
    entity: dict[str, Any],
    stored: Cells,
    types: dict[str, str],
    damaged: Any,
    wrong: set[tuple[str, str, str]],
    sheet: tuple[str, str],
) -> set[tuple[str, str]]:
    """The distinctive facts a row shows undamaged: (element, what it is about)."""
    facts = set()
    for element, cell in cells.items():
        if (
            types.get(element) in _DISTINCTIVE
            and cell not in damaged
            and (*sheet, cell) not in wrong
            and (*sheet, cell, element) in stored
        ):
            token = ""
            if element == "house_address":
                token = entity.get("house", "")
            elif types[element] in {"date", "year_month"}:
                token = entity.get("event", "")
            facts.add((element, token))
    return facts


def _expected_persons(
    manifest: dict[str, Any], stored: Cells, types: dict[str, str]
) -> dict[tuple[str, str, int], str | None]:
    """Each form row's expected person, from the manifest (true person, columns, damaged cells,
    disagreeing cells) and which cells hold a value: the row's true person where its 身份证号 is
    intact, or where the row names the person (姓名, or 户主姓名 on a form of heads only) and a
    distinctive fact agrees with the person's intact-ID rows — the birth date (a column, or the
    digits a damaged number keeps), the leading 14 digits of a damaged number, or a phone,
    address, account or date both show undamaged (an address about a house agrees only on the
    same house; an event's date only on the same event). Otherwise the row is its own person
    ("row:…"), and a row naming no one has none."""
    kinds = {f["file"]: f["kind"] for f in manifest["files"]}
    wrong = {
        (v["file"], v["sheet"], v["cell"])
        for c in manifest["conflicts"]
        for v in c["values"]
        if not v["agrees_with_truth"]
    }
    rows = []
    for form in manifest["forms"]:
        columns = {c["element"]: c["letter"] for c in form["columns"] if c["element"]}
        planted = {p["cell"]: p for p in form.get("planted", [])}
        named = "name" in columns or "head_name" in columns
        for entity in form.get("entities", []):
            if "person" not in entity:
                continue
            place = (form["file"], form["sheet"], entity["row"])
            cells = {e: f"{letter}{entity['row']}" for e, letter in columns.items()}
            damage = planted.get(cells.get("id_number", ""), {})
            raw = None  # what a damaged 身份证号 cell still shows
            if damage.get("code") in _BROKEN:
                raw = str(damage.get("value") or "")
                if damage["code"] == "id-precision-lost" and kinds[form["file"]] != "csv":
                    raw = entity["person"][:15] + "000"  # a number cell keeps 15 digits
            facts = _row_facts(cells, entity, stored, types, planted.keys(), wrong, place[:2])
            intact = "id_number" in columns and raw is None
            rows.append((place, entity["person"], named, intact, raw, facts))
    known: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for _, person, _, intact, _, facts in rows:
        if intact:
            known[person] |= facts
    expected: dict[tuple[str, str, int], str | None] = {}
    for place, person, named, intact, raw, facts in rows:
        digits = re.sub(r"\D", "", raw or "")
        agrees = person in known and (
            bool(raw and _birth(raw) == person[6:14])
            or (len(digits) >= 14 and person.startswith(digits[:14]))
            or bool(facts & ({("birth_date", "")} | known[person]))
        )
        if intact or (named and agrees):
            expected[place] = person
        else:
            expected[place] = f"row:{place}" if named else None
    return expected


def _true_entities(manifest: dict[str, Any], kind: str) -> dict[tuple[str, str, int], str]:
    """(file, sheet, row) → the true entity of ``kind`` the manifest gives that form row."""
    return {
        (form["file"], form["sheet"], e["row"]): e[kind]
        for form in manifest["forms"]
        for e in form.get("entities", [])
        if kind in e
    }


def _partition_rows(
    found: dict[Any, str], truth: dict[Any, str], expected: dict[Any, Any]
) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
    """For the rows ybt linked: true entity → ybt entities, ybt entity → true entities, and
    true entity → the expected clusters (as text) of its rows."""
    entities_of: dict[str, set[str]] = defaultdict(set)
    truths_of: dict[str, set[str]] = defaultdict(set)
    expected_of: dict[str, set[str]] = defaultdict(set)
    for place, entity in found.items():
        entities_of[truth[place]].add(entity)
        truths_of[entity].add(truth[place])
        expected_of[truth[place]].add(str(expected[place]))
    return entities_of, truths_of, expected_of


def test_every_person_is_found_as_the_forms_reveal_them(
    halves: tuple[Settings, Settings], manifest: dict[str, Any]
) -> None:
    settings, _ = halves
    types = {e.id: e.type for e in load_schema(settings.schema_extensions).elements.values()}
    with Store.open(settings.database, read_only=True) as store:
        found = _places(store, "person")
        expected = _expected_persons(manifest, _stored_cells(store), types)
        true_person = _true_entities(manifest, "person")
    # Rows without a person: exactly those naming no one and showing no usable 身份证号.
    assert {p for p, e in expected.items() if e is None} == set(expected) - set(found)
    # The same partition of the rows: each ybt person is one expected person, and back.
    pairs = {(expected[p], e) for p, e in found.items() if p in expected}
    assert len(pairs) == len({x for x, _ in pairs}) == len({e for _, e in pairs})
    entities_of, truths_of, labels_of = _partition_rows(found, true_person, expected)
    persons = {e for _, e in pairs}
    # Measured on the sample county: 2,318 true persons on the form rows, 2,317 named (one is
    # only on a row with neither 姓名 nor a usable 身份证号). 77 rows without a usable 身份证号
    # share no distinctive fact with an intact-ID row of their person — a 党员 roster of 姓名 +
    # 入党时间 where the person's other rows show no 入党时间, a "1.50999E+17" number beside a
    # phone the person's other rows do not show, a 自建房 row of 户主姓名 + another house — and
    # stay separate by design: 41 of them beside a person found by number, so 2,358 persons
    # (of 2,665 in the county: the rest are on no form row).
    assert len(entities_of) == 2_317
    assert len(persons) == 2_358
    assert sum(1 for x in expected.values() if x and x.startswith("row:")) == 77
    assert manifest["population"]["persons"] == 2_665
    # No person of ybt holds rows of two true persons.
    assert [e for e, t in truths_of.items() if len(t) > 1] == []
    # Splits: exactly the persons with a row kept separate, as predicted.
    split = {t for t, e in entities_of.items() if len(e) > 1}
    assert split == {t for t, labels in labels_of.items() if len(labels) > 1}
    assert len(split) == 38


def test_every_organisation_is_found_once(
    halves: tuple[Settings, Settings], manifest: dict[str, Any]
) -> None:
    settings, kind = halves[0], "organisation"
    with Store.open(settings.database, read_only=True) as store:
        truth = _truth(store, manifest)
        entities_of, truths_of = _partition(store, truth, kind)
        every = store.scalar("SELECT count(*) FROM entities WHERE kind = 'organisation'")
    expected = {e[kind] for e in truth.values() if kind in e}
    # Every organisation on a form row has a valid credit code or a name on one of its rows
    # (6 planted bad check characters leave the name): 122 of 122, once each, nothing else.
    assert len(expected) == manifest["population"]["organisations"] == 122
    assert set(entities_of) == expected
    assert [e for e, t in truths_of.items() if len(t) > 1] == []
    assert [t for t, e in entities_of.items() if len(e) > 1] == []
    assert every == len(truths_of) == 122


# -- houses --------------------------------------------------------------------------------------

_NUMBERED = re.compile(r"\d+[号室]$")  # an address down to a house or a room


def _expected_houses(manifest: dict[str, Any], stored: Cells) -> dict[tuple[str, str, int], str]:
    """Each form row's expected house, as a cluster of keys, from the manifest's true house per
    row and which cells hold a value.

    A row names its true house by code (房屋编码) and by address (房屋地址; else the person's
    现住址 when it is an address down to a number, not "包头市昆都仑区"); keys named on one row are
    one house. A 现住址 the manifest lists as disagreeing with the person's truth names the house
    at that address (when some other row shows that house's address), else a place of its own.
    Addresses are compared as ybt normalises them (tested on their own in test_resolve.py).
    """
    wrong = {
        (v["file"], v["sheet"], v["cell"]): normalise_address(v["value"])
        for c in manifest["conflicts"]
        for v in c["values"]
        if not v["agrees_with_truth"]
    }
    row_keys: dict[tuple[str, str, int], list[tuple[str, str]]] = {}
    address_of: dict[str, str] = {}  # a true house's address, as a row shows it
    for form in manifest["forms"]:
        columns = {c["element"]: c["letter"] for c in form["columns"] if c["element"]}
        for entity in form.get("entities", []):
            place = (form["file"], form["sheet"], entity["row"])
            house = entity.get("house", "")
            cells = {
                e: (*place[:2], f"{letter}{entity['row']}", e) for e, letter in columns.items()
            }
            keys = [
                (kind, house)
                for kind, element in (("code", "house_code"), ("address", "house_address"))
                if cells.get(element) in stored
            ]
            if cells.get("house_address") in stored:
                address_of[normalise_address(stored[cells["house_address"]])] = house
            lives = cells.get("current_address")
            if not keys and lives in stored:
                if lives[:3] in wrong:
                    keys.append(("wrong", wrong[lives[:3]]))
                elif _NUMBERED.search(address := normalise_address(stored[lives])):
                    keys.append(("address", house))
                    address_of[address] = house
            if keys:
                row_keys[place] = keys
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(key: tuple[str, str]) -> tuple[str, str]:
        if key[0] == "wrong" and key[1] in address_of:
            key = ("address", address_of[key[1]])
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for keys in row_keys.values():
        for key in keys[1:]:
            parent[root(key)] = root(keys[0])
    return {place: "/".join(root(keys[0])) for place, keys in row_keys.items()}


def test_every_house_is_found_as_the_forms_reveal_them(
    halves: tuple[Settings, Settings], manifest: dict[str, Any]
) -> None:
    settings, _ = halves
    with Store.open(settings.database, read_only=True) as store:
        found = _places(store, "house")
        expected = _expected_houses(manifest, _stored_cells(store))
    true_house = _true_entities(manifest, "house")
    # The same rows, in the same partition: each ybt house is one expected cluster, and back.
    assert set(found) == set(expected)
    pairs = {(expected[p], e) for p, e in found.items()}
    assert len(pairs) == len({x for x, _ in pairs}) == len({e for _, e in pairs})
    entities_of, truths_of, clusters_of = _partition_rows(found, true_house, expected)
    # Measured on the sample county: 865 true houses on the form rows (909 in the county),
    # 836 named by a row (the other 29 only on rows of persons living elsewhere: 现住址
    # "包头市昆都仑区" is no house); 863 houses found.
    assert len(set(true_house.values())) == 865
    assert manifest["population"]["houses"] == 909
    assert len(entities_of) == 836
    assert len({e for _, e in pairs}) == 863
    # Splits, as predicted: 17 houses named by 房屋编码 on some rows and by their address on
    # others, no row showing both (牲畜/草原 lists give the code, 自建房/危房 the address), and
    # 11 whose person's 现住址 disagrees between departments (a planted conflict: that row's
    # address is another place).
    split = {t for t, e in entities_of.items() if len(e) > 1}
    assert split == {t for t, c in clusters_of.items() if len(c) > 1}
    assert len(split) == 28
    # One "merge": a planted disagreeing 现住址 is the address of another true house, so that
    # row is linked to that house — what the form says; the disagreement is a reported conflict.
    merged = {e for e, t in truths_of.items() if len(t) > 1}
    assert len(merged) == 1


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def test_planted_conflicts_are_reported_and_agreeing_values_are_not(
    halves: tuple[Settings, Settings], manifest: dict[str, Any]
) -> None:
    settings, _ = halves
    with Store.open(settings.database, read_only=True) as store:
        reported = store.frame(
            "SELECT e.key_value, c.element_id, list(DISTINCT c.value) AS values "
            "FROM conflicts c JOIN entities e USING (entity_id) GROUP BY ALL"
        ).rows()
        review = {
            (Path(p).name, s, letter)
            for p, s, letter in store.frame(
                "SELECT fi.path, f.sheet, c.letter FROM form_columns c JOIN forms f "
                "USING (form_id) JOIN files fi USING (file_id) WHERE c.status = 'review'"
            ).rows()
        }
    found = {(key, element) for key, element, _ in reported}
    for conflict in manifest["conflicts"]:
        cells = {
            (Path(v["file"]).name, v["sheet"], v["cell"].rstrip("0123456789"))
            for v in conflict["values"]
        }
        if cells & review:
            continue  # a value in a column still waiting for review is not compared yet
        assert (conflict["person"], conflict["element"]) in found, conflict
    # No conflict between values that agree once spaces, width and date precision are folded.
    for _, element, values in reported:
        plain = {_plain(v) for v in values}
        shortest = min(plain, key=len)
        assert len(plain) > 1, (element, values)
        assert not all(v.startswith(shortest) for v in plain) or element not in {
            "birth_date",
            "join_party_date",
        }


def test_halves_in_either_order_give_the_same_ledgers(halves: tuple[Settings, Settings]) -> None:
    def snapshot(settings: Settings) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
        with Store.open(settings.database, read_only=True) as store:
            values = set(
                store.frame(
                    "SELECT ledger_id, entity_id, element_id, value FROM ledger_values"
                ).rows()
            )
            entities = set(store.frame("SELECT entity_id, kind FROM entities").rows())
        return values, entities

    forward, backward = (snapshot(s) for s in halves)
    assert forward[1] == backward[1]
    assert forward[0] == backward[0]
    assert len(forward[0]) > 40_000


# -- households ----------------------------------------------------------------------------------

# Planted problems that leave a key cell unusable (a damaged number, or a blank).
_BROKEN = frozenset({"id-checksum", "id-format", "id-precision-lost", "required-missing"})
_HOUSE_COLUMNS = frozenset({"house_code", "house_address", "current_address"})


@dataclass
class _Revealed:
    """What the manifest says the forms reveal about households (see _revealed_households)."""

    key: set[str] = field(default_factory=set)
    fallback: set[str] = field(default_factory=set)
    floating: set[str] = field(default_factory=set)
    numbered: set[str] = field(default_factory=set)  # named by 户号 somewhere
    numbered_with_head: set[str] = field(default_factory=set)  # … on the head's row too
    by_head: set[str] = field(default_factory=set)  # named by the head's 身份证号 somewhere
    known: set[str] = field(default_factory=set)  # persons with an intact 身份证号 on some row
    houses: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    members: list[tuple[str, str, str, str | None]] = field(default_factory=list)

    def member(self) -> set[str]:
        return (
            {
                household
                for household, head, person, house in self.members
                if head in self.known
                and self.houses[head] & (self.houses[person] | ({house} if house else set()))
            }
            - self.key
            - self.fallback
        )

    def unjoinable(self) -> set[str]:
        return (self.numbered - self.numbered_with_head) & (self.by_head | self.member())


def _read_row(
    found: _Revealed, columns: dict[str, str], broken: set[str], entity: dict[str, Any]
) -> None:
    person, row = entity["person"], entity["row"]

    def intact(element: str) -> bool:
        return element in columns and f"{columns[element]}{row}" not in broken

    if intact("id_number"):
        found.known.add(person)
    shows_house = bool(_HOUSE_COLUMNS & columns.keys())
    if shows_house and "house" in entity:
        found.houses[person].add(entity["house"])
    head = entity.get("roles", {}).get("head")
    household = entity.get("household")
    heads_row = head == person and bool(columns.keys() & {"relation_to_head", "head_name"})
    if household is None:
        if head and (intact("head_id_number") or head == person):
            found.floating.add(head)
    elif intact("household_no"):
        found.key.add(household)
        found.numbered.add(household)
        # (a damaged 身份证号 on the head's row: the head is matched by name and facts)
        if intact("head_id_number") or (head == person and "relation_to_head" in columns):
            found.numbered_with_head.add(household)
    elif intact("head_id_number"):
        found.key.add(household)
        found.by_head.add(household)
    elif "head_id_number" in columns:
        pass  # a damaged 户主身份证号: the row says nothing else about the head
    elif heads_row:
        (found.key if intact("id_number") else found.fallback).add(household)
        found.by_head.add(household)
    elif head and "head_name" in columns:
        house = entity.get("house") if shows_house else None
        found.members.append((household, head, person, house))


def _revealed_households(manifest: dict[str, Any]) -> _Revealed:
    """Which true households the forms reveal, from the manifest's columns and entities alone.

    - key: a row names the household by an intact key — a 户号 cell, a 户主身份证号 cell, or
      the head's own 身份证号 on the head's own row of a form that says whose row it is (a
      与户主关系 column, or a 户主姓名 column: on a form of heads only every row is the head's,
      and where 姓名 is there too the head's row is the one whose person is the head);
    - fallback: only head rows whose 身份证号 is damaged or absent (自建房 lists 户主姓名 and no
      number): found only if the head is matched by name and a distinctive fact;
    - member(): only a member row's 户主姓名, the head having an intact 身份证号 on some row
      and sharing a house (a house the rows' address or house columns show) with the member;
    - floating: heads named on rows of persons without a household in the county (流动人口
      register their 户主 outside it);
    - unjoinable(): households named by 户号 on rows none of which is the head's own or gives
      the head's 身份证号, and by the head's 身份证号 elsewhere: two records nothing can join.
    """
    found = _Revealed()
    for form in manifest["forms"]:
        columns = {c["element"]: c["letter"] for c in form["columns"] if c["element"]}
        broken = {p["cell"] for p in form.get("planted", []) if p["code"] in _BROKEN}
        for entity in form.get("entities", []):
            if "person" in entity:
                _read_row(found, columns, broken, entity)
    found.fallback -= found.key
    return found


def test_every_household_the_forms_reveal_is_found_once(
    halves: tuple[Settings, Settings], manifest: dict[str, Any]
) -> None:
    settings, _ = halves
    revealed = _revealed_households(manifest)
    with Store.open(settings.database, read_only=True) as store:
        truth = _truth(store, manifest)
        links = store.frame(
            "SELECT form_id, row_no, entity_id FROM row_entities WHERE kind = 'household'"
        ).rows()
    truths_of: dict[str, set[str]] = defaultdict(set)
    heads_of: dict[str, set[str]] = defaultdict(set)
    for form_id, row_no, entity in links:
        true = truth.get((form_id, row_no), {})
        if "household" in true:
            truths_of[entity].add(true["household"])
        elif "head" in true.get("roles", {}):
            heads_of[entity].add(true["roles"]["head"])
    entities_of: dict[str, set[str]] = defaultdict(set)
    for entity, households in truths_of.items():
        for household in households:
            entities_of[household].add(entity)
    found = set(entities_of)
    in_rows = {e["household"] for e in truth.values() if "household" in e}

    # No household of ybt holds rows of two true households (nor two floating heads).
    assert [e for e, t in truths_of.items() if len(t) > 1] == []
    assert [e for e, h in heads_of.items() if len(h) > 1 and e not in truths_of] == []
    # Every household revealed by an intact key is found; nothing is found that the forms
    # do not reveal; the head rows with damaged numbers and the member rows do the rest.
    assert revealed.key <= found
    assert found <= revealed.key | revealed.fallback | revealed.member()
    # The measured numbers (sample county): 889 households among the form rows, 535 revealed
    # by a key, 4 more only by a head row with a damaged 身份证号 (all 4 matched by name and a
    # fact) and 1 only by a member's 户主姓名 (found). The other 349 appear only on rows that
    # name a person and nothing of their household (养老金, 医保 … rosters).
    assert len(in_rows) == 889
    assert (len(revealed.key), len(revealed.fallback), len(revealed.member())) == (535, 4, 1)
    assert len(found) == 540
    # Splits: only where nothing can join the two records — here one household whose 户号
    # rows (实有人口) list only members and whose head's own rows (草原补贴, 牲畜) carry no 户号.
    split = {h for h, e in entities_of.items() if len(e) > 1}
    assert split == revealed.unjoinable()
    assert len(split) == 1
    # The 流动人口 register names the 66 heads of floating persons' households: one each.
    floating = {e for e in heads_of if e not in truths_of}
    assert len(floating) == len(revealed.floating) == 66
    # And no other household: 540 + 1 split + 66 floating.
    assert len({entity for _, _, entity in links}) == len(found) + len(split) + len(floating)

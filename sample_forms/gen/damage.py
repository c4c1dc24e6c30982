"""Planted problems: damaged cells with their codes, and deliberate cross-form disagreements.

Every damaged cell is recorded on its form plan (``FormPlan.planted``); every disagreement is
returned so the manifest can list it. Values written the same way in different spellings
("138 0013 8000", full-width digits, 汉 vs 汉族) are not disagreements.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from . import codes
from .formats import TEXT
from .model import Cell, FormPlan, PlacedColumn, PlacedRow, SheetPlan, WorkbookPlan
from .population import Person, Population
from .sheetref import cell_name

ID_ELEMENTS = (
    "id_number",
    "head_id_number",
    "guardian_id_number",
    "landlord_id_number",
    "tenant_id_number",
    "legal_rep_id_number",
    "org_leader_id_number",
    "spouse_id_number",
)
PHONE_ELEMENTS = (
    "phone",
    "head_phone",
    "guardian_phone",
    "landlord_phone",
    "tenant_phone",
    "legal_rep_phone",
    "org_leader_phone",
    "emergency_phone",
    "grid_worker_phone",
    "org_phone",
    "facility_phone",
)
# Columns whose values are a person's phone or address, and which person: the row's own
# ("person") or one in a role.
PERSON_VALUE_COLUMNS = {
    "phone": ("person", "phone"),
    "current_address": ("person", "current_address"),
    "head_phone": ("head", "phone"),
    "guardian_phone": ("guardian", "phone"),
    "landlord_phone": ("landlord", "phone"),
    "tenant_phone": ("tenant", "phone"),
    "legal_rep_phone": ("legal_rep", "phone"),
    "org_leader_phone": ("org_leader", "phone"),
    "landlord_current_address": ("landlord", "current_address"),
}
CONFLICT_COUNTS = {"phone": 26, "current_address": 14}


@dataclass
class Slot:
    """One data cell of one form."""

    workbook: WorkbookPlan
    sheet: SheetPlan
    plan: FormPlan
    row: PlacedRow
    column: PlacedColumn

    @property
    def position(self) -> tuple[int, int]:
        return (self.row.row, self.column.index)

    @property
    def value(self) -> Cell:
        return self.sheet.cells.get(self.position)

    @property
    def element(self) -> str | None:
        return self.column.column.element

    @property
    def address(self) -> str:
        return cell_name(*self.position)

    def person_for(self, role: str) -> str | None:
        if role == "person":
            return self.row.record.keys.get("person")
        return self.row.record.roles.get(role)

    def linked_person(self, role: str) -> str | None:
        """The person in ``role`` if this row names them by an intact ID, else None.

        Only such cells can be attributed to a person by a tool, so only they take part in
        cross-form disagreements.
        """
        person = self.person_for(role)
        column = self.plan.column_for("id_number" if role == "person" else f"{role}_id_number")
        if person is None or column is None:
            return None
        held = self.sheet.cells.get((self.row.row, column.index))
        return person if held == person else None


def slots(workbooks: list[WorkbookPlan]) -> Iterator[Slot]:
    for workbook in workbooks:
        for sheet in workbook.sheets:
            if sheet.form is None:
                continue
            for row in sheet.form.data_rows:
                for column in sheet.form.columns:
                    if column.column.kind != "serial":
                        yield Slot(workbook, sheet, sheet.form, row, column)


def normalise(element: str, value: Cell) -> str:
    """What two spellings of one value have in common (the comparison the manifest promises)."""
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if element.endswith("phone"):
        text = text.replace(" ", "").replace("-", "")
        text = text.removesuffix(".0")
        for prefix in ("+86", "0086"):
            text = text.removeprefix(prefix)
        return text
    return "".join(text.split())


class Planter:
    def __init__(self, workbooks: list[WorkbookPlan], population: Population, seed: int) -> None:
        self.workbooks = workbooks
        self.population = population
        self.rng = random.Random(f"{seed}:damage")
        self.all_slots = list(slots(workbooks))
        self.used_rows: set[tuple[int, int]] = set()  # (id(sheet), row)
        for slot in self.all_slots:
            if slot.row.duplicate_of is not None:
                self.used_rows.add((id(slot.sheet), slot.row.row))
                self.used_rows.add((id(slot.sheet), slot.row.duplicate_of))
        self.occurrences: dict[tuple[str, str], int] = {}
        for slot in self.all_slots:
            if slot.element in PERSON_VALUE_COLUMNS:
                role, base = PERSON_VALUE_COLUMNS[slot.element]
                person = slot.person_for(role)
                if person:
                    key = (person, base)
                    self.occurrences[key] = self.occurrences.get(key, 0) + 1

    # ---- selection ----------------------------------------------------------------------------
    def _free(self, slot: Slot) -> bool:
        return (id(slot.sheet), slot.row.row) not in self.used_rows and slot.value not in (None, "")

    def _take(self, slot: Slot) -> None:
        self.used_rows.add((id(slot.sheet), slot.row.row))

    def _pick(self, candidates: list[Slot], count: int) -> list[Slot]:
        chosen: list[Slot] = []
        pool = list(candidates)
        self.rng.shuffle(pool)
        for slot in pool:
            if len(chosen) == count:
                break
            if self._free(slot):
                self._take(slot)
                chosen.append(slot)
        return chosen

    def _record(self, slot: Slot, code: str, value: Cell, truth: object) -> None:
        slot.sheet.cells[slot.position] = value
        if isinstance(value, str):
            slot.sheet.styles[slot.position] = "data"
        slot.plan.planted.append(
            {
                "cell": slot.address,
                "code": code,
                "element": slot.element,
                "value": value,
                "truth": truth,
            }
        )

    # ---- conflicts ----------------------------------------------------------------------------
    def plant_conflicts(self) -> list[tuple[str, str]]:
        """Give ~40 persons a different phone or address in one department's form."""
        by_key: dict[tuple[str, str], list[Slot]] = {}
        for slot in self.all_slots:
            if slot.element in {"phone", "current_address"} and self._free(slot):
                person = slot.linked_person("person")
                if person:
                    by_key.setdefault((person, slot.element), []).append(slot)
        planted: list[tuple[str, str]] = []
        persons_done: set[str] = set()
        for element, count in CONFLICT_COUNTS.items():
            keys = [
                key
                for key, found in by_key.items()
                if key[1] == element
                and len({s.plan.spec.department for s in found}) >= 2
                and (element != "phone" or len(str(self.population.person(key[0]).phone)) == 11)
            ]
            self.rng.shuffle(keys)
            for key in keys:
                if len([p for p in planted if p[1] == element]) == count:
                    break
                if key[0] in persons_done:
                    continue
                candidates = [s for s in by_key[key] if self._free(s)]
                if len(candidates) < 2:
                    continue
                slot = self.rng.choice(candidates)
                witness = next(
                    (s for s in candidates if s.plan.spec.department != slot.plan.spec.department),
                    None,
                )
                if witness is None:
                    continue
                owner = self.population.person(key[0])
                other = self._other_phone() if element == "phone" else self._other_address(owner)
                fmt = slot.column.column.fmt or TEXT
                slot.sheet.cells[slot.position] = fmt.write(other)
                self._take(slot)
                self._take(witness)  # keeps the agreeing cell and its ID undamaged
                planted.append(key)
                persons_done.add(key[0])
        return planted

    def _other_phone(self) -> str:
        existing = {p.phone for p in self.population.persons}
        while True:
            number = self.rng.choice(("135", "139", "150", "187", "156")) + (
                f"{self.rng.randrange(10**8):08d}"
            )
            if number not in existing:
                return number

    def _other_address(self, person: Person) -> str:
        if person.registered_address and person.registered_address != person.current_address:
            return person.registered_address
        address = person.current_address
        if address.endswith("室"):
            room = address[address.rindex("单元") + 2 : -1]
            other_room = f"{int(room[:-2])}{'02' if room.endswith('01') else '01'}"
            return address[: address.rindex("单元") + 2] + other_room + "室"
        if address.endswith("号"):
            head, number = address[:-1].rsplit("组", 1)
            return f"{head}组{int(number) + 1}号"
        return address + "（原址）"

    # ---- damage -------------------------------------------------------------------------------
    def plant_errors(self) -> None:
        self._duplicates()
        id_slots = [
            s
            for s in self.all_slots
            if s.element in ID_ELEMENTS and isinstance(s.value, str) and codes.is_valid_id(s.value)
        ]
        self._id_checksum(id_slots, max(1, round(len(id_slots) * 0.02)))
        self._id_format(id_slots, 10)
        self._id_legacy(id_slots)
        self._phone_format(12)
        self._required_missing(12)
        self._uscc_checksum(6)
        self._date_format(8)
        self._code_unknown()
        self._sex_mismatch(8)
        self._birth_mismatch(8)

    def _duplicates(self) -> None:
        for workbook in self.workbooks:
            for sheet in workbook.sheets:
                form = sheet.form
                if form is None:
                    continue
                first = next(c for c in form.columns if c.column.kind != "serial")
                for row in form.data_rows:
                    if row.duplicate_of is not None:
                        form.planted.append(
                            {
                                "cell": cell_name(row.row, first.index),
                                "code": "duplicate-row",
                                "element": None,
                                "row": row.row + 1,
                                "duplicate_of_row": row.duplicate_of + 1,
                            }
                        )

    def _id_checksum(self, candidates: list[Slot], count: int) -> None:
        for slot in self._pick(candidates, count):
            truth = str(slot.value)
            damaged = truth
            while codes.is_valid_id(damaged):
                position = self.rng.choice((14, 15, 17))
                alphabet = "0123456789X" if position == 17 else "0123456789"
                damaged = damaged[:position] + self.rng.choice(alphabet) + damaged[position + 1 :]
            self._record(slot, "id-checksum", damaged, truth)

    def _id_format(self, candidates: list[Slot], count: int) -> None:
        chosen = self._pick(candidates, count)
        for index, slot in enumerate(chosen):
            truth = str(slot.value)
            if truth.endswith("X") and index % 2 == 0:
                damaged = truth[:-1] + "x"  # lower-case x: must be capital
            elif index % 2 == 0:
                damaged = truth[:17]
            else:
                position = self.rng.randrange(6, 17)
                damaged = truth[:position] + truth[position] + truth[position:]
            self._record(slot, "id-format", damaged, truth)

    def _id_legacy(self, candidates: list[Slot]) -> None:
        """Three old people in the 高龄 roster still written with 15-digit IDs."""
        elderly = [
            s
            for s in candidates
            if s.plan.spec.form_id == "mz-elderly-allowance" and str(s.value)[6:8] == "19"
        ]
        for slot in self._pick(elderly, 3):
            truth = str(slot.value)
            self._record(slot, "id-legacy-15", truth[:6] + truth[8:17], truth)

    def _phone_format(self, count: int) -> None:
        candidates = [
            s
            for s in self.all_slots
            if s.element in PHONE_ELEMENTS
            and isinstance(s.value, str)
            and s.value.isdigit()
            and len(s.value) == 11
        ]
        single = [s for s in candidates if self._occurrence(s) <= 1]
        for index, slot in enumerate(self._pick(single or candidates, count)):
            truth = str(slot.value)
            damaged = truth[:-1] if index % 2 == 0 else truth + str(self.rng.randrange(10))
            self._record(slot, "phone-format", damaged, truth)

    def _occurrence(self, slot: Slot) -> int:
        if slot.element not in PERSON_VALUE_COLUMNS:
            return 0
        role, base = PERSON_VALUE_COLUMNS[slot.element]
        person = slot.person_for(role)
        return self.occurrences.get((person, base), 0) if person else 0

    def _required_missing(self, count: int) -> None:
        candidates = [
            s for s in self.all_slots if s.column.column.required and s.element not in ID_ELEMENTS
        ]
        for slot in self._pick(candidates, count):
            truth = slot.value
            slot.sheet.cells[slot.position] = None
            slot.plan.planted.append(
                {
                    "cell": slot.address,
                    "code": "required-missing",
                    "element": slot.element,
                    "value": None,
                    "truth": truth,
                }
            )

    def _uscc_checksum(self, count: int) -> None:
        candidates = [
            s
            for s in self.all_slots
            if s.element == "uscc" and isinstance(s.value, str) and codes.is_valid_uscc(s.value)
        ]
        for slot in self._pick(candidates, count):
            truth = str(slot.value)
            damaged = truth
            while codes.is_valid_uscc(damaged):
                damaged = truth[:17] + self.rng.choice(codes.USCC_ALPHABET)
            self._record(slot, "uscc-checksum", damaged, truth)

    def _date_format(self, count: int) -> None:
        impossible = (
            "{y}年2月30日",
            "{y}-13-05",
            "{y}.6.31",
            "{y}0230",
            "{y}-02-30",
            "{y}/4/31",
            "{y}年13月1日",
            "{y}.00.12",
        )
        candidates = [
            s
            for s in self.all_slots
            if s.element in {"birth_date", "signing_date", "dispute_date", "enlist_date"}
            and isinstance(s.value, str | dt.date)
        ]
        single = [s for s in candidates if s.element != "birth_date"] + [
            s for s in candidates if s.element == "birth_date"
        ][: count * 20]
        for index, slot in enumerate(self._pick(single, count)):
            truth = slot.value
            year = truth.year if isinstance(truth, dt.date) else int(str(truth)[:4])
            self._record(
                slot,
                "date-format",
                impossible[index % len(impossible)].format(y=year),
                _jsonable(truth),
            )

    def _code_unknown(self) -> None:
        plan = (
            ("ethnicity", "火星族"),
            ("ethnicity", "穿青人"),
            ("ethnicity", "蒙族族"),
            ("ethnicity", "其它民族"),
            ("political_status", "党员群众"),
            ("disability_category", "68-其他残疾"),
        )
        for element, bad in plan:
            candidates = [
                s for s in self.all_slots if s.element == element and isinstance(s.value, str)
            ]
            if element == "disability_category":
                candidates = [s for s in candidates if "-" in str(s.value)]
            for slot in self._pick(candidates, 1):
                self._record(slot, "code-unknown", bad, slot.value)

    def _sex_mismatch(self, count: int) -> None:
        flips = {"男": "女", "女": "男", "1-男": "2-女", "2-女": "1-男", "1": "2", "2": "1"}
        candidates = [
            s
            for s in self.all_slots
            if s.element == "sex" and s.value in flips and self._row_has_id(s)
        ]
        for slot in self._pick(candidates, count):
            self._record(slot, "id-sex-mismatch", flips[str(slot.value)], slot.value)

    def _birth_mismatch(self, count: int) -> None:
        candidates = [
            s
            for s in self.all_slots
            if s.element == "birth_date"
            and s.value not in (None, "")
            and self._row_has_id(s)
            and (s.column.column.fmt is None or "year-month" not in s.column.column.fmt.name)
        ]
        for slot in self._pick(candidates, count):
            truth = slot.row.record.values["birth_date"]
            assert isinstance(truth, dt.date)
            shifted = truth.replace(
                year=truth.year + self.rng.choice((-2, -1, 1, 2)), day=min(truth.day, 28)
            )
            fmt = slot.column.column.fmt or TEXT
            self._record(slot, "id-birth-mismatch", fmt.write(shifted), truth.isoformat())

    def _row_has_id(self, slot: Slot) -> bool:
        column = slot.plan.column_for("id_number")
        if column is None:
            return False
        value = slot.sheet.cells.get((slot.row.row, column.index))
        return isinstance(value, str) and codes.is_valid_id(value)


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def find_conflicts(
    workbooks: list[WorkbookPlan], population: Population
) -> list[dict[str, object]]:
    """Every person whose phone or address disagrees between cells (planted cells left out)."""
    planted_cells = {
        (id(sheet), str(entry["cell"]))
        for workbook in workbooks
        for sheet in workbook.sheets
        if sheet.form
        for entry in sheet.form.planted
    }
    found: dict[tuple[str, str], list[Slot]] = {}
    for slot in slots(workbooks):
        if slot.element not in PERSON_VALUE_COLUMNS or slot.value in (None, ""):
            continue
        if (id(slot.sheet), slot.address) in planted_cells:
            continue
        role, base = PERSON_VALUE_COLUMNS[slot.element]
        person = slot.linked_person(role)
        if person:
            found.setdefault((person, base), []).append(slot)
    conflicts = []
    for (person, base), found_slots in sorted(found.items()):
        distinct = {normalise(base, s.value) for s in found_slots}
        if len(distinct) < 2:
            continue
        truth = getattr(population.person(person), base)
        conflicts.append(
            {
                "person": person,
                "element": base,
                "truth": truth,
                "values": [
                    {
                        "value": s.value,
                        "file": s.workbook.spec.path,
                        "sheet": s.sheet.name,
                        "cell": s.address,
                        "column_element": s.element,
                        "department": s.plan.spec.department,
                        "agrees_with_truth": normalise(base, s.value) == normalise(base, truth),
                    }
                    for s in found_slots
                ],
            }
        )
    return conflicts

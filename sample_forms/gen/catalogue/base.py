"""Helpers the form catalogue is written with: columns, records, form and workbook specs."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass

from ..county import COUNTY_NAME, Unit
from ..model import Column, ExtraSheet, Fmt, FormSpec, Layout, Record, WorkbookSpec
from ..population import AS_OF, Household, Organisation, Person, Population
from ..programmes import Programmes

DEPARTMENTS = {
    "民政局": "民政",
    "退役军人事务局": "退役军人事务",
    "残联": "残联",
    "人社局": "人社",
    "医保局": "医保",
    "卫健委": "卫健",
    "公安局": "公安",
    "综治中心": "政法综治",
    "司法局": "司法",
    "信访局": "信访",
    "应急管理局": "应急管理",
    "住建局": "住建",
    "组织部": "组织部",
    "统战部": "统战部",
    "妇联": "妇联",
    "团委": "共青团",
    "教育局": "教育",
    "农牧局": "农牧",
    "市场监管局": "市场监管",
    "统计局": "统计",
}

RELATION_ORDER = {"户主": 0, "配偶": 1, "父母": 2, "子": 3, "女": 3, "孙子女": 4, "其他": 5}
HUKOU_TYPES = {"农业家庭户口": "农业户口", "非农业家庭户口": "非农业户口"}


def col(
    header: str,
    element: str | None,
    fmt: Fmt | None = None,
    *,
    source: str | None = None,
    group: tuple[str, ...] = (),
    variant: str | None = None,
    width: float | None = None,
) -> Column:
    return Column(
        header=header,
        element=element,
        source=source,
        fmt=fmt,
        group=group,
        variant=variant,
        width=width,
    )


def serial(header: str = "序号") -> Column:
    return Column(header=header, element=None, kind="serial", width=6)


def local(header: str, source: str, fmt: Fmt | None = None, group: tuple[str, ...] = ()) -> Column:
    return Column(header=header, element=None, source=source, fmt=fmt, kind="local", group=group)


def grouped(name: str, columns: Iterable[Column]) -> list[Column]:
    """Put ``columns`` under a group header (outermost groups are added last)."""
    return [
        Column(
            header=column.header,
            element=column.element,
            source=column.source,
            fmt=column.fmt,
            group=(name, *column.group),
            kind=column.kind,
            variant=column.variant,
            width=column.width,
        )
        for column in columns
    ]


@dataclass
class Ctx:
    pop: Population
    prog: Programmes
    seed: int

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")

    # ---- places ---------------------------------------------------------------------------------
    def home_unit(self, person: Person) -> Unit:
        household = self.pop.household_of.get(person.id_number)
        if household is not None:
            return household.unit
        return person.house.unit if person.house else self.pop.units[0]

    # ---- values ---------------------------------------------------------------------------------
    def person_values(self, person: Person) -> dict[str, object]:
        pop = self.pop
        household = pop.household_of.get(person.id_number)
        unit = self.home_unit(person)
        house = person.house
        grid = house.grid if house else unit.grids[0]
        worker = pop.person(grid.worker_id)
        guardian = pop.by_id.get(person.guardian_id)
        values: dict[str, object] = {
            "name": person.name,
            "id_number": person.id_number,
            "id_type": "居民身份证",
            "sex": person.sex,
            "ethnicity": person.ethnicity,
            "birth_date": person.birth,
            "age": person.age(),
            "phone": person.phone,
            "current_address": person.current_address,
            "hukou_address": person.registered_address,
            "hukou_type": HUKOU_TYPES[household.kind] if household else "农业户口",
            "marital_status": person.marital,
            "education": person.education,
            "political_status": person.political,
            "health_status": person.health,
            "occupation": person.occupation,
            "relation_to_head": person.relation,
            "town": unit.town.name,
            "village": unit.name,
            "admin_code": unit.code,
            "grid_name": grid.name,
            "grid_code": grid.code,
            "grid_worker": worker.name,
            "grid_worker_phone": worker.phone,
            "house_code": house.code if house else "",
            "house_address": house.address if house else "",
            "residence_type": person.residence_type,
            "bank_name": person.bank_name,
            "account_name": person.name if person.account_no else "",
            "account_no": person.account_no,
            "emergency_name": person.emergency_name,
            "emergency_phone": person.emergency_phone,
            "is_low_income": "low_income" in person.tags,
            "is_special_hardship": "extreme_poverty" in person.tags,
            "is_lives_alone": "lives_alone" in person.tags,
            "is_empty_nest": "empty_nest" in person.tags,
            "is_left_behind": "left_behind_child" in person.tags,
            "is_separated_household": bool(household and "split_registration" in household.tags)
            or bool(person.migrant_place),
            "is_nominal_household": bool(household and "hollow_registration" in household.tags),
        }
        if household is not None:
            head = household.head
            values |= {
                "household_no": household.number,
                "household_size": len(household.members),
                "head_name": head.name,
                "head_id_number": head.id_number,
                "head_phone": head.phone,
            }
        if guardian is not None:
            values |= {
                "guardian_name": guardian.name,
                "guardian_id_number": guardian.id_number,
                "guardian_phone": guardian.phone,
                "guardian_relation": _guardian_relation(person, guardian),
            }
        return values

    def person_record(self, person: Person, extra: dict[str, object] | None = None) -> Record:
        household = self.pop.household_of.get(person.id_number)
        keys = {"person": person.id_number}
        roles: dict[str, str] = {}
        if household is not None:
            keys["household"] = household.number
            roles["head"] = household.head.id_number
        if person.house is not None:
            keys["house"] = person.house.code
        if person.guardian_id:
            roles["guardian"] = person.guardian_id
        values = self.person_values(person) | (extra or {})
        return Record(keys=keys, values=values, roles=roles, group=self.home_unit(person).name)

    def household_record(
        self, household: Household, extra: dict[str, object] | None = None
    ) -> Record:
        record = self.person_record(household.head, extra)
        record.keys["household"] = household.number
        return record

    def org_values(self, organisation: Organisation) -> dict[str, object]:
        rep = self.pop.person(organisation.legal_rep_id)
        return {
            "org_name": organisation.name,
            "social_org_name": organisation.name,
            "uscc": organisation.uscc,
            "org_type": organisation.kind
            if organisation.kind not in {"社会团体", "民办非企业单位"}
            else "社会组织",
            "org_address": organisation.address,
            "org_phone": organisation.phone,
            "business_scope": organisation.scope,
            "employee_count": organisation.employees,
            "established": organisation.established,
            "capital": organisation.capital,
            "legal_rep_name": rep.name,
            "legal_rep_id_number": rep.id_number,
            "legal_rep_phone": rep.phone,
            "town": organisation.unit.town.name,
            "village": organisation.unit.name,
            "grid_name": organisation.unit.grids[0].name,
            "social_org_reg_no": organisation.registration_no,
            "social_org_category": organisation.kind,
        }

    def org_record(
        self, organisation: Organisation, extra: dict[str, object] | None = None
    ) -> Record:
        return Record(
            keys={"organisation": organisation.uscc},
            values=self.org_values(organisation) | (extra or {}),
            roles={"legal_rep": organisation.legal_rep_id},
            group=organisation.unit.name,
        )

    # ---- selections -----------------------------------------------------------------------------
    def sort_persons(self, persons: Iterable[Person]) -> list[Person]:
        def key(person: Person) -> tuple[str, str, int, str]:
            return (
                self.home_unit(person).code,
                person.household_no or "~",
                RELATION_ORDER.get(person.relation, 9),
                person.id_number,
            )

        return sorted(persons, key=key)

    def persons_where(self, *tags: str) -> list[Person]:
        return self.sort_persons(p for p in self.pop.persons if any(t in p.tags for t in tags))

    def households_of(self, numbers: Iterable[str]) -> list[Household]:
        wanted = set(numbers)
        return [h for h in self.pop.households if h.number in wanted]

    def sort_persons_records(self, records: list[Record]) -> list[Record]:
        def key(record: Record) -> tuple[str, str, int, str]:
            person = self.pop.person(record.keys["person"])
            return (
                self.home_unit(person).code,
                person.household_no or "~",
                RELATION_ORDER.get(person.relation, 9),
                person.id_number,
            )

        return sorted(records, key=key)

    def in_towns(self, records: list[Record], towns: set[str]) -> list[Record]:
        return [r for r in records if r.values.get("town") in towns]

    @staticmethod
    def month_end(month: int, year: int = 2026) -> dt.date:
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return following - dt.timedelta(days=1)

    @staticmethod
    def day(rng: random.Random, m1: int, d1: int, m2: int, d2: int, year: int = 2026) -> dt.date:
        start, end = dt.date(year, m1, d1), dt.date(year, m2, d2)
        return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _guardian_relation(child: Person, guardian: Person) -> str:
    if guardian.id_number == child.father_id:
        return "父子" if child.sex == "男" else "父女"
    if guardian.id_number == child.mother_id:
        return "母子" if child.sex == "男" else "母女"
    return "祖孙"


def form(
    form_id: str,
    title: str,
    columns: list[Column],
    records: list[Record],
    *,
    unit: str = "",
    sheet: str = "Sheet1",
    layout: Layout | None = None,
    template: bool = False,
    duplicates: int = 0,
    as_of: dt.date = AS_OF,
    notes: tuple[str, ...] = (),
) -> FormSpec:
    return FormSpec(
        form_id=form_id,
        department="",
        title=title,
        columns=columns,
        records=[] if template else records,
        sheet=sheet,
        layout=layout or Layout(),
        as_of=as_of,
        unit_name=unit,
        template=template,
        duplicates=duplicates,
        notes=notes,
    )


def book(
    folder: str,
    filename: str,
    *sheets: FormSpec | ExtraSheet,
    encoding: str | None = None,
) -> WorkbookSpec:
    kind = filename.rsplit(".", 1)[1]
    department = DEPARTMENTS[folder]
    for sheet in sheets:
        if isinstance(sheet, FormSpec):
            sheet.department = department
            if not sheet.unit_name:
                sheet.unit_name = f"{COUNTY_NAME}{folder}"
            if kind == "csv":
                sheet.sheet = filename.rsplit(".", 1)[0]
    return WorkbookSpec(
        folder=folder, filename=filename, kind=kind, sheets=list(sheets), encoding=encoding
    )


def instructions(*lines: str, name: str = "填表说明") -> ExtraSheet:
    return ExtraSheet(name=name, role="instructions", lines=[[line] for line in lines])


def dictionary(name: str, table: dict[str, list[str]]) -> ExtraSheet:
    """A hidden code-list sheet of the kind import templates keep for their drop-downs."""
    headers = list(table)
    depth = max(len(values) for values in table.values())
    lines = [headers] + [
        [table[header][row] if row < len(table[header]) else "" for header in headers]
        for row in range(depth)
    ]
    return ExtraSheet(name=name, role="hidden", lines=lines)


FOOTER_SIGN = "填表人：              审核人：              联系电话："
FOOTER_STAMP = "单位（盖章）：                                   年    月    日"

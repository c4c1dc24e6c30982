"""The people, households, houses and organisations of 青山旗, drawn from one seeded generator.

Everything here is the truth the forms are written from; damage is applied later, per cell.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TypeVar

from . import codes, names
from .county import COUNTY_CODE, COUNTY_NAME, OUTSIDE_AREA_CODES, PHONE_AREA, Grid, Town, Unit

AS_OF = dt.date(2026, 10, 31)

T = TypeVar("T")

MOBILE_PREFIXES = names.words(
    "130 131 132 133 134 135 136 137 138 139 145 147 150 151 152 153 155 156 157 158 159 "
    "166 172 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 193 195 198 199"
)

BANKS = (
    ("中国农业银行", "622848"),
    ("内蒙古农村信用社", "621779"),
    ("中国邮政储蓄银行", "621799"),
    ("中国建设银行", "621700"),
    ("中国工商银行", "622202"),
    ("中国银行", "621661"),
)

ELSEWHERE = (
    "呼和浩特市赛罕区",
    "包头市昆都仑区",
    "鄂尔多斯市东胜区",
    "北京市朝阳区",
    "天津市滨海新区",
    "河北省张家口市桥东区",
)


@dataclass(eq=False)
class House:
    code: str
    unit: Unit
    grid: Grid
    address: str
    urban: bool
    structure: str
    area: float
    built_year: int
    floors: int
    owner_id: str = ""
    use: str = "自住"  # 自住 / 出租 / 空置
    danger_level: str = ""  # rural houses: A/B/C/D
    self_built: bool = False


@dataclass(eq=False)
class Person:
    id_number: str
    name: str
    sex: str
    birth: dt.date
    ethnicity: str
    phone: str = ""
    household_no: str = ""  # empty for people registered outside the county
    relation: str = ""  # 与户主关系
    house: House | None = None
    residence_type: str = "自住"  # 自住 / 租住 / 寄住
    registered_address: str = ""
    education: str = ""
    marital: str = ""
    political: str = "群众"
    health: str = "健康或良好"
    occupation: str = ""
    employer: str = ""
    migrant_place: str = ""  # where someone of the county works elsewhere
    tags: list[str] = field(default_factory=list)
    bank_name: str = ""
    account_no: str = ""
    emergency_name: str = ""
    emergency_phone: str = ""
    guardian_id: str = ""
    father_id: str = ""
    mother_id: str = ""

    def age(self, on: dt.date = AS_OF) -> int:
        years = on.year - self.birth.year
        return years - ((on.month, on.day) < (self.birth.month, self.birth.day))

    @property
    def current_address(self) -> str:
        if self.migrant_place:
            return self.migrant_place
        return self.house.address if self.house else self.registered_address

    def tag(self, name: str) -> bool:
        return name in self.tags


@dataclass(eq=False)
class Household:
    number: str  # 户号
    unit: Unit
    kind: str  # 户口类型: 农业家庭户口 / 非农业家庭户口
    members: list[Person] = field(default_factory=list)
    registered_house: House | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def head(self) -> Person:
        return self.members[0]

    @property
    def registered_address(self) -> str:
        return self.registered_house.address if self.registered_house else ""


@dataclass(eq=False)
class Organisation:
    uscc: str
    name: str
    kind: str  # 企业 / 个体工商户 / 农民专业合作社 / 社会团体 / 民办非企业单位 / 事业单位 / 机关
    legal_rep_id: str
    address: str
    phone: str
    unit: Unit
    established: dt.date
    capital: float  # 万元
    scope: str
    employees: int
    registration_no: str = ""  # 社会组织登记证号 (old style)


@dataclass
class Population:
    towns: list[Town]
    persons: list[Person]
    households: list[Household]
    houses: list[House]
    organisations: list[Organisation]
    by_id: dict[str, Person] = field(default_factory=dict)
    household_of: dict[str, Household] = field(default_factory=dict)

    @property
    def units(self) -> list[Unit]:
        return [unit for town in self.towns for unit in town.units]

    @property
    def grids(self) -> list[Grid]:
        return [grid for unit in self.units for grid in unit.grids]

    def person(self, id_number: str) -> Person:
        return self.by_id[id_number]


class _Registry:
    """Unique ID numbers, phones and account numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids: set[str] = set()
        self.phones: set[str] = set()
        self.accounts: set[str] = set()

    def id_number(self, area: str, birth: dt.date, sex: str) -> str:
        while True:
            sequence = self.rng.randrange(0, 1000)
            if (sequence % 2 == 1) != (sex == "男"):
                sequence = (sequence + 1) % 1000
            first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + codes.id_check_char(first17)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def landline(self) -> str:
        while True:
            number = f"{PHONE_AREA}-{self.rng.choice('2345678')}{self.rng.randrange(10**6):06d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def account(self) -> tuple[str, str]:
        bank, bin_prefix = self.rng.choice(BANKS)
        length = 19 if bin_prefix in {"621799", "621779", "622848"} else 16
        while True:
            body = bin_prefix + "".join(
                str(self.rng.randrange(10)) for _ in range(length - len(bin_prefix) - 1)
            )
            number = body + _luhn_digit(body)
            if number not in self.accounts:
                self.accounts.add(number)
                return bank, number


def _luhn_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def _birth(rng: random.Random, age: int) -> dt.date:
    """A birth date giving exactly ``age`` on AS_OF."""
    latest = dt.date(AS_OF.year - age, AS_OF.month, AS_OF.day)
    return latest - dt.timedelta(days=rng.randrange(0, 365))


def _ethnicity(rng: random.Random, urban: bool) -> str:
    pool = ("汉族", "蒙古族", "回族", "满族", "达斡尔族", "鄂温克族")
    weights = (80, 12, 4, 3, 0.6, 0.4) if urban else (76, 17, 3, 3, 0.6, 0.4)
    return rng.choices(pool, weights=weights)[0]


class _Builder:
    def __init__(self, seed: int, towns: list[Town], scale: int = 1) -> None:
        self.rng = random.Random(seed)
        self.scale = scale  # households per unit multiplier (benchmarks); 1 = the sample county
        self.registry = _Registry(self.rng)
        self.towns = towns
        self.persons: list[Person] = []
        self.households: list[Household] = []
        self.houses: list[House] = []
        self.free_houses: dict[str, list[House]] = {}

    # ---- houses -----------------------------------------------------------------------------
    def build_houses(self, unit: Unit, count: int) -> None:
        rng = self.rng
        houses: list[House] = []
        serial = 0
        if unit.urban:
            buildings = unit.groups * self.scale
            slots = [
                (building, entrance, floor, room)
                for building in range(1, buildings + 1)
                for entrance in (1, 2, 3)
                for floor in range(1, 7)
                for room in (1, 2)
            ]
            for building, entrance, floor, room in sorted(rng.sample(slots, count)):
                serial += 1
                houses.append(
                    House(
                        code=f"{unit.code}{serial:04d}",
                        unit=unit,
                        grid=unit.grids[0 if building <= buildings // 2 else 1],
                        address=(
                            f"{unit.full_name}{building}号楼{entrance}单元{floor}{room:02d}室"
                        ),
                        urban=True,
                        structure=rng.choice(("砖混", "框架", "砖混", "钢混")),
                        area=round(rng.uniform(48, 135), 1),
                        built_year=rng.randrange(1985, 2020),
                        floors=6,
                    )
                )
        else:
            per_group = count // unit.groups + 1
            for group in range(1, unit.groups + 1):
                for number in sorted(rng.sample(range(1, 59 * self.scale + 1), per_group)):
                    if len(houses) == count:
                        break
                    serial += 1
                    built = rng.randrange(1968, 2022)
                    houses.append(
                        House(
                            code=f"{unit.code}{serial:04d}",
                            unit=unit,
                            grid=unit.grids[0 if group <= (unit.groups + 1) // 2 else 1],
                            address=f"{unit.full_name}{codes.cn_small_number(group)}组{number}号",
                            urban=False,
                            structure=rng.choices(
                                ("砖木", "砖混", "土木", "石木"), weights=(40, 40, 15, 5)
                            )[0],
                            area=round(rng.uniform(45, 160), 1),
                            built_year=built,
                            floors=rng.choice((1, 1, 1, 2)),
                            danger_level=rng.choices(
                                ("A", "B", "C", "D"),
                                weights=(50, 40, 8, 2) if built > 1990 else (20, 45, 25, 10),
                            )[0],
                            self_built=True,
                        )
                    )
        self.houses.extend(houses)
        self.free_houses[unit.code] = houses

    def take_house(self, unit: Unit) -> House:
        return self.free_houses[unit.code].pop(self.rng.randrange(len(self.free_houses[unit.code])))

    # ---- persons ----------------------------------------------------------------------------
    def person(
        self,
        sex: str,
        age: int,
        ethnicity: str,
        family_name: str | None,
        area: str = COUNTY_CODE,
    ) -> Person:
        rng = self.rng
        birth = _birth(rng, age)
        if ethnicity == "蒙古族" and rng.random() < 0.55:
            name = names.mongolian_name(rng, sex)
        else:
            name = (family_name or names.surname(rng)) + names.given_name(rng, sex, birth.year)
        person = Person(
            id_number=self.registry.id_number(area, birth, sex),
            name=name,
            sex=sex,
            birth=birth,
            ethnicity=ethnicity,
        )
        self._fill_person(person)
        self.persons.append(person)
        return person

    def _fill_person(self, person: Person) -> None:
        rng = self.rng
        age = person.age()
        if age >= 16:
            if age >= 75 and rng.random() < 0.3:
                person.phone = self.registry.landline()
            elif age < 85 or rng.random() < 0.4:
                person.phone = self.registry.mobile()
        person.education = _education(rng, person)
        person.marital = _marital(rng, age)
        if age >= 60 and rng.random() < 0.35:
            person.health = rng.choice(("一般或较弱", "有慢性病"))
        person.occupation = _occupation(rng, age)

    # ---- households -------------------------------------------------------------------------
    def household(self, unit: Unit, serial: int) -> Household:
        household = Household(
            number=f"{unit.code[6:12]}{serial:03d}",
            unit=unit,
            kind="非农业家庭户口" if unit.urban else "农业家庭户口",
        )
        family = _Family(self, household)
        kind = self.rng.choices(tuple(_HOUSEHOLD_KINDS), weights=tuple(_HOUSEHOLD_KINDS.values()))
        if kind[0] == "alone_old":
            family.alone_old()
        elif kind[0] in {"old_couple", "single", "couple"}:
            family.couple(kind[0])
        else:
            family.with_children(kind[0])
        self.households.append(household)
        return household


# Household compositions and how often they occur.
_HOUSEHOLD_KINDS = {
    "alone_old": 11,
    "old_couple": 15,
    "single": 7,
    "couple": 11,
    "nuclear": 33,
    "three_gen": 13,
    "single_parent": 6,
    "skipped": 4,  # grandparents with children whose parents work elsewhere (留守)
}


class _Family:
    """One household being filled: members share an ethnicity and mostly the head's surname."""

    def __init__(self, builder: _Builder, household: Household) -> None:
        self.builder = builder
        self.rng = builder.rng
        self.household = household
        self.ethnicity = _ethnicity(self.rng, household.unit.urban)
        self.surname = names.surname(self.rng)
        self.spouse_surname = names.surname(self.rng)

    def add(self, sex: str, age: int, relation: str, surname: str | None = None) -> Person:
        person = self.builder.person(sex, age, self.ethnicity, surname or self.surname)
        person.relation = relation
        person.household_no = self.household.number
        self.household.members.append(person)
        return person

    def alone_old(self) -> None:
        rng = self.rng
        age = min(99, int(rng.triangular(60, 100, 70)))
        if rng.random() < 0.04:
            age = rng.randrange(100, 105)
        head = self.add(rng.choices(("男", "女"), weights=(40, 60))[0], age, "户主")
        head.marital = rng.choice(("丧偶", "丧偶", "离婚", "未婚"))

    def couple(self, kind: str) -> None:
        rng = self.rng
        if kind == "old_couple":
            age = min(103, int(rng.triangular(58, 100, 66)))
        else:
            age = rng.randrange(20, 60)
        head = self.add("男", age, "户主")
        if kind == "single":
            head.marital = "未婚" if age < 35 else rng.choice(("未婚", "离婚"))
            return
        spouse_age = max(20, min(103, age + rng.randrange(-6, 4)))
        self.add("女", spouse_age, "配偶", self.spouse_surname)

    def with_children(self, kind: str) -> None:
        head, father, mother = self._parents(kind)
        parent = father or mother or head
        if kind == "three_gen":
            self._grandparents(parent.age())
        youngest = max(0, parent.age() - 45)
        oldest = max(youngest, parent.age() - 22)
        for _ in range(self.rng.choices((1, 2, 3), weights=(62, 33, 5))[0]):
            sex = self.rng.choice(("男", "女"))
            relation = "孙子女" if kind == "skipped" else "子" if sex == "男" else "女"
            child = self.add(sex, self.rng.randrange(youngest, oldest + 1), relation)
            child.father_id = father.id_number if father else ""
            child.mother_id = mother.id_number if mother else ""
            if child.age() < 18 and kind == "skipped":
                child.guardian_id = head.id_number
                child.tags.append("left_behind_child")
            elif child.age() < 18:
                child.guardian_id = (mother or father or head).id_number

    def _parents(self, kind: str) -> tuple[Person, Person | None, Person | None]:
        """The head and the children's father and mother (who may live elsewhere)."""
        rng = self.rng
        parent_age = rng.randrange(26, 56)
        if kind == "single_parent":
            sex = rng.choices(("男", "女"), weights=(30, 70))[0]
            head = self.add(sex, parent_age, "户主")
            head.marital = rng.choice(("离婚", "丧偶"))
            return head, head if sex == "男" else None, head if sex == "女" else None
        if kind == "skipped":
            grand_age = rng.randrange(58, 80)
            head = self.add("男", grand_age, "户主")
            self.add("女", grand_age - rng.randrange(0, 4), "配偶", self.spouse_surname)
            father = self.add("男", grand_age - rng.randrange(22, 30), "子")
            father.marital = "已婚"
            mother = self.add("女", father.age() - rng.randrange(0, 4), "其他", names.surname(rng))
            for parent in (father, mother):
                parent.migrant_place = rng.choice(ELSEWHERE)
                parent.tags.append("migrant_worker")
            return head, father, mother
        head = self.add("男", parent_age, "户主")
        mother_age = max(22, parent_age + rng.randrange(-5, 3))
        mother = self.add("女", mother_age, "配偶", self.spouse_surname)
        return head, head, mother

    def _grandparents(self, parent_age: int) -> None:
        grand_age = min(102, parent_age + self.rng.randrange(23, 34))
        self.add("男", grand_age, "父母")
        if self.rng.random() < 0.6:
            self.add("女", grand_age - self.rng.randrange(0, 5), "父母", names.surname(self.rng))


def _education(rng: random.Random, person: Person) -> str:
    age = person.age()
    if age < 7:
        return ""
    if age < 13:
        return "小学"
    if age < 16:
        return "初中"
    weights = (
        (1, 8, 10, 6, 22, 35, 15, 3) if person.birth.year >= 1970 else (0, 2, 3, 3, 12, 30, 35, 15)
    )
    return rng.choices(list(codes.EDUCATION_CODES), weights=weights)[0]


def _marital(rng: random.Random, age: int) -> str:
    if age < 22:
        return "未婚"
    if age < 30:
        return rng.choices(("未婚", "已婚"), weights=(45, 55))[0]
    return "已婚"


def _occupation(rng: random.Random, age: int) -> str:
    if 18 <= age < 60:
        return rng.choice(
            ("农牧民", "农牧民", "个体经营", "企业职工", "灵活就业", "机关事业单位", "无业")
        )
    if age >= 60:
        return "离退休" if rng.random() < 0.3 else "无业"
    return "学生" if age >= 7 else ""


def build_population(seed: int, towns: list[Town], scale: int = 1) -> Population:
    """The county's people; ``scale`` multiplies the households of every unit (1 = sample)."""
    builder = _Builder(seed, towns, scale)
    rng = builder.rng
    units = [unit for town in towns for unit in town.units]
    for unit in units:
        if unit.urban:
            count = 42 if unit.town.kind == "街道" else 24
        else:
            count = 26 if unit.town.kind == "镇" else 24
        count *= builder.scale
        owned = round(count * 0.84)
        builder.build_houses(unit, owned + 5)
        for serial in range(1, count + 1):
            household = builder.household(unit, serial)
            if serial <= owned:
                house = builder.take_house(unit)
                house.owner_id = household.head.id_number
                residence = "自住"
            else:  # a split-off household living in a relative's house (寄住)
                relatives = rng.choice([h for h in builder.households if h.unit is unit][:owned])
                house = relatives.registered_house or builder.take_house(unit)
                residence = "寄住"
            household.registered_house = house
            for member in household.members:
                member.house = house
                member.residence_type = residence
                member.registered_address = house.address
    _rentals(builder, units)
    _floaters(builder, units)
    _split_registrations(builder)
    population = Population(
        towns=towns,
        persons=builder.persons,
        households=builder.households,
        houses=builder.houses,
        organisations=[],
    )
    population.by_id = {person.id_number: person for person in population.persons}
    population.household_of = {
        member.id_number: household
        for household in population.households
        for member in household.members
    }
    _assign_grid_workers(population, rng)
    _tag_people(population, rng, builder.registry)
    population.organisations = _organisations(population, rng, builder.registry)
    return population


def _rentals(builder: _Builder, units: list[Unit]) -> None:
    """Some owners rent out a second house to a local household that moves in (租住)."""
    rng = builder.rng
    for unit in units:
        spare = builder.free_houses[unit.code]
        owners = [h for h in builder.households if h.unit is unit and h.head.age() < 75]
        movers = [h for h in builder.households if h.unit is unit]
        for house in list(spare[:2]):
            landlord = rng.choice(owners)
            house.owner_id = landlord.head.id_number
            house.use = "出租"
            spare.remove(house)
            tenant = rng.choice(movers)
            if tenant is landlord or tenant.registered_house is None:
                continue
            tenant.registered_house.use = "空置"
            for member in tenant.members:
                if member.migrant_place:
                    continue
                member.house = house
                member.residence_type = "租住"


def _floaters(builder: _Builder, units: list[Unit]) -> None:
    """People registered outside the county renting the remaining spare houses (流动人口)."""
    rng = builder.rng
    for unit in units:
        spare = builder.free_houses[unit.code]
        owners = [h for h in builder.households if h.unit is unit and h.head.age() < 80]
        for house in list(spare):
            if rng.random() < 0.25:
                continue  # stays empty
            house.owner_id = rng.choice(owners).head.id_number
            house.use = "出租"
            spare.remove(house)
            area = rng.choice(OUTSIDE_AREA_CODES)
            family = names.surname(rng)
            ethnicity = _ethnicity(rng, True)
            head_age = rng.randrange(20, 55)
            tenants = [builder.person(rng.choice(("男", "女")), head_age, ethnicity, family, area)]
            if rng.random() < 0.5 and head_age > 24:
                other = "女" if tenants[0].sex == "男" else "男"
                tenants.append(
                    builder.person(
                        other, head_age + rng.randrange(-3, 4), ethnicity, names.surname(rng), area
                    )
                )
                if rng.random() < 0.5 and head_age > 28:
                    child = builder.person(
                        rng.choice(("男", "女")), rng.randrange(0, 12), ethnicity, family, area
                    )
                    child.guardian_id = tenants[0].id_number
                    tenants.append(child)
            for tenant in tenants:
                tenant.house = house
                tenant.residence_type = "租住"
                tenant.registered_address = _outside_address(rng, area)
                tenant.tags.append("floating")
                if 18 <= tenant.age() < 60:
                    tenant.occupation = rng.choice(("个体经营", "企业职工", "灵活就业", "建筑工人"))


_OUTSIDE_PLACES = {
    "150102": "内蒙古自治区呼和浩特市新城区",
    "150121": "内蒙古自治区呼和浩特市土默特左旗",
    "150203": "内蒙古自治区包头市昆都仑区",
    "150925": "内蒙古自治区乌兰察布市凉城县",
    "152626": "内蒙古自治区乌兰察布市商都县",
    "152627": "内蒙古自治区乌兰察布市兴和县",
    "130722": "河北省张家口市张北县",
    "140221": "山西省大同市阳高县",
    "410526": "河南省安阳市滑县",
    "620521": "甘肃省天水市清水县",
}


def _outside_address(rng: random.Random, area: str) -> str:
    town = rng.choice(("城关镇", "新华镇", "永安乡"))
    village = rng.choice(("新村", "南庄村", "前街村", "后营村", "东风村"))
    return f"{_OUTSIDE_PLACES[area]}{town}{village}{rng.randrange(1, 90)}号"


def _split_registrations(builder: _Builder) -> None:
    """人户分离: rural households who moved into town and kept their village registration."""
    rng = builder.rng
    rural = [h for h in builder.households if not h.unit.urban and not h.tags]
    for household in rng.sample(rural, 24):
        town_units = [u for u in household.unit.town.units if u.urban] or [
            u for t in builder.towns for u in t.units if u.urban
        ]
        target = rng.choice(town_units)
        spare = builder.free_houses[target.code]
        if not spare:
            continue
        house = spare.pop()
        house.owner_id = household.head.id_number
        if household.registered_house is not None:
            household.registered_house.use = "空置"
        household.tags.append("split_registration")
        for member in household.members:
            if not member.migrant_place:
                member.house = house
    # 空挂户: registered on a collective address, nobody lives there.
    for household in rng.sample([h for h in builder.households if not h.tags], 8):
        household.tags.append("hollow_registration")


def _assign_grid_workers(population: Population, rng: random.Random) -> None:
    for grid in population.grids:
        candidates = [
            p
            for p in population.persons
            if p.house is not None
            and p.house.unit is grid.unit
            and 24 <= p.age() <= 50
            and p.phone
            and "grid_worker" not in p.tags
            and p.household_no
            and not p.migrant_place
        ]
        candidates.sort(key=lambda p: (p.sex != "女", p.id_number))
        worker = rng.choice(candidates[: max(3, len(candidates) // 2)])
        worker.tags.append("grid_worker")
        worker.occupation = "网格员"
        worker.employer = f"{grid.unit.name}居（村）民委员会"
        grid.worker_id = worker.id_number


def _tag_people(population: Population, rng: random.Random, registry: _Registry) -> None:
    """Programme tags, consistent with household composition and age."""
    _composition_tags(population)
    for person in population.persons:
        if person.age() >= 60 and person.household_no:
            _emergency_contact(population, person, rng, registry)
    _assistance_tags(population, rng)
    _programme_tags(population, rng)
    for person in population.persons:
        needs_account = any(
            tag in person.tags
            for tag in ("low_income", "extreme_poverty", "elderly_80", "disabled", "veteran")
        ) or (person.age() >= 60 and rng.random() < 0.5)
        if needs_account and (
            person.relation == "户主" or person.age() >= 60 or "disabled" in person.tags
        ):
            person.bank_name, person.account_no = registry.account()


def _composition_tags(population: Population) -> None:
    """独居, 空巢, 留守老人, 高龄: read off who actually lives in each household."""
    for household in population.households:
        residents = [m for m in household.members if not m.migrant_place]
        if len(residents) == 1 and residents[0].age() >= 60:
            residents[0].tags.append("lives_alone")
        elif len(residents) == 2 and all(m.age() >= 60 for m in residents):
            for member in residents:
                member.tags.append("empty_nest")
        if any("left_behind_child" in m.tags for m in household.members):
            for member in residents:
                if member.age() >= 60:
                    member.tags.append("left_behind_elderly")
        for member in household.members:
            if member.age() >= 80:
                member.tags.append("elderly_80")
            if member.age() >= 100:
                member.tags.append("centenarian")


def _assistance_tags(population: Population, rng: random.Random) -> None:
    """低保 households (rural, old and widowed ones more often) and 特困 persons living alone."""
    households = population.households
    weights = [
        (3.0 if not h.unit.urban else 1.5)
        * (2.0 if any(m.age() >= 70 for m in h.members) else 1.0)
        * (2.5 if h.head.marital in {"丧偶", "离婚"} else 1.0)
        for h in households
    ]
    low_income = _weighted_sample(rng, households, weights, 48)
    for household in low_income:
        household.tags.append("low_income")
        for member in household.members:
            member.tags.append("low_income")
    extreme = [
        p
        for h in households
        if h not in low_income and len(h.members) == 1 and h.head.age() >= 60
        for p in h.members
    ]
    for person in rng.sample(extreme, 16):
        person.tags.append("extreme_poverty")


def _programme_tags(population: Population, rng: random.Random) -> None:
    adults = [p for p in population.persons if p.age() >= 18 and p.household_no]
    for person in rng.sample(adults, 92):
        person.tags.append("disabled")
        if rng.random() < 0.3:
            person.health = "残疾"
    males = [p for p in adults if p.sex == "男" and 24 <= p.age() <= 92]
    females = [p for p in adults if p.sex == "女" and 24 <= p.age() <= 60]
    for person in rng.sample(males, 64) + rng.sample(females, 3):
        person.tags.append("veteran")
    for person in rng.sample([p for p in adults if 20 <= p.age() <= 90], 170):
        person.tags.append("party_member")
        person.political = "中共党员" if rng.random() > 0.05 else "中共预备党员"
    for person in adults:
        if person.age() <= 28 and person.political == "群众" and rng.random() < 0.3:
            person.political = "共青团员"
    working = [p for p in adults if p.age() < 60 and not p.migrant_place]
    for person in rng.sample(working, 70):
        person.tags.append("migrant_worker")
        person.migrant_place = rng.choice(ELSEWHERE)
    for person in rng.sample([p for p in working if p.occupation == "无业"] or working, 30):
        person.tags.append("employment_difficulty")
    minors = [p for p in population.persons if p.age() < 18 and p.household_no]
    for person in rng.sample(minors, 18):
        person.tags.append("child_in_difficulty")
    for person in rng.sample([p for p in population.persons if p.age() >= 16], 36):
        person.tags.append("key_person")


def _emergency_contact(
    population: Population, person: Person, rng: random.Random, registry: _Registry
) -> None:
    household = population.household_of[person.id_number]
    relatives = [m for m in household.members if m is not person and m.phone and 18 <= m.age() < 70]
    if relatives:
        contact = relatives[0]
        person.emergency_name, person.emergency_phone = contact.name, contact.phone
    else:
        person.emergency_name = names.surname(rng) + names.given_name(rng, "男", 1980)
        person.emergency_phone = registry.mobile()


def _weighted_sample(
    rng: random.Random, items: list[T], weights: list[float], count: int
) -> list[T]:
    chosen: list[T] = []
    pool = list(zip(items, weights, strict=True))
    for _ in range(count):
        total = sum(weight for _, weight in pool)
        point = rng.uniform(0, total)
        for index, (item, weight) in enumerate(pool):
            point -= weight
            if point <= 0:
                chosen.append(item)
                pool.pop(index)
                break
    return chosen


_BUSINESS_WORDS = names.words(
    "鑫源 宏达 兴旺 福瑞 金丰 恒泰 安康 永盛 顺发 华盛 富民 绿源 祥和 隆昌 天宇 众诚 "
    "惠民 鸿运 嘉禾 利达 瑞丰 正阳 远航 聚德"
)


def _organisations(
    population: Population, rng: random.Random, registry: _Registry
) -> list[Organisation]:
    """About 120 units with GB 32100 codes (check character computed, org code checked too)."""
    adults = [p for p in population.persons if 25 <= p.age() <= 70 and p.household_no]
    used_names: set[str] = set()
    organisations: list[Organisation] = []
    plan: list[tuple[str, str, str, int]] = [
        ("9", "1", "企业", 30),
        ("9", "2", "个体工商户", 36),
        ("9", "3", "农民专业合作社", 14),
        ("5", "1", "社会团体", 11),
        ("5", "2", "民办非企业单位", 11),
        ("1", "2", "事业单位", 12),
        ("1", "1", "机关", 8),
    ]
    units = population.units
    for department, org_type, kind, count in plan:
        for _ in range(count):
            unit = rng.choice(units)
            if kind == "农民专业合作社":
                unit = rng.choice([u for u in units if not u.urban])
            name = _org_name(rng, kind, unit, used_names)
            used_names.add(name)
            if kind in {"个体工商户", "企业"} and rng.random() < 0.7:
                body = "MA" + "".join(
                    rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6)
                )
            else:
                body = "".join(rng.choice("0123456789") for _ in range(8))
            org_code = body + codes.org_code_check_char(body)
            first17 = f"{department}{org_type}{COUNTY_CODE}{org_code}"
            uscc = first17 + codes.uscc_check_char(first17)
            rep = rng.choice(adults)
            house = rng.choice([h for h in population.houses if h.unit is unit])
            address = (
                house.address
                if kind in {"个体工商户", "农民专业合作社"}
                else f"{unit.full_name}{rng.choice(('中心街', '建设路', '团结路', '富强路'))}"
                f"{rng.randrange(1, 200)}号"
            )
            phone = registry.landline() if kind in {"机关", "事业单位"} else rep.phone
            organisations.append(
                Organisation(
                    uscc=uscc,
                    name=name,
                    kind=kind,
                    legal_rep_id=rep.id_number,
                    address=address,
                    phone=phone or registry.mobile(),
                    unit=unit,
                    established=dt.date(
                        rng.randrange(1995, 2025), rng.randrange(1, 13), rng.randrange(1, 29)
                    ),
                    capital=float(rng.choice((3, 5, 10, 20, 50, 100, 200, 500))),
                    scope=_scope(rng, kind, name),
                    employees=rng.randrange(1, 8)
                    if kind == "个体工商户"
                    else rng.randrange(3, 120),
                    registration_no=_registration_no(rng, kind) if department == "5" else "",
                )
            )
    return organisations


def _registration_no(rng: random.Random, kind: str) -> str:
    """The old-style 社会组织登记证号 kept beside the USCC."""
    prefix = "社证" if kind == "社会团体" else "民证"
    return f"{prefix}字第{rng.randrange(10, 300):04d}号"


# Name pattern per kind of unit; {pick} is drawn from the choices.
_ORG_NAMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "企业": ("{word}{pick}有限公司", ("商贸", "农牧业", "建材", "物流", "食品", "乳业")),
    "个体工商户": (
        "{word}{pick}",
        ("超市", "饭店", "便利店", "五金店", "理发店", "肉食店", "小吃部", "农资店"),
    ),
    "农民专业合作社": ("{village}{pick}专业合作社", ("养殖", "种植", "农机", "肉羊", "马铃薯")),
    "社会团体": (
        "{pick}协会",
        (
            "个体劳动者",
            "老年体育",
            "书法家",
            "摄影家",
            "餐饮行业",
            "马术",
            "诗词",
            "企业家",
            "科普",
            "慈善",
            "长调",
        ),
    ),
    "民办非企业单位": (
        "{word}{pick}",
        ("幼儿园", "养老院", "培训学校", "社会工作服务中心", "康复中心"),
    ),
    "事业单位": (
        "{pick}",
        (
            "{town}中心卫生院",
            "{town}中心校",
            "第一中学",
            "第二中学",
            "蒙古族中学",
            "人民医院",
            "蒙医医院",
            "妇幼保健计划生育服务中心",
            "疾病预防控制中心",
            "{town}综合保障和技术推广中心",
        ),
    ),
    "机关": ("{town}{pick}", ("人民政府", "党（工）委", "综合行政执法局", "财政所", "派出所")),
}
_FOOD_WORDS = ("饭店", "小吃", "食品", "超市", "便利店", "肉食")


def _org_name(rng: random.Random, kind: str, unit: Unit, used: set[str]) -> str:
    pattern, picks = _ORG_NAMES[kind]
    while True:
        name = COUNTY_NAME + pattern.format(
            word=rng.choice(_BUSINESS_WORDS),
            pick=rng.choice(picks),
            village=unit.name,
            town="{town}",
        ).format(town=unit.town.name)
        if name not in used:
            return name


def _scope(rng: random.Random, kind: str, name: str) -> str:
    if any(word in name for word in _FOOD_WORDS):
        return rng.choice(("食品销售", "餐饮服务", "预包装食品销售", "热食类食品制售"))
    if kind == "农民专业合作社":
        return "组织成员种植养殖、农资采购、产品销售"
    return rng.choice(("日用百货零售", "技术服务", "建材销售", "农畜产品收购", "社会服务"))

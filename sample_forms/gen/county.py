"""The places of the sample county 青山旗: towns, villages and communities, grids."""

from __future__ import annotations

from dataclasses import dataclass, field

COUNTY_NAME = "青山旗"
COUNTY_CODE = "150999"
PROVINCE = "内蒙古自治区"
CITY = "青山市"  # the fictitious prefecture above the county
PHONE_AREA = "0474"

# Area codes of people registered elsewhere: neighbouring counties and provinces, and the
# retired 乌兰察布盟 codes that old IDs still carry (152626 …).
OUTSIDE_AREA_CODES = (
    "150102",
    "150121",
    "150203",
    "150925",
    "152626",
    "152627",
    "130722",
    "140221",
    "410526",
    "620521",
)


@dataclass(eq=False)
class Town:
    code: str  # 12-digit 统计用区划代码
    name: str
    kind: str  # 街道 / 镇 / 乡
    units: list[Unit] = field(default_factory=list)


@dataclass(eq=False)
class Unit:
    """A village (村, 嘎查) or an urban community (社区)."""

    code: str
    name: str
    town: Town
    urban: bool
    groups: int  # 村民小组 for villages, buildings for communities
    grids: list[Grid] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{COUNTY_NAME}{self.town.name}{self.name}"


@dataclass(eq=False)
class Grid:
    code: str
    name: str
    unit: Unit
    worker_id: str = ""  # ID number of the grid worker (a resident), set by the population


# (name, kind, [(unit name, urban, groups)]): three streets, three towns, two townships.
_PLACES: tuple[tuple[str, str, tuple[tuple[str, bool, int], ...]], ...] = (
    ("白云街道", "街道", (("幸福社区", True, 8), ("和平社区", True, 7), ("北苑社区", True, 6))),
    ("新华街道", "街道", (("新华社区", True, 8), ("文化社区", True, 6), ("团结社区", True, 7))),
    ("锦绣街道", "街道", (("锦绣社区", True, 7), ("建设社区", True, 6), ("东城社区", True, 5))),
    (
        "红旗镇",
        "镇",
        (
            ("红旗社区", True, 4),
            ("东沟村", False, 5),
            ("西沟村", False, 4),
            ("前营子村", False, 4),
            ("三道河村", False, 5),
        ),
    ),
    (
        "巴音镇",
        "镇",
        (
            ("巴音社区", True, 4),
            ("巴音嘎查", False, 4),
            ("乌兰嘎查", False, 3),
            ("查干淖尔嘎查", False, 3),
            ("新胜村", False, 4),
        ),
    ),
    (
        "大营镇",
        "镇",
        (
            ("大营社区", True, 4),
            ("南梁村", False, 5),
            ("北梁村", False, 4),
            ("二道沟村", False, 4),
            ("太平庄村", False, 5),
        ),
    ),
    ("东河乡", "乡", (("东河村", False, 5), ("柳树湾村", False, 4), ("黄花滩村", False, 4))),
    ("白音乡", "乡", (("白音村", False, 4), ("榆树沟村", False, 4), ("哈达图村", False, 3))),
)

_TOWN_SERIALS = {"街道": 1, "镇": 100, "乡": 200}


def build_places() -> list[Town]:
    """Towns with 乡级 codes in their ranges (001–099 街道, 100–199 镇, 200–399 乡)."""
    towns: list[Town] = []
    next_serial = dict(_TOWN_SERIALS)
    for town_name, kind, units in _PLACES:
        serial = next_serial[kind]
        next_serial[kind] += 1
        town = Town(code=f"{COUNTY_CODE}{serial:03d}000", name=town_name, kind=kind)
        community_serial, village_serial = 1, 200
        for unit_name, urban, groups in units:
            if urban:
                unit_serial, community_serial = community_serial, community_serial + 1
            else:
                unit_serial, village_serial = village_serial, village_serial + 1
            unit = Unit(
                code=f"{town.code[:9]}{unit_serial:03d}",
                name=unit_name,
                town=town,
                urban=urban,
                groups=groups,
            )
            for grid_serial in (1, 2):
                unit.grids.append(
                    Grid(
                        code=f"{unit.code}{grid_serial:03d}",
                        name=f"{unit_name}第{grid_serial}网格",
                        unit=unit,
                    )
                )
            town.units.append(unit)
        towns.append(town)
    return towns

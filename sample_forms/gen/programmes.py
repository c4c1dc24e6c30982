"""Programme facts behind the forms (benefits, services, events), shared by every department.

Each table maps an entity key to the facts one programme holds about it, so two departments'
forms about the same person agree unless a disagreement is planted on purpose.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from . import codes, names
from .population import AS_OF, Person, Population

Facts = dict[str, object]

DIBAO_STANDARD = {"城市低保": 850, "农村低保": 640}
ELDERLY_STANDARD = {"80-89周岁": 100, "90-99周岁": 300, "100周岁以上": 600}
FLOOD_VILLAGES = ("三道河村", "东河村", "柳树湾村", "二道沟村", "黄花滩村")


@dataclass
class Programmes:
    dibao: dict[str, Facts] = field(default_factory=dict)  # household no → facts
    tekun: dict[str, Facts] = field(default_factory=dict)  # person id → facts
    temp_relief: list[Facts] = field(default_factory=list)
    winter_relief: dict[str, Facts] = field(default_factory=dict)  # household no
    elderly: dict[str, Facts] = field(default_factory=dict)  # 80+ person id
    lonely: dict[str, Facts] = field(default_factory=dict)  # alone / empty-nest person id
    disabled: dict[str, Facts] = field(default_factory=dict)
    veterans: dict[str, Facts] = field(default_factory=dict)
    party: dict[str, Facts] = field(default_factory=dict)
    social_orgs: dict[str, Facts] = field(default_factory=dict)  # uscc
    floating: dict[str, Facts] = field(default_factory=dict)
    rentals: dict[str, Facts] = field(default_factory=dict)  # house code
    insurance: dict[str, Facts] = field(default_factory=dict)
    pension: dict[str, Facts] = field(default_factory=dict)
    employment: dict[str, Facts] = field(default_factory=dict)
    public_posts: dict[str, Facts] = field(default_factory=dict)
    health: dict[str, Facts] = field(default_factory=dict)
    signing: dict[str, Facts] = field(default_factory=dict)
    special_family: dict[str, Facts] = field(default_factory=dict)
    key_persons: dict[str, Facts] = field(default_factory=dict)
    disputes: list[Facts] = field(default_factory=list)
    petitions: list[Facts] = field(default_factory=list)
    hazards: list[Facts] = field(default_factory=list)
    evacuation: dict[str, Facts] = field(default_factory=dict)
    facilities: list[Facts] = field(default_factory=list)
    agriculture: dict[str, Facts] = field(default_factory=dict)  # household no
    students: dict[str, Facts] = field(default_factory=dict)
    children: dict[str, Facts] = field(default_factory=dict)  # children in difficulty
    serving: dict[str, Facts] = field(default_factory=dict)  # households with a soldier
    public_housing: dict[str, Facts] = field(default_factory=dict)  # household no


def build_programmes(population: Population, seed: int) -> Programmes:
    rng = random.Random(seed * 7 + 1)
    programmes = Programmes()
    steps = (
        _assistance,
        _elderly,
        _disabled,
        _veterans,
        _party,
        _social_orgs,
        _housing,
        _insurance,
        _employment,
        _health,
        _order,
        _emergency,
        _agriculture,
        _education,
    )
    for step in steps:
        step(population, programmes, rng)
    return programmes


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _worker_name(population: Population, person: Person) -> str:
    if person.house is None:
        return ""
    grid = person.house.grid
    return population.person(grid.worker_id).name


# ---- 民政 ---------------------------------------------------------------------------------------
def _assistance(population: Population, programmes: Programmes, rng: random.Random) -> None:
    for household in population.households:
        if "low_income" not in household.tags:
            continue
        kind = "城市低保" if household.unit.urban else "农村低保"
        covered = [m for m in household.members if not m.migrant_place]
        standard = DIBAO_STANDARD[kind]
        monthly = round(standard * len(covered) * rng.uniform(0.45, 0.95) / 10) * 10
        programmes.dibao[household.number] = {
            "assistance_type": kind,
            "assistance_persons": len(covered),
            "monthly_allowance": float(monthly),
            "assistance_start": _day(rng, dt.date(2016, 1, 1), dt.date(2026, 6, 30)),
            "dynamic": rng.choices(("无变化", "新增", "调标", "停保"), weights=(80, 8, 9, 3))[0],
            "reason": rng.choice(("因病", "因残", "缺乏劳动力", "因学", "年老体弱")),
            "score": rng.randrange(55, 96),
        }
    for person in population.persons:
        if "extreme_poverty" in person.tags:
            mode = rng.choices(("集中供养", "分散供养"), weights=(30, 70))[0]
            programmes.tekun[person.id_number] = {
                "assistance_type": "特困供养(集中)" if mode == "集中供养" else "特困供养(分散)",
                "support_mode": mode,
                "self_care": rng.choices(("全自理", "半自理", "全护理"), weights=(60, 30, 10))[0],
                "subsidy_standard": 1100.0,
                "care_standard": rng.choice((150.0, 300.0, 600.0)),
                "caregiver": names.surname(rng) + names.given_name(rng, "女", 1975),
                "assistance_start": _day(rng, dt.date(2014, 1, 1), dt.date(2026, 3, 1)),
            }
    candidates = [p for p in population.persons if p.relation == "户主" and p.household_no]
    for number, person in enumerate(rng.sample(candidates, 34), start=1):
        programmes.temp_relief.append(
            {
                "person": person.id_number,
                "aid_reason": rng.choice(
                    ("突发重大疾病", "火灾", "交通事故", "子女上学", "家庭成员意外伤残", "冰雹灾害")
                ),
                "aid_amount": float(rng.choice((800, 1000, 1500, 2000, 3000, 5000))),
                "date": _day(rng, dt.date(2026, 1, 5), dt.date(2026, 10, 25)),
                "approval": rng.choice(("已审批", "已审批", "审批中")),
                "no": f"LS2026{number:04d}",
            }
        )
    winter = [h for h in population.households if "low_income" in h.tags] + rng.sample(
        [h for h in population.households if not h.unit.urban and "low_income" not in h.tags], 40
    )
    for household in winter:
        months = rng.choice((3, 4, 5))
        needs = {
            need: rng.random() < p
            for need, p in (
                ("口粮", 0.5),
                ("取暖", 0.9),
                ("衣被", 0.4),
                ("伤病", 0.2),
                ("饮水", 0.05),
            )
        }
        programmes.winter_relief[household.number] = {
            "family_type": "低保户"
            if "low_income" in household.tags
            else rng.choice(("其他户", "其他户", "重点优抚对象")),
            "needs": needs,
            "months": months,
            "aid_amount": float(months * rng.choice((100, 150, 200))),
            "payment_method": "社会化发放",
        }
    for household in population.households:
        if (
            household.unit.urban
            and "low_income" in household.tags
            and household.head.residence_type in {"租住", "寄住"}
        ) or (household.unit.urban and rng.random() < 0.015):
            programmes.public_housing[household.number] = {
                "guarantee": rng.choice(("实物配租", "租赁补贴")),
                "rent_subsidy": float(rng.choice((150, 200, 300))),
                "since": _day(rng, dt.date(2018, 1, 1), dt.date(2026, 6, 1)),
            }


def _elderly(population: Population, programmes: Programmes, rng: random.Random) -> None:
    for person in population.persons:
        age = person.age()
        if age >= 80 and person.household_no:
            band = "80-89周岁" if age < 90 else "90-99周岁" if age < 100 else "100周岁以上"
            programmes.elderly[person.id_number] = {
                "band": band,
                "subsidy_standard": float(ELDERLY_STANDARD[band]),
                "subsidy_amount": float(ELDERLY_STANDARD[band]),
                "payment_month": "2026-10",
                "care_level": rng.choices(
                    ("能力完好", "轻度失能", "中度失能", "重度失能"), weights=(45, 30, 17, 8)
                )[0],
            }
        if "lives_alone" in person.tags or "empty_nest" in person.tags:
            programmes.lonely[person.id_number] = {
                "visit_date": _day(rng, dt.date(2026, 9, 1), dt.date(2026, 10, 30)),
                "visitor": _worker_name(population, person),
                "visit_content": rng.choice(
                    (
                        "身体状况良好，生活能自理",
                        "血压偏高，已提醒按时服药",
                        "协助购买生活用品",
                        "冬季取暖已落实",
                        "子女每周探望",
                        "已安装紧急呼叫设备",
                    )
                ),
                "meal": rng.random() < 0.35,
                "meal_type": rng.choice(("助餐", "送餐", "堂食")),
            }


def _disabled(population: Population, programmes: Programmes, rng: random.Random) -> None:
    categories = list(codes.DISABILITY_CATEGORIES)
    for person in population.persons:
        if "disabled" not in person.tags:
            continue
        category = rng.choices(categories, weights=(10, 12, 3, 40, 12, 15, 8))[0]
        level = rng.choices(list(codes.DISABILITY_LEVELS), weights=(12, 25, 33, 30))[0]
        digit = str(categories.index(category) + 1)
        living = "low_income" in person.tags or "extreme_poverty" in person.tags
        nursing = level in {"一级", "二级"}
        programmes.disabled[person.id_number] = {
            "disability_cert_no": f"{person.id_number}{digit}{codes.DISABILITY_LEVELS[level]}",
            "disability_category": category,
            "disability_level": level,
            "living_subsidy": 100.0 if living else 0.0,
            "nursing_subsidy": (150.0 if level == "一级" else 100.0) if nursing else 0.0,
            "rehab_need": rng.choice(
                ("辅助器具适配", "康复训练", "无", "医疗康复", "无", "居家托养", "精神病防治康复")
            ),
            "employment_need": rng.choice(("有", "无", "无")),
            "issued": _day(rng, dt.date(2012, 1, 1), dt.date(2026, 6, 1)),
        }


def _veterans(population: Population, programmes: Programmes, rng: random.Random) -> None:
    for person in population.persons:
        if "veteran" not in person.tags:
            continue
        enlist_year = min(person.birth.year + rng.randrange(18, 22), AS_OF.year - 3)
        enlist = dt.date(enlist_year, rng.choice((3, 9, 12)), rng.randrange(1, 28))
        served = rng.choice((2, 2, 3, 5, 8, 12))
        discharge = min(
            dt.date(enlist_year + served, rng.choice((3, 9, 12)), rng.randrange(1, 28)),
            dt.date(2026, 9, 1),
        )
        wounded = rng.random() < 0.15
        category = (
            "伤残军人"
            if wounded
            else rng.choices(
                (
                    "退役军人",
                    "在乡复员军人",
                    "带病回乡退伍军人",
                    "参战退役人员",
                    "60岁以上农村籍退役士兵",
                ),
                weights=(70, 4, 4, 6, 16),
            )[0]
        )
        if category == "60岁以上农村籍退役士兵" and (
            person.age() < 60 or person.house is None or person.house.urban
        ):
            category = "退役军人"
        programmes.veterans[person.id_number] = {
            "veteran_category": category,
            "enlist_date": enlist,
            "discharge_date": discharge,
            "military_branch": rng.choices(
                ("陆军", "海军", "空军", "火箭军", "武警部队"), weights=(60, 8, 10, 7, 15)
            )[0],
            "military_rank": rng.choice(("列兵", "上等兵", "下士", "中士", "上士", "四级军士长")),
            "unit_code": f"{rng.randrange(31000, 96999)}部队",
            "disability_grade_military": rng.choice(
                ("五级", "六级", "七级", "八级", "九级", "十级")
            )
            if wounded
            else "",
            "disability_nature": rng.choice(("因战", "因公", "因病")) if wounded else "",
            "disability_cause": rng.choice(("训练受伤", "执行任务负伤", "施工受伤"))
            if wounded
            else "",
            "pension_cert_no": f"蒙{rng.randrange(10**7, 10**8)}"
            if wounded or category != "退役军人"
            else "",
            "honor_plaque": True,
            "plaque_date": _day(rng, dt.date(2019, 8, 1), dt.date(2025, 12, 31)),
        }
    young_men = [
        p
        for p in population.persons
        if p.sex == "男" and 18 <= p.age() <= 22 and p.household_no and not p.migrant_place
    ]
    for soldier in rng.sample(young_men, 12):
        household = population.household_of[soldier.id_number]
        programmes.serving[household.number] = {
            "soldier": soldier.id_number,
            "enlist_date": dt.date(rng.choice((2024, 2025, 2026)), 9, rng.randrange(1, 20)),
            "allowance": float(rng.choice((12000, 15000, 18000))),
        }


def _party(population: Population, programmes: Programmes, rng: random.Random) -> None:
    posts = ("党员", "党员", "党员", "党员", "支部委员", "组织委员", "宣传委员", "支部书记")
    for person in population.persons:
        if "party_member" not in person.tags:
            continue
        unit = person.house.unit if person.house else population.units[0]
        join = dt.date(
            min(AS_OF.year - 1, person.birth.year + rng.randrange(19, 45)),
            rng.randrange(1, 13),
            rng.randrange(1, 29),
        )
        programmes.party[person.id_number] = {
            "party_branch": f"中共{unit.full_name}支部委员会",
            "join_party_date": join,
            "formal_member_date": join.replace(year=join.year + 1) if join.year < 2025 else None,
            "party_post": rng.choice(posts),
            "mobile": bool(person.migrant_place),
            "in_service": rng.random() < 0.15,
        }


def _social_orgs(population: Population, programmes: Programmes, rng: random.Random) -> None:
    for organisation in population.organisations:
        if organisation.kind not in {"社会团体", "民办非企业单位"}:
            continue
        built = rng.random() < 0.55
        programmes.social_orgs[organisation.uscc] = {
            "party_org_type": rng.choice(("党支部", "联合党支部")) if built else "未建立",
            "party_org_name": f"中共{organisation.name}支部委员会" if built else "",
            "party_member_count": rng.randrange(3, 12) if built else rng.randrange(0, 3),
            "built_date": _day(rng, dt.date(2012, 1, 1), dt.date(2025, 12, 1)) if built else None,
            "approval": f"青组字〔{rng.randrange(2012, 2026)}〕{rng.randrange(1, 60)}号"
            if built
            else "",
            "affiliation": rng.choice(("旗民政局党组", "旗社会组织综合党委", "所在街道党工委")),
            "leader_id": organisation.legal_rep_id,
        }


def _housing(population: Population, programmes: Programmes, rng: random.Random) -> None:
    for house in population.houses:
        if house.use != "出租":
            continue
        tenants = [p for p in population.persons if p.house is house and p.residence_type == "租住"]
        if not tenants:
            continue
        start = _day(rng, dt.date(2023, 1, 1), dt.date(2026, 9, 30))
        programmes.rentals[house.code] = {
            "tenant": tenants[0].id_number,
            "tenants": [t.id_number for t in tenants],
            "monthly_rent": float(rng.choice((300, 400, 500, 600, 800, 1000, 1200))),
            "lease_start": start,
            "lease_end": start.replace(year=start.year + rng.choice((1, 1, 2, 3))),
            "rental_use": rng.choices(("居住", "经营"), weights=(90, 10))[0],
            "illegal_building": rng.random() < 0.05,
        }
    for person in population.persons:
        if "floating" in person.tags:
            arrival = _day(rng, dt.date(2019, 3, 1), dt.date(2026, 10, 1))
            programmes.floating[person.id_number] = {
                "arrival_date": arrival,
                "arrival_reason": rng.choices(
                    ("务工", "经商", "投靠亲友", "就学"), weights=(55, 25, 15, 5)
                )[0]
                if person.age() >= 16
                else "投靠亲友",
                "residence_permit_no": (
                    f"1509992{arrival.year}{rng.randrange(10**5, 10**6)}"
                    if (AS_OF - arrival).days > 180 and person.age() >= 16
                    else ""
                ),
                "move_in_date": arrival + dt.timedelta(days=rng.randrange(0, 20)),
            }


def _insurance(population: Population, programmes: Programmes, rng: random.Random) -> None:
    for serial, person in enumerate(population.persons, start=1):
        if not person.household_no:
            continue
        worker = person.occupation in {"企业职工", "机关事业单位", "网格员"} or (
            person.occupation == "离退休"
        )
        paid = rng.random() > 0.05
        programmes.insurance[person.id_number] = {
            "social_security_no": f"{1509990000 + serial:010d}",
            "insurance_type": "职工基本医疗保险" if worker else "城乡居民基本医疗保险",
            "insured_status": "正常参保" if paid else "暂停参保",
            "insured_year": 2026,
            "contribution_grade": "400" if not worker else "",
            "paid": paid,
        }
        if person.age() >= 60 and not worker:
            programmes.pension[person.id_number] = {
                "insurance_type": "城乡居民基本养老保险",
                "pension_monthly": float(rng.choice((205, 218, 236, 260, 315, 388))),
                "start": dt.date(max(2011, person.birth.year + 60), person.birth.month, 1),
                "certified": rng.random() > 0.07,
                "cert_method": rng.choice(("人脸识别", "上门认证", "社保大数据比对")),
            }


def _employment(population: Population, programmes: Programmes, rng: random.Random) -> None:
    for person in population.persons:
        if "migrant_worker" in person.tags:
            programmes.employment[person.id_number] = {
                "employment_status": "外出务工",
                "migrant_destination": person.migrant_place,
                "work_unit": rng.choice(
                    ("建筑工地", "物流公司", "餐饮企业", "电子厂", "家政公司", "煤矿", "汽修厂")
                ),
                "job_post": rng.choice(("普工", "司机", "厨师", "保安", "快递员", "电焊工")),
                "monthly_income": float(rng.randrange(30, 90) * 100),
                "left_date": _day(rng, dt.date(2024, 2, 1), dt.date(2026, 9, 1)),
            }
        elif "employment_difficulty" in person.tags:
            programmes.employment[person.id_number] = {
                "employment_status": "失业",
                "difficulty": rng.choice(
                    ("大龄失业人员", "零就业家庭成员", "残疾人", "长期失业人员")
                ),
                "unemployment_reg_date": _day(rng, dt.date(2024, 1, 1), dt.date(2026, 9, 1)),
                "wish": rng.choice(("保洁", "保安", "公益性岗位", "技能培训", "灵活就业")),
            }
    pool = [
        p
        for p in population.persons
        if 35 <= p.age() < 60
        and p.household_no
        and not p.migrant_place
        and p.id_number not in programmes.employment
    ]
    for person in rng.sample(pool, 28):
        programmes.public_posts[person.id_number] = {
            "job_post": rng.choice(
                ("保洁员", "护林员", "草管员", "公共设施维护员", "协管员", "养老护理员")
            ),
            "work_unit": f"{person.house.unit.name if person.house else ''}村（居）民委员会",
            "monthly_income": 1980.0,
            "start": _day(rng, dt.date(2023, 1, 1), dt.date(2026, 7, 1)),
            "employment_type": "公益性岗位",
        }


def _health(population: Population, programmes: Programmes, rng: random.Random) -> None:
    doctors = [
        names.surname(rng) + names.given_name(rng, rng.choice("男女"), 1980) for _ in range(14)
    ]
    for person in population.persons:
        if person.age() >= 65 and person.household_no:
            programmes.health[person.id_number] = {
                "chronic_disease": rng.choices(
                    ("无", "高血压", "糖尿病", "高血压、糖尿病", "冠心病", "慢阻肺"),
                    weights=(35, 30, 12, 10, 8, 5),
                )[0],
                "check_date": _day(rng, dt.date(2026, 3, 1), dt.date(2026, 10, 20)),
                "self_care": rng.choices(("全自理", "半自理", "全护理"), weights=(78, 17, 5))[0],
            }
        if person.household_no and (person.age() >= 65 or rng.random() < 0.18):
            index = population.units.index(person.house.unit) if person.house else 0
            programmes.signing[person.id_number] = {
                "family_doctor": doctors[index % len(doctors)],
                "team": f"{person.house.unit.town.name if person.house else ''}家庭医生团队"
                f"{index % 3 + 1}",
                "signing_date": _day(rng, dt.date(2026, 1, 2), dt.date(2026, 6, 30)),
                "package": rng.choice(("基础包", "老年人包", "慢病包", "残疾人包")),
            }
    parents = [
        p
        for p in population.persons
        if p.age() >= 49 and p.household_no and p.relation in {"户主", "配偶"}
    ]
    for person in rng.sample(parents, 14):
        programmes.special_family[person.id_number] = {
            "kind": rng.choice(("独生子女伤残家庭", "独生子女死亡家庭")),
            "only_child_cert_no": f"青独字{rng.randrange(1985, 2005)}第"
            f"{rng.randrange(1, 999):03d}号",
            "subsidy_standard": rng.choice((590.0, 720.0)),
        }


def _order(population: Population, programmes: Programmes, rng: random.Random) -> None:
    categories = (
        "社区矫正对象",
        "刑满释放人员",
        "严重精神障碍患者",
        "吸毒人员",
        "重点信访人员",
        "重点青少年",
    )
    for person in population.persons:
        if "key_person" not in person.tags:
            continue
        category = rng.choices(categories, weights=(8, 10, 8, 3, 5, 3))[0]
        if category == "重点青少年" and person.age() > 25:
            category = "刑满释放人员"
        if category == "社区矫正对象" and person.age() < 18:
            category = "重点青少年"
        programmes.key_persons[person.id_number] = {
            "key_group_category": category,
            "control_level": rng.choices(("高", "中", "低"), weights=(15, 40, 45))[0],
            "responsible_person": _worker_name(population, person),
            "since": _day(rng, dt.date(2021, 1, 1), dt.date(2026, 9, 1)),
            "correction_type": rng.choice(("缓刑", "假释", "管制", "暂予监外执行")),
            "crime": rng.choice(("危险驾驶罪", "盗窃罪", "故意伤害罪", "诈骗罪", "寻衅滋事罪")),
        }
    adults = [p for p in population.persons if p.age() >= 20 and p.household_no]
    kinds = (
        "婚姻家庭纠纷",
        "邻里纠纷",
        "土地纠纷",
        "劳动争议",
        "合同纠纷",
        "物业纠纷",
        "损害赔偿纠纷",
    )
    for number in range(1, 61):
        party_a, party_b = rng.sample(adults, 2)
        kind = rng.choice(kinds)
        date = _day(rng, dt.date(2026, 1, 3), dt.date(2026, 10, 28))
        programmes.disputes.append(
            {
                "dispute_no": f"QSQ-2026-{number:04d}",
                "party_a": party_a.id_number,
                "party_b": party_b.id_number,
                "dispute_type": kind,
                "dispute_date": date,
                "dispute_summary": _dispute_summary(kind),
                "handling_result": rng.choices(
                    ("调解成功", "调解中", "引导诉讼", "调解成功"), weights=(60, 20, 10, 10)
                )[0],
                "mediator": names.surname(rng) + names.given_name(rng, "男", 1975),
                "source": rng.choice(("网格员排查", "群众来访", "12345转办", "派出所移交")),
            }
        )
    topics = ("征地补偿", "拖欠工资", "低保申请", "房屋质量", "草场纠纷", "环境污染", "供暖问题")
    for number in range(1, 41):
        person = rng.choice(adults)
        programmes.petitions.append(
            {
                "dispute_no": f"XF2026{number:05d}",
                "person": person.id_number,
                "dispute_date": _day(rng, dt.date(2026, 1, 4), dt.date(2026, 10, 29)),
                "topic": rng.choice(topics),
                "way": rng.choice(("来访", "来信", "网上信访", "12345热线")),
                "handling_result": rng.choice(("已办结", "办理中", "已办结", "已答复")),
                "repeat": rng.random() < 0.15,
            }
        )


def _dispute_summary(kind: str) -> str:
    return {
        "婚姻家庭纠纷": "夫妻因家庭琐事发生争吵，要求调解",
        "邻里纠纷": "因院墙排水问题与邻居发生矛盾",
        "土地纠纷": "承包地边界不清引发争议",
        "劳动争议": "务工工资未按时结清",
        "合同纠纷": "借款到期未归还",
        "物业纠纷": "物业费收取标准存在异议",
        "损害赔偿纠纷": "牲畜啃食庄稼要求赔偿",
    }[kind]


def _emergency(population: Population, programmes: Programmes, rng: random.Random) -> None:
    shelters = []
    for unit in population.units:
        name = f"{unit.name}{'党群服务中心' if unit.urban else '村委会'}"
        capacity = rng.randrange(80, 600)
        facility = {
            "facility_name": name,
            "facility_type": "应急避难场所",
            "facility_address": unit.full_name + rng.choice(("中心街", "文化广场", "村委会院内")),
            "capacity": capacity,
            "area": float(rng.randrange(300, 5000)),
            "manager": population.person(unit.grids[0].worker_id),
            "unit": unit,
            "level": rng.choice(("Ⅲ类", "Ⅲ类", "Ⅱ类")),
        }
        programmes.facilities.append(facility)
        shelters.append(facility)
    for person in population.persons:
        house = person.house
        if house is None or house.urban or house.unit.name not in FLOOD_VILLAGES:
            continue
        if rng.random() < 0.45 and not person.migrant_place:
            programmes.evacuation[person.id_number] = {
                "danger_zone": house.unit.name
                + rng.choice(("河道沿岸", "山洪沟口", "低洼地"))
                + "危险区",
                "shelter": f"{house.unit.name}村委会",
                "transfer_responsible": _worker_name(population, person),
                "evacuation_date": dt.date(2026, 7, rng.choice((22, 23))),
                "vulnerable": person.age() >= 70 or "disabled" in person.tags,
            }
    hazard_places = rng.sample(population.houses, 45)
    kinds = ("燃气", "消防", "用电", "自建房", "燃气", "消防")
    for house in hazard_places:
        kind = rng.choice(kinds)
        found = _day(rng, dt.date(2026, 8, 1), dt.date(2026, 10, 28))
        programmes.hazards.append(
            {
                "house": house.code,
                "hazard_location": house.address,
                "hazard_type": kind,
                "found_date": found,
                "detail": {
                    "燃气": "燃气软管老化、未安装报警器",
                    "消防": "楼道堆放杂物、占用消防通道",
                    "用电": "电动车入户充电、私拉乱接电线",
                    "自建房": "墙体开裂、屋面渗漏",
                }[kind],
                "rectify_status": rng.choices(("已整改", "整改中", "未整改"), weights=(60, 30, 10))[
                    0
                ],
                "rectify_deadline": found + dt.timedelta(days=rng.choice((7, 15, 30))),
                "owner": house.owner_id,
            }
        )


def _agriculture(population: Population, programmes: Programmes, rng: random.Random) -> None:
    for household in population.households:
        if household.unit.urban or household.head.age() < 25:
            continue
        pastoral = "嘎查" in household.unit.name or household.unit.town.name in {"巴音镇", "白音乡"}
        grass = float(rng.randrange(200, 3000)) if pastoral else float(rng.randrange(0, 200))
        cultivated = round(rng.uniform(5, 60), 1)
        sheep = rng.randrange(20, 400) if pastoral else rng.randrange(0, 60)
        cattle = rng.randrange(3, 60) if pastoral else rng.randrange(0, 8)
        programmes.agriculture[household.number] = {
            "cultivated_area": cultivated,
            "grassland_area": grass,
            "ban_area": round(grass * 0.4, 1),
            "balance_area": round(grass * 0.6, 1),
            "sheep": sheep,
            "cattle": cattle,
            "horses": rng.randrange(0, 6) if pastoral else 0,
            "pigs": rng.randrange(0, 10),
            "livestock_count": sheep + cattle,
            "operator_type": rng.choices(("普通农户", "家庭农场", "种养大户"), weights=(85, 8, 7))[
                0
            ],
        }


def _education(population: Population, programmes: Programmes, rng: random.Random) -> None:
    for person in population.persons:
        age = person.age()
        if not 6 <= age <= 18 or not person.house:
            continue
        town = person.house.unit.town.name
        if age <= 12:
            school, grade = f"青山旗{town}中心小学", f"{age - 5}年级"
        elif age <= 15:
            school, grade = (
                rng.choice(("青山旗第一中学", "青山旗第二中学", "青山旗蒙古族中学")),
                (f"初{'一二三'[age - 13]}"),
            )
        else:
            school, grade = (
                rng.choice(("青山旗第一中学", "青山旗职业中学")),
                f"高{'一二三'[min(2, age - 16)]}",
            )
        programmes.students[person.id_number] = {
            "school": school,
            "grade": grade,
            "class_name": f"{rng.randrange(1, 7)}班",
            "dropout": rng.random() < 0.02 and age >= 12,
            "aid": rng.choice(("国家助学金", "生活补助", "免学杂费")),
            "aid_amount": float(rng.choice((1250, 1500, 2000, 625))),
        }
    for person in population.persons:
        if "child_in_difficulty" in person.tags:
            household = population.household_of.get(person.id_number)
            plight = (
                "困难家庭儿童"
                if household and "low_income" in household.tags
                else rng.choice(
                    ("事实无人抚养儿童", "重病重残儿童", "困难家庭儿童", "监护缺失儿童")
                )
            )
            programmes.children[person.id_number] = {
                "plight_type": plight,
                "allowance": float(
                    {"事实无人抚养儿童": 1300, "重病重残儿童": 600}.get(plight, 400)
                ),
            }

"""教育局, 农牧局, 市场监管局 and 统计局 forms: schools, farms, businesses, villages."""

from __future__ import annotations

import datetime as dt

from .. import formats as f
from ..model import Layout, Record, WorkbookSpec
from .base import (
    FOOTER_SIGN,
    FOOTER_STAMP,
    Ctx,
    book,
    col,
    form,
    grouped,
    local,
    serial,
)

GRASS_BAN_RATE = 7.5  # 元/亩, 禁牧补助
GRASS_BALANCE_RATE = 2.5  # 元/亩, 草畜平衡奖励
CULTIVATED_RATE = 68.0  # 元/亩, 耕地地力保护补贴


def workbooks(ctx: Ctx) -> list[WorkbookSpec]:
    return [
        _dropout(ctx),
        _student_aid(ctx),
        _left_behind_students(ctx),
        _grassland(ctx),
        _livestock(ctx),
        _farms_and_coops(ctx),
        _cultivated(ctx),
        _anti_poverty(ctx),
        _homestead(ctx),
        _individual_businesses(ctx),
        _food_businesses(ctx),
        _enterprises(ctx),
        _village_basic(ctx),
    ]


def _students(ctx: Ctx, towns: set[str] | None = None) -> list[Record]:
    records = []
    for pid, facts in ctx.prog.students.items():
        person = ctx.pop.person(pid)
        if towns and ctx.home_unit(person).town.name not in towns:
            continue
        records.append(ctx.person_record(person, dict(facts)))
    return ctx.sort_persons_records(records)


def _dropout(ctx: Ctx) -> WorkbookSpec:
    records = [
        r
        for r in _students(ctx, {"锦绣街道", "大营镇", "白音乡"})
        if int(str(r.values["age"])) <= 15
    ]
    for record in records:
        dropout = bool(record.values["dropout"])
        record.values["in_school"] = "否" if dropout else "是"
        record.values["why"] = "厌学" if dropout else ""
    columns = [
        serial(),
        col("学生姓名", "name"),
        col("性别", "sex"),
        col("身份证号", "id_number", width=21),
        col("出生日期", "birth_date", f.DATE_SERIAL),
        col("就读学校", "school", width=24),
        col("年级", "grade"),
        col("班级", "class_name"),
        local("是否在校", "in_school"),
        local("辍学原因", "why"),
        col("监护人姓名", "guardian_name"),
        col("监护人\n电话", "guardian_phone", width=14),
        col("家庭住址", "current_address", width=34),
    ]
    spec = form(
        "jy-dropout",
        "义务教育阶段适龄儿童少年入学及控辍保学台账",
        columns,
        records,
        layout=Layout(meta="unit-date", blank_rows=1),
    )
    return book("教育局", "控辍保学台账.xlsx", spec)


def _student_aid(ctx: Ctx) -> WorkbookSpec:
    records = [
        r
        for r in _students(ctx)
        if r.values["is_low_income"] or r.keys["person"] in ctx.prog.children
    ]
    for record in records:
        record.values["subsidy_item"] = record.values["aid"]
        record.values["subsidy_amount"] = record.values["aid_amount"]
        record.values["kind"] = "低保家庭" if record.values["is_low_income"] else "困境儿童"
    columns = [
        serial(),
        col("学生姓名", "name"),
        col("身份证号", "id_number", width=21),
        col("学校", "school", width=24),
        col("年级", "grade"),
        col("资助项目", "subsidy_item"),
        col("资助金额（元）", "subsidy_amount", f.MONEY),
        local("家庭经济困难类型", "kind"),
        col("户主姓名", "head_name"),
        col("家长联系电话", "guardian_phone", variant="unusual", width=14),
    ]
    spec = form(
        "jy-student-aid",
        "2026年秋季学期家庭经济困难学生资助名单",
        columns,
        records,
        layout=Layout(
            meta="unit-date",
            totals="total",
            sum_keys=("subsidy_amount",),
            footer=(FOOTER_SIGN, FOOTER_STAMP),
        ),
    )
    return book("教育局", "困难学生资助名单.xlsx", spec)


def _left_behind_students(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("lb-students")
    records = [r for r in _students(ctx) if r.values["is_left_behind"]]
    teachers = ["王老师", "李老师", "赵老师", "刘老师", "高老师", "马老师"]
    for record in records:
        person = ctx.pop.person(record.keys["person"])
        father = ctx.pop.by_id.get(person.father_id)
        record.values["parents_place"] = father.migrant_place if father else ""
        record.values["teacher"] = rng.choice(teachers)
    columns = [
        serial(),
        col("学校", "school", width=24),
        col("班级", "class_name"),
        col("学生姓名", "name"),
        col("性别", "sex"),
        col("出生年月", "birth_date", f.YEAR_MONTH),
        col("身份证号", "id_number", width=21),
        col("代管监护人", "guardian_name", variant="unusual"),
        col("监护人电话", "guardian_phone", width=14),
        local("父母务工地", "parents_place"),
        local("结对帮扶教师", "teacher"),
    ]
    spec = form(
        "jy-left-behind-students",
        "留守儿童在校关爱台账",
        columns,
        records,
        layout=Layout(meta="split"),
    )
    return book("教育局", "留守儿童在校关爱台账.xls", spec)


def _farm_records(ctx: Ctx) -> list[Record]:
    records = []
    for household in ctx.pop.households:
        facts = ctx.prog.agriculture.get(household.number)
        if facts:
            records.append(ctx.household_record(household, dict(facts)))
    return sorted(records, key=lambda r: (str(r.values["admin_code"]), r.keys["household"]))


def _grassland(ctx: Ctx) -> WorkbookSpec:
    records = [r for r in _farm_records(ctx) if float(str(r.values["grassland_area"])) >= 200]
    for record in records:
        ban = float(str(record.values["ban_area"]))
        balance = float(str(record.values["balance_area"]))
        record.values["ban_money"] = round(ban * GRASS_BAN_RATE, 2)
        record.values["balance_money"] = round(balance * GRASS_BALANCE_RATE, 2)
        record.values["subsidy_amount"] = round(
            float(str(record.values["ban_money"])) + float(str(record.values["balance_money"])), 2
        )
    columns = [
        serial(),
        col("嘎查（村）", "village"),
        col("户主姓名", "head_name"),
        col("身份证号码", "id_number", width=21),
        col("家庭人口", "household_size"),
        col("草场面积（亩）", "grassland_area"),
        *grouped(
            "补助奖励情况",
            [
                *grouped(
                    "禁牧",
                    [
                        local("面积（亩）", "ban_area"),
                        local("补助金额（元）", "ban_money", f.MONEY),
                    ],
                ),
                *grouped(
                    "草畜平衡",
                    [
                        local("面积（亩）", "balance_area"),
                        local("奖励金额（元）", "balance_money", f.MONEY),
                    ],
                ),
            ],
        ),
        col("合计发放金额（元）", "subsidy_amount", f.MONEY),
        col("开户银行", "bank_name"),
        col("一卡通\n帐号", "account_no", width=22),
    ]
    spec = form(
        "nm-grassland-subsidy",
        "青山旗2026年草原生态保护补助奖励资金发放花名册",
        columns,
        records,
        layout=Layout(
            title_rows=2,
            subtitle="（禁牧补助7.5元/亩，草畜平衡奖励2.5元/亩）",
            meta="unit-date",
            totals="subtotal",
            sum_keys=("grassland_area", "ban_money", "balance_money", "subsidy_amount"),
            footer=(FOOTER_SIGN, FOOTER_STAMP),
        ),
    )
    return book("农牧局", "草原生态补奖发放花名册.xlsx", spec)


def _livestock(ctx: Ctx) -> WorkbookSpec:
    records = [
        r
        for r in ctx.in_towns(_farm_records(ctx), {"巴音镇", "白音乡", "东河乡"})
        if int(str(r.values["livestock_count"])) > 0
    ]
    columns = [
        serial(),
        col("嘎查村", "village"),
        col("户主姓名", "head_name"),
        col("身份证号", "id_number", width=21),
        *grouped(
            "存栏情况",
            [
                col("牛（头）", "cattle_count", source="cattle"),
                col("羊（只）", "sheep_count", source="sheep"),
                local("马（匹）", "horses"),
                col("猪（头）", "pig_count", source="pigs"),
                col("合计（头只）", "livestock_count"),
            ],
        ),
    ]
    spec = form(
        "nm-livestock",
        "2026年牧业年度牲畜存栏统计表",
        columns,
        records,
        layout=Layout(
            meta="unit-asof",
            totals="subtotal",
            sum_keys=("cattle", "sheep", "horses", "pigs", "livestock_count"),
        ),
        as_of=dt.date(2026, 6, 30),
    )
    return book("农牧局", "牲畜存栏统计表.xls", spec)


def _farms_and_coops(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("coops")
    coops = []
    for organisation in ctx.pop.organisations:
        if organisation.kind == "农民专业合作社":
            coops.append(ctx.org_record(organisation, {"members": rng.randrange(5, 60)}))
    coop_columns = [
        serial(),
        col("合作社名称", "org_name", width=30),
        col("统一社会信用代码", "uscc", width=21),
        col("法定代表人", "legal_rep_name"),
        col("联系电话", "org_phone", width=14),
        local("成员数", "members"),
        col("注册资本（万元）", "registered_capital", f.MONEY, source="capital"),
        col("主营业务", "business_scope"),
        col("成立日期", "reg_date", f.DATE_SERIAL, source="established"),
        col("住所", "org_address", width=34),
    ]
    farms = []
    for record in _farm_records(ctx):
        if record.values["operator_type"] != "家庭农场":
            continue
        record.values |= {
            "farm": f"{ctx.pop.person(record.keys['person']).name}家庭农牧场",
            "legal_rep_name": record.values["name"],
            "legal_rep_id_number": record.values["id_number"],
        }
        record.roles["legal_rep"] = record.keys["person"]
        farms.append(record)
    farm_columns = [
        serial(),
        col("农牧场名称", "org_name", source="farm"),
        col("经营者姓名", "legal_rep_name"),
        col("经营者身份证号", "legal_rep_id_number", width=21),
        col("联系电话", "org_phone", source="phone", width=14),
        col("经营类型", "operator_type"),
        col("耕地面积（亩）", "cultivated_area"),
        col("草场面积（亩）", "grassland_area"),
        col("存栏（头只）", "livestock_count"),
        col("所在嘎查村", "village"),
    ]
    return book(
        "农牧局",
        "家庭农牧场及合作社台账.xlsx",
        form(
            "nm-coops",
            "农民专业合作社台账",
            coop_columns,
            coops,
            sheet="合作社",
            layout=Layout(meta="unit-date"),
        ),
        form(
            "nm-family-farms",
            "家庭农牧场台账",
            farm_columns,
            farms,
            sheet="家庭农牧场",
            layout=Layout(meta="unit-date"),
        ),
    )


def _cultivated(ctx: Ctx) -> WorkbookSpec:
    records = [
        r
        for r in ctx.in_towns(_farm_records(ctx), {"红旗镇", "大营镇", "东河乡"})
        if float(str(r.values["cultivated_area"])) > 0
    ]
    for record in records:
        area = float(str(record.values["cultivated_area"]))
        record.values["subsidy_standard"] = CULTIVATED_RATE
        record.values["subsidy_amount"] = round(area * CULTIVATED_RATE, 2)
    columns = [
        col("户主姓名", "head_name"),
        col("身份证号码", "id_number"),
        col("村", "village"),
        col("补贴面积（亩）", "cultivated_area"),
        col("补贴标准（元/亩）", "subsidy_standard", f.MONEY),
        col("补贴金额（元）", "subsidy_amount", f.MONEY),
        col("一卡通账号", "account_no"),
    ]
    spec = form(
        "nm-cultivated-subsidy",
        "2026年耕地地力保护补贴发放花名册",
        columns,
        records,
        layout=Layout(meta=None),
    )
    return book("农牧局", "耕地地力补贴发放花名册.csv", spec, encoding="gbk")


def _anti_poverty(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("poverty")
    records = []
    for record in _farm_records(ctx):
        household = ctx.households_of([record.keys["household"]])[0]
        if "low_income" not in household.tags and rng.random() > 0.06:
            continue
        record.values |= {
            "category": rng.choice(("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")),
            "risk": rng.choice(("因病", "因残", "因学", "因灾", "缺劳力")),
            "income": float(rng.randrange(60, 160) * 100),
            "responsible_person": record.values["grid_worker"],
        }
        records.append(record)
    columns = [
        serial(),
        col("乡镇", "town"),
        col("村", "village"),
        col("户主姓名", "head_name"),
        col("身份证号", "id_number", width=21),
        col("家庭人口", "household_size"),
        col("监测对象类别", "poverty_status", source="category"),
        local("风险类型", "risk"),
        col("文化程度", "education"),
        col("健康状况", "health_status"),
        col("人均纯收入（元）", "per_capita_income", f.MONEY, source="income"),
        col("帮扶责任人", "responsible_person"),
        col("联系电话", "phone", width=14),
    ]
    spec = form(
        "nm-anti-poverty",
        "防止返贫动态监测对象台账",
        columns,
        records,
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN,)),
    )
    return book("农牧局", "防返贫监测对象台账.xlsx", spec)


def _homestead(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("homestead")
    houses = [h for h in ctx.pop.houses if not h.urban and h.unit.town.name == "东河乡"]
    records = []
    for house in houses:
        owner = ctx.pop.by_id.get(house.owner_id)
        if owner is None:
            continue
        record = ctx.person_record(owner)
        record.keys["house"] = house.code
        record.values |= {
            "house_address": house.address,
            "house_area": house.area,
            "house_structure": house.structure,
            "build_year": house.built_year,
            "plot": round(house.area * rng.uniform(1.8, 3.2), 1),
            "multi": "否",
        }
        records.append(record)
    columns = [
        serial(),
        col("户主姓名", "head_name"),
        col("身份证号", "id_number", width=21),
        col("宅基地面积(㎡)", "homestead_area", source="plot"),
        col("房屋建筑面积(㎡)", "house_area"),
        col("房屋坐落", "house_address", width=34),
        col("房屋结构", "house_structure"),
        col("建成年份", "build_year"),
        local("是否一户多宅", "multi"),
    ]
    spec = form(
        "nm-homestead",
        "农村宅基地和农房基本情况登记表",
        columns,
        records,
        layout=Layout(meta="unit-date"),
    )
    return book("农牧局", "宅基地农房登记表.xlsx", spec)


def _orgs(ctx: Ctx, *kinds: str) -> list[Record]:
    return [
        ctx.org_record(o, {"grid_name": o.unit.grids[0].name})
        for o in ctx.pop.organisations
        if o.kind in kinds
    ]


def _individual_businesses(ctx: Ctx) -> WorkbookSpec:
    columns = [
        serial(),
        col("统一社会信用代码", "uscc", width=21),
        col("名称", "org_name", width=28),
        col("经营者", "legal_rep_name"),
        col("经营者身份证号", "legal_rep_id_number", width=21),
        col("经营场所", "org_address", width=34),
        col("联系电话", "org_phone", width=14),
        col("经营范围", "business_scope"),
        col("从业人数", "employee_count"),
        col("登记日期", "reg_date", f.DATE_SERIAL, source="established"),
        col("所属网格", "grid_name"),
    ]
    spec = form(
        "sc-individual-businesses",
        "个体工商户基本信息台账",
        columns,
        _orgs(ctx, "个体工商户"),
        layout=Layout(meta="unit-date"),
    )
    return book("市场监管局", "个体工商户台账.xlsx", spec)


def _food_businesses(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("food")
    records = [
        r
        for r in _orgs(ctx, "个体工商户", "企业")
        if any(word in str(r.values["business_scope"]) for word in ("食品", "餐饮"))
    ]
    for record in records:
        record.values["licence"] = f"JY{rng.randrange(10**13, 10**14)}"
        record.values["valid_until"] = dt.date(rng.randrange(2026, 2031), rng.randrange(1, 13), 1)
    columns = [
        serial(),
        col("企业名称", "org_name", width=28),
        col("统一社会信用代码", "uscc", width=21),
        col("法定代表人（负责人）", "legal_rep_name"),
        col("联系电话", "org_phone", width=14),
        col("经营地址", "org_address", width=34),
        col("经营项目", "business_scope"),
        col("许可证编号", "license_no", source="licence"),
        local("有效期至", "valid_until", f.DATE_DOT),
        col("所属网格", "grid_name"),
    ]
    spec = form(
        "sc-food-businesses",
        "食品经营主体信息台账（网格）",
        columns,
        records,
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN,)),
    )
    return book("市场监管局", "食品经营台账.xls", spec)


def _enterprises(ctx: Ctx) -> WorkbookSpec:
    columns = [
        col("单位名称", "org_name"),
        col("统一社会信用代码", "uscc"),
        col("法定代表人", "legal_rep_name"),
        col("法人联系电话", "legal_rep_phone"),
        col("单位地址", "org_address"),
        col("从业人员数", "employee_count"),
        col("单位类型", "org_type"),
        col("所属网格", "grid_name"),
    ]
    spec = form(
        "sc-enterprises",
        "厂企信息（网格）",
        columns,
        _orgs(ctx, "企业", "事业单位", "机关", "社会团体", "民办非企业单位"),
        layout=Layout(meta=None),
    )
    return book("市场监管局", "厂企信息网格.csv", spec, encoding="utf-8-sig")


def _village_basic(ctx: Ctx) -> WorkbookSpec:
    records = []
    for unit in ctx.pop.units:
        registered = [h for h in ctx.pop.households if h.unit is unit]
        members = [m for h in registered for m in h.members]
        residents = [p for p in ctx.pop.persons if p.house is not None and p.house.unit is unit]
        farm = [ctx.prog.agriculture.get(h.number) for h in registered]
        secretary = next(
            (
                p
                for p in ctx.sort_persons(residents)
                if "party_member" in p.tags and 30 <= p.age() < 60
            ),
            residents[0],
        )
        records.append(
            Record(
                keys={"area": unit.code},
                values={
                    "admin_code": unit.code,
                    "town": unit.town.name,
                    "village": unit.name,
                    "households": len(registered),
                    "registered": len(members),
                    "residents": len(residents),
                    "over60": sum(1 for p in residents if p.age() >= 60),
                    "cultivated": round(
                        sum(float(str(x["cultivated_area"])) for x in farm if x), 1
                    ),
                    "party": sum(1 for p in residents if "party_member" in p.tags),
                    "grids": len(unit.grids),
                    "secretary": secretary.name,
                },
                group=unit.town.name,
            )
        )
    columns = [
        col("统计用区划代码", "admin_code", width=15),
        col("乡镇（街道）", "town"),
        col("村（社区）名称", "village"),
        *grouped(
            "人口情况",
            [
                col("户籍户数（户）", "area_households", source="households"),
                col("户籍人口（人）", "area_population", source="registered"),
                col("常住人口（人）", "resident_population", source="residents"),
                local("60岁以上人口（人）", "over60"),
            ],
        ),
        col("耕地面积（亩）", "area_cultivated_area", source="cultivated"),
        col("党员数（人）", "area_party_member_count", source="party"),
        local("网格数（个）", "grids"),
        col("村（社区）书记", "village_secretary", source="secretary"),
    ]
    spec = form(
        "tj-village-basic",
        "2026年村（社区）基本情况统计表",
        columns,
        records,
        layout=Layout(
            meta="unit-asof",
            totals="total",
            sum_keys=(
                "households",
                "registered",
                "residents",
                "over60",
                "cultivated",
                "party",
                "grids",
            ),
        ),
    )
    return book("统计局", "村社区基本情况统计表.xlsx", spec)

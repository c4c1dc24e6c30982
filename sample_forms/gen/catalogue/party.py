"""组织部, 统战部, 妇联 and 团委 forms: party members, social strata, women, youth."""

from __future__ import annotations

import datetime as dt

from .. import formats as f
from ..county import COUNTY_NAME
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


def workbooks(ctx: Ctx) -> list[WorkbookSpec]:
    return [
        _member_info(ctx),
        _member_roster(ctx),
        _lost_contact(ctx),
        _mobile_members(ctx),
        _two_committees(ctx),
        _in_service(ctx),
        _activists(ctx),
        _religious(ctx),
        _new_class(ctx),
        _overseas(ctx),
        _single_mothers(ctx),
        _women_care(ctx),
        _youth(ctx),
        _volunteers(ctx),
    ]


def _members(ctx: Ctx) -> list[Record]:
    records = []
    for pid, facts in ctx.prog.party.items():
        person = ctx.pop.person(pid)
        native = f"内蒙古{COUNTY_NAME}" if pid.startswith("150999") else "外省"
        records.append(ctx.person_record(person, dict(facts) | {"native_place": native}))
    return ctx.sort_persons_records(records)


def _member_info(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("member-info")
    records = _members(ctx)
    for record in records:
        birth = record.values["birth_date"]
        assert isinstance(birth, dt.date)
        record.values["work_start"] = dt.date(
            birth.year + rng.randrange(18, 24), rng.randrange(1, 13), 1
        )
        record.values["station"] = f"{record.values['town']}派出所"
    columns = [
        *grouped(
            "基本信息",
            [
                col("姓名", "name"),
                col("性别", "sex"),
                col("民族", "ethnicity"),
                col("籍贯", "native_place"),
                col("电话", "phone", width=14),
                col("出生日期", "birth_date", f.DATE_SERIAL_CN),
                col("参加工作日期", "work_start_date", f.YEAR_MONTH, source="work_start"),
                col("身份证号码", "id_number", width=21),
                col("家庭住址", "current_address", width=34),
                col("户口所在地派出所", "police_station", source="station"),
                col("最高学历", "education"),
            ],
        ),
        *grouped(
            "党籍信息",
            [
                col("入党时间", "join_party_date", f.DATE_DOT),
                col("转正时间", "formal_member_date", f.DATE_DOT),
                col("所在党支部", "party_branch", width=30),
                col("党内职务", "party_post"),
            ],
        ),
    ]
    spec = form(
        "zzb-member-info",
        "党员基本信息采集表",
        columns,
        records,
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN,)),
        duplicates=1,
    )
    return book("组织部", "党员基本信息采集表.xlsx", spec)


def _member_roster(ctx: Ctx) -> WorkbookSpec:
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("年龄", "age"),
        col("民族", "ethnicity", f.ETHNICITY_SHORT),
        col("入党时间", "join_party_date", f.YEAR_MONTH_CN),
        col("所在支部", "party_branch", width=30),
        col("职务", "party_post"),
    ]
    spec = form(
        "zzb-member-roster",
        "党员花名册",
        columns,
        _members(ctx),
        layout=Layout(meta="split", footer=(FOOTER_STAMP,)),
    )
    return book("组织部", "党员花名册.xls", spec)


def _lost_contact(ctx: Ctx) -> WorkbookSpec:
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("身份证号码", "id_number"),
        col("失联情形", "lost_contact_reason", source="situation"),
        col("失联时间", "lost_contact_date", source="lost_since"),
        col("所在党组织", "party_branch"),
        col("党组织类别", "party_org_type"),
        local("查找情况", "search"),
    ]
    spec = form(
        "zzb-lost-contact",
        "失去联系党员情况登记表",
        columns,
        [],
        template=True,
        layout=Layout(
            meta="unit-date", footer=("注：失联情形填写①—⑦，党组织类别填写①—⑨。", FOOTER_SIGN)
        ),
    )
    return book("组织部", "失联党员登记表.xlsx", spec)


def _mobile_members(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("mobile")
    records = [r for r in _members(ctx) if r.values["mobile"]]
    for record in records:
        person = ctx.pop.person(record.keys["person"])
        record.values["migrant_destination"] = person.migrant_place
        record.values["left"] = ctx.day(rng, 1, 1, 12, 31, year=rng.randrange(2020, 2026))
        record.values["inflow_org"] = f"{person.migrant_place}流动党员党支部"
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("身份证号", "id_number", width=21),
        col("联系电话", "phone", width=14),
        col("外出地点", "migrant_destination"),
        col("外出时间", "migrant_start_date", f.YEAR_MONTH_CN, source="left"),
        col("所在党支部", "party_branch", width=30),
        local("流入地党组织", "inflow_org"),
    ]
    spec = form(
        "zzb-mobile-members", "流动党员名册", columns, records, layout=Layout(meta="unit-date")
    )
    return book("组织部", "流动党员名册.xlsx", spec)


def _two_committees(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("committees")
    records = []
    for unit in ctx.pop.units:
        residents = [
            p
            for p in ctx.sort_persons(ctx.pop.persons)
            if p.house is not None
            and p.house.unit is unit
            and 28 <= p.age() <= 60
            and p.household_no
            and not p.migrant_place
            and "grid_worker" not in p.tags
        ]
        members = [p for p in residents if "party_member" in p.tags][:3]
        others = [p for p in residents if p not in members]
        members += rng.sample(others, 2)
        posts = ["党组织书记、主任", "副书记", "委员", "副主任", "委员"]
        for person, post in zip(members, posts, strict=False):
            records.append(ctx.person_record(person, {"job_post": post}))
    columns = [
        serial(),
        col("村（社区）", "village"),
        col("姓名", "name"),
        col("性别", "sex"),
        col("出生年月", "birth_date", f.YEAR_MONTH_DOT),
        col("民族", "ethnicity"),
        col("文化程度", "education"),
        col("政治面貌", "political_status"),
        col("职务", "job_post"),
        col("身份证号", "id_number", width=21),
        col("联系电话", "phone", width=14),
    ]
    spec = form(
        "zzb-two-committees",
        "村（社区）“两委”成员花名册",
        columns,
        records,
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN,)),
    )
    return book("组织部", "村社区两委成员花名册.xlsx", spec)


def _in_service(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("in-service")
    units = [o.name for o in ctx.pop.organisations if o.kind in {"机关", "事业单位"}]
    records = [r for r in _members(ctx) if r.values["in_service"]]
    for record in records:
        record.values |= {
            "work_unit": rng.choice(units),
            "reported": ctx.day(rng, 3, 1, 9, 30),
            "post": rng.choice(("文明劝导", "政策宣讲", "关爱老人", "环境整治")),
            "times": rng.randrange(1, 12),
        }
    columns = [
        col("姓名", "name"),
        col("工作单位", "work_unit"),
        col("联系电话", "phone"),
        col("报到社区", "village"),
        col("报到时间", "report_date", f.DATE_ISO, source="reported"),
        local("认领岗位", "post"),
        local("服务次数", "times"),
    ]
    spec = form(
        "zzb-in-service",
        "在职党员到社区报到服务情况反馈表",
        columns,
        records,
        layout=Layout(meta=None),
    )
    return book("组织部", "在职党员到社区报到反馈表.csv", spec, encoding="gbk")


def _activists(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("activists")
    pool = [
        p
        for p in ctx.sort_persons(ctx.pop.persons)
        if 20 <= p.age() <= 40
        and "party_member" not in p.tags
        and p.household_no
        and not p.migrant_place
    ]
    chosen = sorted(rng.sample(pool, 26), key=pool.index)
    records = []
    for person in chosen:
        applied = ctx.day(rng, 1, 1, 12, 31, year=rng.randrange(2023, 2026))
        records.append(
            ctx.person_record(
                person,
                {
                    "applied": applied,
                    "activist": applied + dt.timedelta(days=rng.randrange(90, 300)),
                    "contact": ctx.pop.person(person.house.grid.worker_id).name
                    if person.house
                    else "",
                    "branch": f"中共{ctx.home_unit(person).full_name}支部委员会",
                },
            )
        )
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("民族", "ethnicity"),
        col("出生日期", "birth_date", f.DATE_SERIAL),
        col("文化程度", "education"),
        col("身份证号", "id_number", width=21),
        col("申请入党时间", "party_application_date", f.DATE_SERIAL, source="applied"),
        col("确定积极分子时间", "activist_date", f.DATE_SERIAL, source="activist"),
        local("培养联系人", "contact"),
        local("拟发展支部", "branch"),
    ]
    spec = form(
        "zzb-activists",
        "入党积极分子、发展对象名册",
        columns,
        records,
        layout=Layout(meta="unit-date"),
    )
    return book("组织部", "入党积极分子名册.xlsx", spec)


def _religious(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("religious")
    places = (
        ("青山旗清真寺", "伊斯兰教", "锦绣社区"),
        ("青山旗基督教堂", "基督教", "新华社区"),
        ("巴音召", "藏传佛教", "巴音嘎查"),
        ("观音寺", "佛教", "红旗社区"),
    )
    records = []
    for name, religion, unit_name in places:
        unit = next(u for u in ctx.pop.units if u.name == unit_name)
        residents = [
            p
            for p in ctx.sort_persons(ctx.pop.persons)
            if p.house is not None and p.house.unit is unit and 40 <= p.age() <= 75
        ]
        manager = rng.choice(residents)
        records.append(
            Record(
                keys={"facility": name},
                values={
                    "facility_name": name,
                    "facility_type": "宗教活动场所",
                    "religion": religion,
                    "facility_address": f"{unit.full_name}{rng.choice(('北街', '南街', '东街'))}"
                    f"{rng.randrange(1, 80)}号",
                    "facility_manager": manager.name,
                    "facility_phone": manager.phone,
                    "clergy": rng.randrange(1, 6),
                },
            )
        )
    columns = [
        serial(),
        col("场所名称", "facility_name"),
        col("场所类型", "facility_type"),
        local("教别", "religion"),
        col("场所地址", "facility_address", width=34),
        col("负责人", "facility_manager"),
        col("联系电话", "facility_phone", width=14),
        local("教职人员数", "clergy"),
    ]
    spec = form(
        "tz-religious",
        "宗教活动场所基本情况登记表",
        columns,
        records,
        layout=Layout(meta="unit-date", footer=(FOOTER_STAMP,)),
    )
    return book("统战部", "宗教活动场所登记表.xlsx", spec)


def _new_class(ctx: Ctx) -> WorkbookSpec:
    records = []
    for organisation in ctx.pop.organisations:
        if organisation.kind not in {"企业", "民办非企业单位"}:
            continue
        rep = ctx.pop.person(organisation.legal_rep_id)
        kind = "民营企业出资人" if organisation.kind == "企业" else "社会组织从业人员"
        records.append(
            ctx.person_record(
                rep,
                {"work_unit": organisation.name, "job_post": "法定代表人", "stratum": kind},
            )
        )
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("民族", "ethnicity"),
        col("出生年月", "birth_date", f.YEAR_MONTH),
        col("政治面貌", "political_status"),
        col("文化程度", "education"),
        col("工作单位", "work_unit", width=28),
        col("职务", "job_post"),
        local("人士类别", "stratum"),
        col("联络电话", "phone", variant="unusual", width=14),
        col("身份证号", "id_number", width=21),
    ]
    spec = form(
        "tz-new-class",
        "新的社会阶层人士信息统计表",
        columns,
        records,
        layout=Layout(meta="unit-date"),
    )
    return book("统战部", "新的社会阶层人士名册.xlsx", spec)


def _overseas(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("overseas")
    pool = [
        p
        for p in ctx.sort_persons(ctx.pop.persons)
        if p.age() >= 30 and p.household_no and not p.migrant_place
    ]
    chosen = sorted(rng.sample(pool, 14), key=pool.index)
    records = [
        ctx.person_record(
            p,
            {
                "relative": rng.choice(("李", "王", "陈", "张"))
                + rng.choice(("志明", "美玲", "建华")),
                "place": rng.choice(("香港", "澳门", "台湾", "美国", "加拿大", "澳大利亚")),
                "relation": rng.choice(("兄弟", "姐妹", "子女", "叔伯")),
            },
        )
        for p in chosen
    ]
    columns = [
        serial(),
        col("姓名", "name"),
        col("性別", "sex"),
        col("身份證號碼", "id_number", width=21),
        col("聯繫電話", "phone", width=14),
        col("現住址", "current_address", width=34),
        local("海外親屬姓名", "relative"),
        local("親屬所在國家（地區）", "place"),
        local("與本人關係", "relation"),
        local("備註", "remark"),
    ]
    spec = form(
        "tz-overseas", "港澳台侨属基本情况登记表", columns, records, layout=Layout(meta="unit-date")
    )
    return book("统战部", "港澳台侨属名册.xls", spec)


def _single_mothers(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("mothers")
    records = []
    for household in ctx.pop.households:
        head = household.head
        if head.sex != "女" or head.marital not in {"离婚", "丧偶"} or head.age() > 60:
            continue
        kids = [m for m in household.members if m.mother_id == head.id_number]
        if not kids:
            continue
        records.append(
            ctx.household_record(
                household,
                {
                    "kids": len(kids),
                    "kids_school": "、".join(
                        str(ctx.prog.students.get(k.id_number, {}).get("grade", "未入学"))
                        for k in kids
                    ),
                    "income": float(rng.randrange(8, 40) * 1000),
                    "help": rng.choice(("就业帮扶", "助学帮扶", "临时救助", "心理疏导")),
                },
            )
        )
    columns = [
        serial(),
        col("姓名", "name"),
        col("身份证号", "id_number", width=21),
        col("年龄", "age"),
        col("子女数", "children_count", source="kids"),
        local("子女就学情况", "kids_school"),
        col("家庭年收入（元）", "annual_income", f.MONEY, source="income"),
        col("是否低保", "is_low_income", f.YES_NO),
        col("联系电话", "phone", width=14),
        col("现居详细地址", "current_address", variant="unusual", width=34),
        col("帮扶措施", "follow_up", source="help"),
    ]
    spec = form(
        "fl-single-mothers",
        "单亲特困母亲信息登记表",
        columns,
        ctx.sort_persons_records(records),
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN,)),
    )
    return book("妇联", "单亲特困母亲名册.xlsx", spec)


def _women_care(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("women-care")
    records = []
    for person in ctx.sort_persons(ctx.pop.persons):
        household = ctx.pop.household_of.get(person.id_number)
        if (
            household is None
            or household.unit.urban
            or person.sex != "女"
            or person.migrant_place
            or not 20 <= person.age() < 60
            or person.relation not in {"户主", "配偶"}
        ):
            continue
        husband = next(
            (
                m
                for m in household.members
                if m.sex == "男" and m.migrant_place and m.relation in {"户主", "配偶"}
            ),
            None,
        )
        if husband is None:
            continue
        records.append(
            ctx.person_record(
                person,
                {
                    "place": husband.migrant_place,
                    "visit_content": rng.choice(("技能培训", "健康体检", "心理疏导", "法律宣传")),
                    "visit_date": ctx.day(rng, 8, 1, 10, 30),
                    "visitor": "妇联执委",
                },
            )
        )
    columns = [
        serial(),
        col("姓名", "name"),
        col("身份证号码", "id_number", width=21),
        col("联系方式(手机)", "phone", f.FULL_WIDTH, width=14),
        col("现住址", "current_address", f.FULL_WIDTH, width=34),
        local("丈夫务工地", "place"),
        col("关爱服务内容", "visit_content"),
        col("服务日期", "visit_date", f.DATE_CN),
        col("服务人", "visitor"),
    ]
    spec = form(
        "fl-women-care",
        "农村留守妇女关爱服务台账",
        columns,
        records,
        layout=Layout(meta="unit-date"),
    )
    return book("妇联", "留守妇女关爱台账.xlsx", spec)


def _youth(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("youth")
    persons = [p for p in ctx.sort_persons(ctx.pop.persons) if p.political == "共青团员"]
    records = [
        ctx.person_record(
            p,
            {
                "joined": dt.date(p.birth.year + rng.randrange(14, 17), 5, 4),
                "branch": f"{ctx.home_unit(p).name}团支部",
            },
        )
        for p in persons
    ]
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("出生年月", "birth_date", f.YEAR_MONTH_CN),
        col("民族", "ethnicity", f.ETHNICITY_CODE_LABEL),
        col("身份证号", "id_number", width=21),
        local("入团时间", "joined", f.YEAR_MONTH_CN),
        local("所在团支部", "branch"),
        col("学历", "education"),
        col("聯繫電話", "phone", width=14),
    ]
    spec = form("tw-youth", "共青团员花名册", columns, records, layout=Layout(meta="split"))
    return book("团委", "团员青年名册.xlsx", spec)


def _volunteers(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("volunteers")
    pool = [
        p
        for p in ctx.sort_persons(ctx.pop.persons)
        if 18 <= p.age() <= 65 and p.phone and not p.migrant_place
    ]
    chosen = sorted(rng.sample(pool, 60), key=pool.index)
    records = [
        ctx.person_record(
            p,
            {
                "service": rng.choice(("扶老助残", "文明交通", "环境保护", "应急救援", "社区服务")),
                "registered": ctx.day(rng, 1, 1, 12, 31, year=rng.randrange(2019, 2026)),
                "team": f"{ctx.home_unit(p).name}志愿服务队",
            },
        )
        for p in chosen
    ]
    columns = [
        col("姓名", "name"),
        col("性别", "sex"),
        col("身份证号", "id_number"),
        col("手机号码/座机", "phone"),
        local("服务类别", "service"),
        local("注册时间", "registered", f.DATE_ISO),
        local("所属志愿服务队", "team"),
    ]
    spec = form("tw-volunteers", "志愿者注册信息名册", columns, records, layout=Layout(meta=None))
    return book("团委", "志愿者名册.csv", spec, encoding="utf-8-sig")

"""民政局 forms: assistance, the elderly, children, social organisations."""

from __future__ import annotations

from .. import codes
from .. import formats as f
from ..model import Layout, Record, WorkbookSpec
from .base import (
    FOOTER_SIGN,
    FOOTER_STAMP,
    Ctx,
    book,
    col,
    dictionary,
    form,
    grouped,
    instructions,
    local,
    serial,
)

ASSISTANCE_CAMS = {
    "城市低保": "01城市低保",
    "农村低保": "02农村低保",
    "特困供养(集中)": "03集中供养五保",
    "特困供养(分散)": "04分散供养五保",
}
AGE_BANDS = {"80-89周岁": "80—89岁", "90-99周岁": "90—99岁", "100周岁以上": "100岁及以上"}


def workbooks(ctx: Ctx) -> list[WorkbookSpec]:
    return [
        _dibao_roster(ctx),
        _dibao_dynamic(ctx),
        _hardship_info(ctx),
        _winter_relief(ctx),
        _relief_bank(ctx),
        _assistance_book(ctx),
        _elderly_allowance(ctx),
        _centenarians(ctx),
        _lonely_elderly(ctx),
        _three_left_behind(ctx),
        _children_in_difficulty(ctx),
        _social_org_party(ctx),
        _econ_check(ctx),
        _funeral_check(ctx),
        _two_subsidies(ctx),
        _voters(ctx),
    ]


def _dibao_households(ctx: Ctx) -> list[Record]:
    records = []
    for household in ctx.pop.households:
        facts = ctx.prog.dibao.get(household.number)
        if facts:
            records.append(ctx.household_record(household, dict(facts)))
    return sorted(records, key=lambda r: (r.values["admin_code"], r.keys["household"]))


def _dibao_roster(ctx: Ctx) -> WorkbookSpec:
    columns = [
        serial(),
        col("乡镇（街道）", "town"),
        col("村（社区）", "village"),
        col("户主姓名", "head_name"),
        col("性别", "sex"),
        col("民族", "ethnicity"),
        col("身份证号码", "id_number", width=21),
        *grouped(
            "保障情况",
            [
                col("家庭人口（人）", "household_size"),
                col("保障人数（人）", "assistance_persons"),
                col("低保类别", "assistance_type"),
                col("月保障金（元）", "monthly_allowance", f.MONEY),
            ],
        ),
        *grouped(
            "发放账户",
            [col("开户银行", "bank_name"), col("一卡通\n账号", "account_no", width=22)],
        ),
        col("联系\n电话", "phone", width=14),
        col("家庭住址", "current_address", width=36),
        local("备注", "remark"),
    ]
    spec = form(
        "mz-dibao-roster",
        "青山旗2026年10月城乡低保对象花名册",
        columns,
        _dibao_households(ctx),
        layout=Layout(
            meta="unit-date",
            blank_rows=2,
            totals="total",
            sum_keys=("household_size", "assistance_persons", "monthly_allowance"),
            footer=(FOOTER_SIGN, FOOTER_STAMP),
        ),
        duplicates=1,
    )
    return book("民政局", "城乡低保对象花名册.xlsx", spec)


def _dibao_dynamic(ctx: Ctx) -> WorkbookSpec:
    records = []
    for household in ctx.pop.households:
        facts = ctx.prog.dibao.get(household.number)
        if not facts:
            continue
        for member in household.members:
            extra = dict(facts) | {"remark": "外出务工" if member.migrant_place else ""}
            records.append(ctx.person_record(member, extra))
    columns = [
        serial(),
        col("户主姓名", "head_name"),
        *grouped(
            "家庭成员情况",
            [
                col("姓名", "name"),
                col("身份证号", "id_number", width=21),
                col("与户主关系", "relation_to_head"),
            ],
        ),
        col("家庭人口", "household_size"),
        col("低保类别", "assistance_type"),
        col("保障金额(元/月)", "monthly_allowance", f.MONEY),
        col("享受时间", "assistance_start", f.YEAR_MONTH_DOT),
        col("所在村(社区)", "village"),
        col("联系电话", "phone", width=14),
        local("近期动态", "dynamic"),
        local("备注", "remark"),
    ]
    spec = form(
        "mz-dibao-dynamic",
        "低保对象动态管理表",
        columns,
        ctx.sort_persons_records(records),
        layout=Layout(
            meta="split",
            footer=(
                "注：近期动态填写“新增”“停保”“调标”或“无变化”，每月5日前报乡镇（街道）民政办。",
            ),
        ),
        as_of=ctx.month_end(9),
    )
    return book("民政局", "低保对象动态管理表.xls", spec)


def _hardship_info(ctx: Ctx) -> WorkbookSpec:
    records = _dibao_households(ctx)
    for person_id, facts in ctx.prog.tekun.items():
        person = ctx.pop.person(person_id)
        records.append(ctx.person_record(person, dict(facts)))
    rng = ctx.rng("hardship")
    for record in records:
        household = ctx.pop.household_of.get(record.keys["person"])
        members = household.members if household else []
        record.values["members"] = "、".join(m.name for m in members)
        record.values["score"] = rng.randrange(55, 96)
        record.values["review"] = rng.choices(("1", "0", "2"), weights=(85, 10, 5))[0]
    columns = [
        col("户主姓名", "head_name"),
        col("身份证号码", "id_number", width=21),
        local("家庭成员", "members"),
        col("人口数量", "household_size"),
        col("救助类型", "assistance_type", f.mapped(ASSISTANCE_CAMS)),
        col("家庭地址", "current_address", width=34),
        local("综合得分", "score"),
        col("审核标识", "review_flag", source="review"),
    ]
    spec = form(
        "mz-hardship-info",
        "困难户信息统计表",
        columns,
        records,
        layout=Layout(origin=(1, 1), title_rows=0, meta=None),
    )
    codes_sheet = dictionary(
        "代码",
        {
            "救助类型": [
                "01城市低保",
                "02农村低保",
                "03集中供养五保",
                "04分散供养五保",
                "05抚恤定补优抚",
                "06残疾人",
                "07单亲特困母亲",
                "08困难学生",
                "09三无",
                "10特困职工",
                "11其他",
            ],
            "审核标识": ["0待审核", "1通过", "2未通过"],
        },
    )
    return book("民政局", "困难户信息统计表.xlsx", spec, codes_sheet)


def _winter_relief(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("winter")
    records = []
    for household in ctx.pop.households:
        facts = ctx.prog.winter_relief.get(household.number)
        if not facts:
            continue
        needs = facts["needs"]
        assert isinstance(needs, dict)
        extra = dict(facts) | {f"need_{k}": v for k, v in needs.items()}
        extra["filler"] = (
            ctx.pop.person(household.head.house.grid.worker_id).name
            if (household.head.house)
            else ""
        )
        extra["fill_date"] = ctx.day(rng, 10, 8, 10, 25)
        records.append(ctx.household_record(household, extra))
    records.sort(key=lambda r: (r.values["admin_code"], r.keys["household"]))
    columns = [
        serial(),
        col("户主姓名", "head_name"),
        col("身份证号码", "id_number", width=21),
        col("家庭人口（人）", "household_size"),
        col("家庭类型", "family_type", source="family_type"),
        col("户口类型", "hukou_type"),
        col("行政村（社区）代码", "admin_code", width=15),
        col("行政村（社区）名称", "village"),
        *grouped(
            "需救助类型",
            [
                local(need, f"need_{need}", f.TICK)
                for need in ("口粮", "取暖", "衣被", "伤病", "饮水")
            ],
        ),
        col("核准救助时段（月）", "relief_months", source="months"),
        col("核准救助金额（元）", "aid_amount", f.MONEY),
        col("发放方式", "payment_method"),
        col("开户银行", "bank_name"),
        col("开户银行帐号", "account_no", width=22),
        local("村级填报人姓名", "filler"),
        local("村级填报日期", "fill_date", f.DATE_SLASH),
    ]
    spec = form(
        "mz-winter-relief",
        "2026—2027年度冬春生活救助花名册",
        columns,
        records,
        layout=Layout(
            meta="split",
            totals="total",
            sum_keys=("household_size", "aid_amount"),
            footer=(FOOTER_SIGN,),
        ),
    )
    return book("民政局", "冬春救助花名册.xls", spec)


def _relief_bank(ctx: Ctx) -> WorkbookSpec:
    records = [r for r in _dibao_households(ctx) if r.values.get("account_no")]
    columns = [
        col("户主姓名", "head_name"),
        col("身份证号码", "id_number"),
        col("开户银行", "bank_name"),
        col("账户名称", "account_name"),
        col("银行账号", "account_no"),
    ]
    spec = form(
        "mz-relief-bank",
        "救助资金银行账号表",
        columns,
        records,
        layout=Layout(title_rows=0, meta=None),
    )
    return book("民政局", "救助资金银行账号表.csv", spec, encoding="gbk")


def _assistance_book(ctx: Ctx) -> WorkbookSpec:
    """One workbook, three forms: 特困, 临时救助, 养老助餐 (sheets), as a 民政办 keeps them."""
    tekun = [
        ctx.person_record(ctx.pop.person(pid), dict(facts)) for pid, facts in ctx.prog.tekun.items()
    ]
    tekun_columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("民族", "ethnicity"),
        col("身份证号", "id_number", width=21),
        col("出生日期", "birth_date", f.DATE_SERIAL),
        col("年龄", "age"),
        col("供养方式", "support_mode"),
        col("自理能力", "self_care"),
        *grouped(
            "供养标准（元/月）",
            [
                col("基本生活标准", "support_standard", f.MONEY),
                local("照料护理标准", "care_standard", f.MONEY),
            ],
        ),
        col("照料人", "caregiver_name", source="caregiver"),
        col("纳入时间", "assistance_start", f.DATE_CN),
        col("现住址", "current_address", width=34),
        col("联系电话", "phone", width=14),
        local("备注", "remark"),
    ]
    tekun_form = form(
        "mz-tekun-roster",
        "青山旗特困人员供养名册",
        tekun_columns,
        ctx.sort_persons_records(tekun),
        sheet="特困人员",
        layout=Layout(meta="unit-asof", footer=(FOOTER_SIGN,)),
    )
    relief = []
    for event in ctx.prog.temp_relief:
        person = ctx.pop.person(str(event["person"]))
        relief.append(ctx.person_record(person, dict(event)))
    relief_columns = [
        serial(),
        local("编号", "no"),
        col("申请人姓名", "name"),
        col("身份证号码", "id_number", width=21),
        col("性别", "sex", f.SEX_CODE_LABEL),
        col("联系电话", "phone", width=14),
        col("家庭住址", "current_address", f.FULL_WIDTH, width=34),
        col("家庭人口", "household_size"),
        col("救助事由", "aid_reason"),
        col("救助金额（元）", "aid_amount", f.MONEY),
        local("救助日期", "date", f.DATE_SERIAL_CN),
        local("审批情况", "approval"),
    ]
    relief_form = form(
        "mz-temp-relief",
        "临时救助登记表",
        relief_columns,
        relief,
        sheet="临时救助",
        layout=Layout(origin=(1, 0), meta="unit-date", totals="total", sum_keys=("aid_amount",)),
    )
    meals = []
    for person_id, facts in ctx.prog.lonely.items():
        if facts["meal"]:
            person = ctx.pop.person(person_id)
            care = ctx.prog.elderly.get(person_id, {}).get("care_level", "能力完好")
            meals.append(ctx.person_record(person, dict(facts) | {"care_level": care}))
    meal_columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("年龄", "age"),
        col("身份证号", "id_number", width=21),
        col("联系方式", "phone", width=14),
        col("居住地址", "current_address", width=34),
        local("助餐方式", "meal_type"),
        col("老年人能力等级", "care_level"),
        col("是否独居", "is_lives_alone", f.YES_NO),
    ]
    meal_form = form(
        "mz-meal-service",
        "养老服务（助餐）对象名册",
        meal_columns,
        ctx.sort_persons_records(meals),
        sheet="助餐对象",
        layout=Layout(meta="asof-only"),
    )
    return book("民政局", "社会救助及养老服务台账.xlsx", tekun_form, relief_form, meal_form)


def _elderly_allowance(ctx: Ctx) -> WorkbookSpec:
    records = [
        ctx.person_record(
            ctx.pop.person(pid), dict(facts) | {"band": AGE_BANDS[str(facts["band"])]}
        )
        for pid, facts in ctx.prog.elderly.items()
    ]
    columns = [
        serial(),
        col("乡镇", "town"),
        col("村（社区）", "village"),
        col("姓名", "name"),
        col("性别", "sex"),
        col("身份证号码", "id_number", width=21),
        col("出生年月", "birth_date", f.YEAR_MONTH_CN),
        col("年龄", "age"),
        col("年龄段", "age_band", source="band"),
        col("补贴标准（元/月）", "subsidy_standard", f.MONEY),
        col("发放金额（元）", "subsidy_amount", f.MONEY),
        col("开户银行", "bank_name"),
        col("银行卡号", "account_no", width=22),
        col("发放月份", "payment_month"),
        local("备注", "remark"),
    ]
    spec = form(
        "mz-elderly-allowance",
        "青山旗2026年10月高龄津贴发放花名册",
        columns,
        ctx.sort_persons_records(records),
        layout=Layout(
            title_rows=2,
            subtitle="（80周岁以上老年人，统计截止2026年10月31日）",
            meta="unit-date",
            totals="subtotal",
            sum_keys=("subsidy_amount",),
            footer=(FOOTER_SIGN, "注：老年人去世的，自次月起停发高龄津贴。"),
        ),
    )
    return book("民政局", "高龄津贴发放花名册.xlsx", spec)


def _centenarians(ctx: Ctx) -> WorkbookSpec:
    records = []
    for pid, facts in ctx.prog.elderly.items():
        if facts["band"] == "100周岁以上":
            person = ctx.pop.person(pid)
            records.append(ctx.person_record(person, dict(facts)))
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("民族", "ethnicity"),
        col("出生日期", "birth_date", f.DATE_CN),
        col("年龄", "age"),
        col("身份证号", "id_number", width=21),
        col("家庭住址", "current_address", width=34),
        col("长寿补贴标准(元/月)", "subsidy_standard", f.MONEY),
        col("赡养人", "child_name", source="emergency_name"),
        col("赡养人电话", "child_phone", source="emergency_phone"),
    ]
    spec = form(
        "mz-centenarian",
        "青山旗百岁老人长寿补贴名册",
        columns,
        ctx.sort_persons_records(records),
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN, FOOTER_STAMP)),
    )
    return book("民政局", "百岁老人长寿补贴名册.xls", spec)


def _lonely_elderly(ctx: Ctx) -> WorkbookSpec:
    records = []
    for pid, facts in ctx.prog.lonely.items():
        person = ctx.pop.person(pid)
        if "lives_alone" not in person.tags and person.age() < 72:
            continue
        kind = "独居" if "lives_alone" in person.tags else "空巢"
        records.append(ctx.person_record(person, dict(facts) | {"kind": kind}))
    columns = [
        serial(),
        col("老人姓名", "name"),
        col("性别", "sex"),
        col("年龄", "age"),
        col("身份证号", "id_number", width=21),
        col("联系电话", "phone", width=14),
        col("居住地", "current_address", width=34),
        col("类型", "living_arrangement", source="kind"),
        *grouped(
            "紧急联系人",
            [col("姓名", "emergency_name"), col("联系电话", "emergency_phone", width=14)],
        ),
        *grouped(
            "走访情况",
            [
                col("走访日期", "visit_date", f.DATE_DOT),
                col("走访人", "visitor"),
                col("健康状况", "health_status"),
                col("走访记录", "visit_content", width=30),
            ],
        ),
        local("备注", "remark"),
    ]
    spec = form(
        "mz-lonely-elderly",
        "独居、空巢老人关爱服务台账",
        columns,
        ctx.sort_persons_records(records),
        layout=Layout(meta="unit-date", blank_rows=1, footer=(FOOTER_SIGN,)),
    )
    return book("民政局", "独居空巢老人关爱台账.xlsx", spec)


def _three_left_behind(ctx: Ctx) -> WorkbookSpec:
    pop = ctx.pop
    children = []
    for person in ctx.persons_where("left_behind_child"):
        if person.house is None or person.house.urban:
            continue
        father = pop.by_id.get(person.father_id)
        mother = pop.by_id.get(person.mother_id)
        both = bool(father and father.migrant_place and mother and mother.migrant_place)
        away = father or mother
        extra = {
            "father": father.name if father else "",
            "mother": mother.name if mother else "",
            "parents_place": away.migrant_place if away else "",
            "left_behind_type": "父母均外出" if both else "父亲外出",
            "school": ctx.prog.students.get(person.id_number, {}).get("school", "未入学"),
        }
        children.append(ctx.person_record(person, extra))
    child_columns = [
        serial(),
        col("乡镇", "town"),
        col("村", "village"),
        col("儿童姓名", "name"),
        col("性别", "sex"),
        col("身份证号", "id_number", width=21),
        col("出生日期", "birth_date", f.DATE_COMPACT),
        col("年龄", "age"),
        col("就读学校", "school"),
        *grouped(
            "监护人",
            [
                col("姓名", "guardian_name"),
                col("与儿童关系", "guardian_relation"),
                col("联系电话", "guardian_phone", width=14),
            ],
        ),
        *grouped(
            "外出务工父母",
            [
                col("父亲姓名", "father_name", source="father"),
                col("母亲姓名", "mother_name", source="mother"),
                local("务工地点", "parents_place"),
            ],
        ),
        col("留守类型", "left_behind_type"),
    ]
    women = []
    for person in ctx.sort_persons(pop.persons):
        household = pop.household_of.get(person.id_number)
        if (
            household is None
            or household.unit.urban
            or person.sex != "女"
            or person.migrant_place
            or not 18 <= person.age() < 60
        ):
            continue
        husband = next(
            (
                m
                for m in household.members
                if m.sex == "男"
                and m.migrant_place
                and m.relation in {"户主", "配偶", "子"}
                and m is not person
                and person.relation in {"户主", "配偶"}
            ),
            None,
        )
        if husband is None:
            continue
        women.append(
            ctx.person_record(person, {"husband": husband.name, "place": husband.migrant_place})
        )
    women_columns = [
        serial(),
        col("乡镇", "town"),
        col("村", "village"),
        col("姓名", "name"),
        col("身份证号", "id_number", width=21),
        col("年龄", "age"),
        col("联系电话", "phone", width=14),
        col("文化程度", "education"),
        col("健康状况", "health_status"),
        col("丈夫姓名", "spouse_name", source="husband"),
        local("丈夫务工地点", "place"),
    ]
    elderly = [
        ctx.person_record(p)
        for p in ctx.persons_where("left_behind_elderly")
        if p.house is not None and not p.house.urban
    ]
    elderly_columns = [
        serial(),
        col("乡镇", "town"),
        col("村", "village"),
        col("姓名", "name"),
        col("性别", "sex"),
        col("身份证号", "id_number", width=21),
        col("年龄", "age"),
        col("联系电话", "phone", width=14),
        col("健康状况", "health_status"),
        col("是否独居", "is_lives_alone", f.YES_NO),
        col("居住地址", "current_address", width=34),
    ]
    layout = Layout(meta="unit-asof", footer=(FOOTER_SIGN,))
    return book(
        "民政局",
        "农村三留守人员摸底表.xlsx",
        form(
            "mz-left-behind-children",
            "农村留守儿童摸底表",
            child_columns,
            children,
            sheet="留守儿童",
            layout=layout,
        ),
        form(
            "mz-left-behind-women",
            "农村留守妇女摸底表",
            women_columns,
            women,
            sheet="留守妇女",
            layout=layout,
        ),
        form(
            "mz-left-behind-elderly",
            "农村留守老人摸底表",
            elderly_columns,
            elderly,
            sheet="留守老人",
            layout=layout,
        ),
        instructions(
            "填表说明",
            "1. 留守儿童指父母双方外出务工或一方外出务工另一方无监护能力、不满十六周岁的未成年人。",
            "2. 留守妇女指丈夫外出务工、本人在户籍地农村居住的妇女。",
            "3. 身份证号一律填写18位，出生日期按“20150301”格式填写。",
            "4. 本表每季度更新一次，由村（社区）填报，乡镇（街道）汇总。",
        ),
    )


def _children_in_difficulty(ctx: Ctx) -> WorkbookSpec:
    records = [
        ctx.person_record(ctx.pop.person(pid), dict(facts))
        for pid, facts in ctx.prog.children.items()
    ]
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("身份证号码", "id_number", width=21),
        col("出生日期", "birth_date", f.DATE_SERIAL),
        col("困境类型", "plight_type"),
        col("监护人姓名", "guardian_name"),
        col("监护人身份证号", "guardian_id_number", width=21),
        col("监护人电话", "guardian_phone", width=14),
        col("与监护人关系", "guardian_relation"),
        col("基本生活费（元/月）", "living_allowance", f.MONEY, source="allowance"),
        col("家庭住址", "current_address", width=34),
        local("备注", "remark"),
    ]
    spec = form(
        "mz-children-difficulty",
        "困境儿童、事实无人抚养儿童台账",
        columns,
        ctx.sort_persons_records(records),
        layout=Layout(meta="unit-date", footer=("注：本表涉及未成年人信息，严禁外传。",)),
    )
    return book("民政局", "困境儿童台账.xlsx", spec)


def _social_org_party(ctx: Ctx) -> WorkbookSpec:
    records = []
    for organisation in ctx.pop.organisations:
        facts = ctx.prog.social_orgs.get(organisation.uscc)
        if facts is None:
            continue
        leader = ctx.pop.person(str(facts["leader_id"]))
        extra = dict(facts) | {
            "rep_political": leader.political,
            "org_leader_name": leader.name,
            "org_leader_id_number": leader.id_number,
            "org_leader_phone": leader.phone,
            "leader_ethnicity": leader.ethnicity,
            "leader_education": leader.education,
            "approval_unit": "旗委组织部" if facts["approval"] else "",
        }
        record = ctx.org_record(organisation, extra)
        record.roles["org_leader"] = leader.id_number
        records.append(record)
    columns = [
        serial(),
        col("社会组织名称", "social_org_name", width=30),
        col("组织类别", "social_org_category"),
        col("登记证号", "social_org_reg_no"),
        col("统一社会信用代码", "uscc", width=21),
        *grouped("法定代表人", [col("姓名", "legal_rep_name"), local("政治面貌", "rep_political")]),
        *grouped(
            "党组织设置情况",
            [
                col("党组织名称", "party_org_name", width=30),
                col("组织建制", "party_org_type"),
                col("建立时间", "party_org_setup_date", f.DATE_DOT, source="built_date"),
                *grouped(
                    "审批情况",
                    [
                        col("审批单位", "approval_unit", source="approval_unit"),
                        col("审批文号", "approval_no", source="approval"),
                    ],
                ),
                col("隶属关系", "affiliation", source="affiliation"),
            ],
        ),
        *grouped(
            "负责人",
            [
                col("姓名", "org_leader_name"),
                col("身份证号", "org_leader_id_number", width=21),
                local("民族", "leader_ethnicity"),
                local("学历", "leader_education"),
                col("联系电话", "org_leader_phone", width=14),
            ],
        ),
        col("党员数", "party_member_count"),
    ]
    spec = form(
        "mz-social-org-party",
        "社会组织党建情况表",
        columns,
        records,
        layout=Layout(meta="unit-date", footer=(FOOTER_STAMP,)),
    )
    return book("民政局", "社会组织党建情况表.xls", spec)


def _econ_check(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("econ")
    records = _dibao_households(ctx)[::2]
    for record in records:
        record.values["item"] = rng.choice(("低保年度复核", "低保新申请", "特困复核"))
        record.values["date"] = ctx.day(rng, 10, 1, 10, 28)
    columns = [
        serial(),
        col("户主姓名", "head_name"),
        col("身份证件号码", "id_number"),
        local("核对事项", "item"),
        local("委托日期", "date", f.DATE_ISO),
    ]
    spec = form(
        "mz-econ-check",
        "家庭经济状况核对名单",
        columns,
        records,
        layout=Layout(meta=None),
    )
    return book("民政局", "家庭经济状况核对名单.csv", spec, encoding="utf-8-sig")


def _funeral_check(ctx: Ctx) -> WorkbookSpec:
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("公民身份号码", "id_number"),
        col("死亡日期", "death_date", source="death_date"),
        local("死亡原因", "death_cause"),
        local("火化/安葬情况", "burial"),
        col("是否低保", "is_low_income"),
        local("是否已停发待遇", "stopped"),
        col("户籍地址", "hukou_address"),
        local("备注", "remark"),
    ]
    spec = form(
        "mz-funeral-check",
        "殡葬及死亡人员信息核查表",
        columns,
        [],
        template=True,
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN,)),
    )
    return book("民政局", "殡葬死亡人员核查表.xlsx", spec)


def _two_subsidies(ctx: Ctx) -> WorkbookSpec:
    records = []
    for pid, facts in ctx.prog.disabled.items():
        living = float(facts["living_subsidy"])  # type: ignore[arg-type]
        nursing = float(facts["nursing_subsidy"])  # type: ignore[arg-type]
        if living or nursing:
            extra = dict(facts) | {"subsidy_amount": living + nursing, "payment_month": "2026-10"}
            records.append(ctx.person_record(ctx.pop.person(pid), extra))
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex", f.SEX_CODE_LABEL),
        col("身份证号码", "id_number", width=21),
        col("残疾证号", "disability_cert_no", width=23),
        col("残疾类别", "disability_category", f.code_label(codes.DISABILITY_CATEGORIES)),
        col("残疾等级", "disability_level", f.code_label(codes.DISABILITY_LEVELS)),
        *grouped(
            "补贴标准（元/月）",
            [
                local("生活补贴", "living_subsidy", f.MONEY),
                local("护理补贴", "nursing_subsidy", f.MONEY),
            ],
        ),
        col("合计金额（元）", "subsidy_amount", f.MONEY),
        col("开户银行", "bank_name"),
        col("银行账号", "account_no", f.ACCOUNT_NUMERIC, width=22),
        col("发放月份", "payment_month"),
    ]
    spec = form(
        "mz-disability-two-subsidies",
        "青山旗困难残疾人生活补贴和重度残疾人护理补贴发放名册",
        columns,
        ctx.sort_persons_records(records),
        layout=Layout(
            meta="unit-date",
            totals="total",
            sum_keys=("living_subsidy", "nursing_subsidy", "subsidy_amount"),
            footer=(FOOTER_SIGN, FOOTER_STAMP),
        ),
    )
    return book("民政局", "残疾人两项补贴发放名册.xlsx", spec)


def _voters(ctx: Ctx) -> WorkbookSpec:
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("民族", "ethnicity"),
        col("出生日期", "birth_date"),
        col("身份证号码", "id_number"),
        col("现住址", "current_address"),
        col("户籍地址", "hukou_address"),
        local("选区", "district"),
        local("备注", "remark"),
    ]
    spec = form(
        "mz-voters",
        "选民登记表",
        columns,
        [],
        template=True,
        layout=Layout(meta="split"),
    )
    return book("民政局", "选民登记表.xls", spec)

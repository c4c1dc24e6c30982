"""人社局, 医保局 and 卫健委 forms: insurance, employment, health services."""

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
    dictionary,
    form,
    local,
    serial,
)

HUKOU_CODES = {"农业户口": "1", "非农业户口": "2"}


def workbooks(ctx: Ctx) -> list[WorkbookSpec]:
    return [
        _pension_book(ctx),
        _cert_list(ctx),
        _employment_difficulty(ctx),
        _migrant_workers(ctx),
        _public_posts(ctx),
        _graduates(ctx),
        _insured_roster(ctx),
        _unpaid(ctx),
        _medical_aid(ctx),
        _public_health_book(ctx),
        _child_health(ctx),
        _mental(ctx),
        _women(ctx),
        _special_family(ctx),
        _reward_family(ctx),
        _epidemic(ctx),
        _vaccination(ctx),
    ]


def _records(ctx: Ctx, table: dict[str, dict[str, object]]) -> list[Record]:
    return ctx.sort_persons_records(
        [ctx.person_record(ctx.pop.person(pid), dict(facts)) for pid, facts in table.items()]
    )


def _with_insurance(ctx: Ctx, records: list[Record]) -> list[Record]:
    for record in records:
        record.values |= {
            k: v
            for k, v in ctx.prog.insurance.get(record.keys["person"], {}).items()
            if k not in record.values or k == "social_security_no"
        }
    return records


def _pension_book(ctx: Ctx) -> WorkbookSpec:
    pensions = _with_insurance(
        ctx, ctx.in_towns(_records(ctx, ctx.prog.pension), {"红旗镇", "大营镇", "东河乡", "白音乡"})
    )
    for record in pensions:
        record.values["insurance_type"] = "城乡居民基本养老保险"
    pension_columns = [
        serial(),
        col("个人编号", "social_security_no"),
        col("姓名", "name"),
        col("性别", "sex"),
        col("身份证号码", "id_number", width=21),
        col("出生年月", "birth_date", f.YEAR_MONTH_COMPACT),
        col("待遇开始时间", "pension_start_date", f.YEAR_MONTH, source="start"),
        col("月养老金（元）", "pension_monthly", f.MONEY),
        col("开户银行", "bank_name"),
        col("社保卡银行账号", "account_no", width=22),
        col("所属村（社区）", "village"),
        col("联系电话", "phone", f.PHONE_NUMBER, width=14),
    ]
    rng = ctx.rng("insured")
    insured_people = [
        p
        for p in ctx.sort_persons(ctx.pop.persons)
        if 16 <= p.age() < 60
        and ctx.prog.insurance.get(p.id_number, {}).get("insurance_type") == "城乡居民基本医疗保险"
    ]
    insured = _with_insurance(
        ctx,
        [
            ctx.person_record(p)
            for p in sorted(rng.sample(insured_people, 160), key=insured_people.index)
        ],
    )
    for record in insured:
        record.values["insurance_type"] = "城乡居民基本养老保险"
        record.values["contribution_grade"] = rng.choice(("200", "300", "500", "1000"))
    insured_columns = [
        serial(),
        col("个人编号", "social_security_no"),
        col("姓名", "name"),
        col("身份证号", "id_number", width=21),
        col("险种", "insurance_type"),
        col("缴费档次（元）", "contribution_grade"),
        col("参保状态", "insured_status"),
        col("缴费年度", "insured_year"),
        col("村（社区）", "village"),
    ]
    return book(
        "人社局",
        "城乡居民养老保险名册.xlsx",
        form(
            "rs-pension-roster",
            "城乡居民基本养老保险待遇领取人员名册",
            pension_columns,
            pensions,
            sheet="待遇领取",
            layout=Layout(meta="unit-asof", totals="total", sum_keys=("pension_monthly",)),
        ),
        form(
            "rs-pension-insured",
            "城乡居民基本养老保险参保缴费名册",
            insured_columns,
            insured,
            sheet="参保缴费",
            layout=Layout(meta="unit-asof"),
        ),
    )


def _cert_list(ctx: Ctx) -> WorkbookSpec:
    records = ctx.in_towns(_records(ctx, ctx.prog.pension), {"红旗镇", "大营镇", "锦绣街道"})
    for record in records:
        record.values["status"] = "已认证" if record.values["certified"] else "未认证"
    columns = [
        col("姓名", "name"),
        col("身份证号码", "id_number"),
        local("认证方式", "cert_method"),
        local("认证状态", "status"),
        col("村(社区)", "village"),
        col("联系电话", "phone", f.PHONE_FLOAT_TEXT),
    ]
    spec = form(
        "rs-cert-list", "2026年度养老金领取资格认证名单", columns, records, layout=Layout(meta=None)
    )
    return book("人社局", "养老金领取资格认证名单.csv", spec, encoding="utf-8-sig")


def _employment_difficulty(ctx: Ctx) -> WorkbookSpec:
    table = {k: v for k, v in ctx.prog.employment.items() if v["employment_status"] == "失业"}
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("身份证号", "id_number", width=21),
        col("年龄", "age"),
        col("文化程度", "education"),
        local("就业困难类型", "difficulty"),
        col("失业登记日期", "unemployment_reg_date", f.DATE_SERIAL),
        col("就业意愿", "employment_intention", source="wish"),
        col("联系电话", "phone", width=14),
        col("居住地址", "current_address", width=34),
    ]
    spec = form(
        "rs-employment-difficulty",
        "就业困难人员认定登记表",
        columns,
        _records(ctx, table),
        layout=Layout(origin=(2, 2), meta="unit-date", footer=(FOOTER_SIGN,)),
    )
    return book("人社局", "就业困难人员登记表.xlsx", spec)


def _migrant_workers(ctx: Ctx) -> WorkbookSpec:
    table = {k: v for k, v in ctx.prog.employment.items() if v["employment_status"] == "外出务工"}
    columns = [
        serial(),
        col("乡镇", "town"),
        col("村", "village"),
        col("姓名", "name"),
        col("性别", "sex"),
        col("身份证号", "id_number", width=21),
        col("年龄", "age"),
        col("文化程度", "education"),
        col("务工地点", "migrant_destination"),
        col("务工单位", "work_unit"),
        col("从事岗位", "job_post"),
        col("月收入（元）", "monthly_income", f.MONEY),
        col("外出时间", "migrant_start_date", f.DATE_DOT, source="left_date"),
        col("联系电话", "phone", f.PHONE_SPACED, width=15),
    ]
    spec = form(
        "rs-migrant-workers",
        "青山旗农村牧区劳动力转移就业（外出务工）台账",
        columns,
        _records(ctx, table),
        layout=Layout(meta="unit-date", blank_rows=3, footer=(FOOTER_SIGN,)),
    )
    return book("人社局", "外出务工人员台账.xlsx", spec)


def _public_posts(ctx: Ctx) -> WorkbookSpec:
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("身份证号码", "id_number", width=21),
        col("岗位", "job_post"),
        col("用人单位", "work_unit", width=24),
        local("上岗时间", "start", f.DATE_CN),
        col("岗位补贴（元/月）", "monthly_income", f.MONEY),
        col("联系电话", "phone", width=14),
        col("银行卡号", "account_no", width=22),
    ]
    spec = form(
        "rs-public-posts",
        "公益性岗位人员花名册",
        columns,
        _records(ctx, ctx.prog.public_posts),
        layout=Layout(
            meta="unit-date",
            totals="total",
            sum_keys=("monthly_income",),
            footer=(FOOTER_SIGN, FOOTER_STAMP),
        ),
    )
    return book("人社局", "公益性岗位人员花名册.xls", spec)


def _graduates(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("graduates")
    persons = [
        p
        for p in ctx.sort_persons(ctx.pop.persons)
        if 21 <= p.age() <= 27
        and p.education in {"大学本科", "大学专科"}
        and p.household_no
        and not p.migrant_place
        and p.occupation in {"无业", "灵活就业"}
    ]
    records = []
    for person in persons:
        records.append(
            ctx.person_record(
                person,
                {
                    "college": rng.choice(
                        (
                            "内蒙古大学",
                            "内蒙古师范大学",
                            "内蒙古农业大学",
                            "集宁师范学院",
                            "内蒙古工业大学",
                            "包头职业技术学院",
                        )
                    ),
                    "major": rng.choice(
                        (
                            "会计学",
                            "汉语言文学",
                            "计算机科学与技术",
                            "畜牧兽医",
                            "护理",
                            "机电一体化",
                        )
                    ),
                    "graduated": f"{rng.choice((2024, 2025, 2026))}07",
                    "intent": rng.choice(("考公", "企业就业", "灵活就业", "待定")),
                },
            )
        )
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("身份证号", "id_number", width=21),
        col("毕业院校", "graduate_school", source="college"),
        col("所学专业", "major", source="major"),
        col("学历", "education"),
        col("毕业时间", "graduation_date", source="graduated"),
        col("就业意向", "employment_intention", source="intent"),
        col("联系电话", "phone", width=14),
    ]
    spec = form(
        "rs-graduates",
        "离校未就业高校毕业生实名台账",
        columns,
        records,
        layout=Layout(meta="unit-date"),
    )
    return book("人社局", "未就业高校毕业生台账.xlsx", spec)


def _insured_roster(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("medical")
    locals_ = [
        p
        for p in ctx.sort_persons(ctx.pop.persons)
        if ctx.prog.insurance.get(p.id_number, {}).get("insurance_type") == "城乡居民基本医疗保险"
    ]
    chosen = sorted(rng.sample(locals_, 300), key=locals_.index)
    records = _with_insurance(ctx, [ctx.person_record(p) for p in chosen])
    for record in records:
        record.values["hukou_place"] = str(record.values["admin_code"])[6:9] + "1"
        record.values["id_kind"] = "1"
    columns = [
        col("个人编号", "social_security_no"),
        col("姓名", "name"),
        col("身份证号", "id_number"),
        local("证件类型", "id_kind"),
        col("出生时间", "birth_date", f.DATE_ISO),
        col("性别", "sex", f.SEX_CODE),
        local("户口所在地", "hukou_place"),
        col("户口性质", "hukou_type", f.code_only(HUKOU_CODES)),
        col("参保状态", "insured_status"),
        col("缴费档次", "contribution_grade"),
    ]
    spec = form(
        "yb-insured-roster",
        "城乡居民医保参保人员花名册",
        columns,
        records,
        layout=Layout(title_rows=0, meta=None),
        duplicates=1,
    )
    return book(
        "医保局",
        "城乡居民医保参保人员花名册.xlsx",
        spec,
        dictionary(
            "代码表",
            {"性别": ["1", "2"], "户口性质": ["1农业", "2非农业"], "证件类型": ["1居民身份证"]},
        ),
    )


def _unpaid(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("unpaid")
    records = [
        ctx.person_record(
            ctx.pop.person(pid),
            {
                "reason": rng.choice(
                    (
                        "外出务工联系不上",
                        "经济困难",
                        "已在外地参保",
                        "本人不愿参保",
                        "重复参保待核实",
                    )
                )
            },
        )
        for pid, facts in ctx.prog.insurance.items()
        if not facts["paid"]
    ]
    columns = [
        serial(),
        col("姓名", "name"),
        col("身份证号码", "id_number", width=21),
        col("性别", "sex"),
        col("村（社区）", "village"),
        col("网格", "grid_name"),
        col("网格员", "grid_worker"),
        col("联系电话", "phone", width=14),
        local("未缴费原因", "reason"),
    ]
    spec = form(
        "yb-unpaid",
        "2026年度城乡居民医保未缴费人员清单",
        columns,
        ctx.sort_persons_records(records),
        layout=Layout(meta="unit-asof"),
    )
    return book("医保局", "未参保未缴费人员清单.xlsx", spec)


def _medical_aid(ctx: Ctx) -> WorkbookSpec:
    records = []
    for person in ctx.sort_persons(ctx.pop.persons):
        if not person.household_no:
            continue
        if "extreme_poverty" in person.tags:
            kind, amount = "特困人员", 400.0
        elif "low_income" in person.tags:
            kind, amount = "低保对象", 380.0
        else:
            continue
        records.append(
            ctx.person_record(
                person,
                {
                    "aid_kind": kind,
                    "subsidy_amount": amount,
                    "insurance_type": "城乡居民基本医疗保险",
                },
            )
        )
    columns = [
        serial(),
        col("姓名", "name"),
        col("身份证号", "id_number", width=21),
        col("资助类别", "subsidised_category", source="aid_kind"),
        col("资助金额（元）", "subsidy_amount", f.MONEY),
        col("参保险种", "insurance_type"),
        col("村（社区）", "village"),
    ]
    spec = form(
        "yb-medical-aid",
        "2026年度医疗救助资助参保人员名册",
        columns,
        records,
        layout=Layout(meta="unit-date", totals="total", sum_keys=("subsidy_amount",)),
    )
    return book("医保局", "医疗救助资助参保名册.xls", spec)


def _public_health_book(ctx: Ctx) -> WorkbookSpec:
    elderly = ctx.in_towns(
        _records(ctx, ctx.prog.health), {"新华街道", "红旗镇", "大营镇", "东河乡"}
    )
    for record in elderly:
        signing = ctx.prog.signing.get(record.keys["person"], {})
        record.values["family_doctor"] = signing.get("family_doctor", "")
    elderly_columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("出生日期", "birth_date", f.DATE_SERIAL),
        col("年龄", "age"),
        col("身份证号", "id_number", width=21),
        col("联系电话", "phone", width=14),
        col("现住址", "current_address", width=34),
        col("慢性病", "chronic_disease"),
        col("体检日期", "health_check_date", f.DATE_ISO, source="check_date"),
        col("自理能力", "self_care"),
        col("家庭医生", "family_doctor"),
    ]
    signed = ctx.in_towns(_records(ctx, ctx.prog.signing), {"白云街道", "红旗镇"})
    signing_columns = [
        serial(),
        col("签约居民姓名", "name"),
        col("性别", "sex"),
        col("身份证号码", "id_number", width=21),
        col("联系电话", "phone", width=14),
        col("签约医生", "family_doctor"),
        col("签约团队", "signing_team", source="team"),
        col("签约日期", "signing_date", f.DATE_SERIAL_CN),
        local("服务包", "package"),
        col("居住地址", "current_address", width=34),
    ]
    return book(
        "卫健委",
        "基本公共卫生服务台账.xlsx",
        form(
            "wj-elderly-health",
            "65岁及以上老年人健康管理名册",
            elderly_columns,
            elderly,
            sheet="老年人健康管理",
            layout=Layout(meta="unit-asof"),
        ),
        form(
            "wj-family-doctor",
            "家庭医生签约服务名册",
            signing_columns,
            signed,
            sheet="家庭医生签约",
            layout=Layout(meta="unit-asof", blank_rows=2),
        ),
        dictionary(
            "Sheet3",
            {
                "慢性病": ["高血压", "糖尿病", "冠心病", "慢阻肺"],
                "服务包": ["基础包", "老年人包", "慢病包", "残疾人包"],
            },
        ),
    )


def _child_health(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("child-health")
    records = []
    for person in ctx.sort_persons(ctx.pop.persons):
        if person.age() <= 6 and person.guardian_id:
            records.append(
                ctx.person_record(
                    person,
                    {
                        "filed": person.birth + dt.timedelta(days=rng.randrange(3, 30)),
                        "follow_ups": rng.randrange(1, 9),
                    },
                )
            )
    columns = [
        serial(),
        col("儿童姓名", "name"),
        col("性别", "sex"),
        col("出生日期", "birth_date", f.DATE_ISO),
        col("居民身份号码", "id_number", variant="unusual", width=21),
        col("监护人姓名", "guardian_name"),
        col("监护人电话", "guardian_phone", width=14),
        col("家庭住址", "current_address", width=34),
        local("建档日期", "filed", f.DATE_ISO),
        local("随访次数", "follow_ups"),
    ]
    spec = form(
        "wj-child-health",
        "0—6岁儿童健康管理名册",
        columns,
        records,
        layout=Layout(meta="unit-date"),
    )
    return book("卫健委", "0-6岁儿童健康管理名册.xlsx", spec)


def _mental(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("mental")
    records = []
    for pid, facts in ctx.prog.key_persons.items():
        if facts["key_group_category"] != "严重精神障碍患者":
            continue
        person = ctx.pop.person(pid)
        household = ctx.pop.household_of.get(pid)
        members = household.members if household else []
        carer = next((m for m in members if m is not person and m.age() >= 18), None)
        record = ctx.person_record(
            person,
            {
                "guardian_name": carer.name if carer else "",
                "guardian_phone": carer.phone if carer else "",
                "risk": str(rng.randrange(0, 4)),
                "managed": rng.choice(("规范管理", "规范管理", "失访", "住院")),
            },
        )
        if carer is not None:
            record.roles["guardian"] = carer.id_number
        records.append(record)
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("身份证号", "id_number", width=21),
        col("监护人", "guardian_name"),
        col("监护人电话", "guardian_phone", width=14),
        local("危险性评估等级", "risk"),
        local("管理状态", "managed"),
        col("家庭住址", "current_address", width=34),
    ]
    spec = form(
        "wj-mental",
        "严重精神障碍患者管理台账",
        columns,
        ctx.sort_persons_records(records),
        layout=Layout(meta="unit-date", footer=("注：本表为涉密台账，不得外传。",)),
    )
    return book("卫健委", "严重精神障碍患者管理台账.xls", spec)


def _women(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("women")
    records = []
    for person in ctx.sort_persons(ctx.pop.persons):
        household = ctx.pop.household_of.get(person.id_number)
        if (
            person.sex != "女"
            or not 15 <= person.age() <= 49
            or household is None
            or household.unit.town.name not in {"白云街道", "红旗镇", "东河乡"}
        ):
            continue
        children = [m for m in household.members if m.mother_id == person.id_number]
        spouse = next(
            (
                m
                for m in household.members
                if m.sex == "男"
                and person.relation in {"户主", "配偶"}
                and m.relation in {"户主", "配偶"}
                and m is not person
            ),
            None,
        )
        record = ctx.person_record(
            person,
            {
                "children": len(children),
                "contraception": rng.choice(("无", "上环", "药具", "其他")) if spouse else "",
                "spouse_name": spouse.name if spouse else "",
                "spouse_id_number": spouse.id_number if spouse else "",
            },
        )
        if spouse:
            record.roles["spouse"] = spouse.id_number
        records.append(record)
    columns = [
        serial(),
        col("姓名", "name"),
        col("出生日期", "birth_date", f.YEAR_MONTH_DOT),
        col("身份证号", "id_number", width=21),
        col("婚姻状况", "marital_status"),
        col("现有子女数", "children_count", source="children"),
        local("避孕措施", "contraception"),
        col("丈夫姓名", "spouse_name"),
        col("配偶身份证号", "spouse_id_number", width=21),
        col("联系电话", "phone", width=14),
        col("现住址", "current_address", width=34),
    ]
    spec = form(
        "wj-women",
        "育龄妇女信息登记表",
        columns,
        records,
        layout=Layout(meta="unit-date", blank_rows=2),
    )
    return book("卫健委", "育龄妇女信息登记表.xlsx", spec)


def _special_family(ctx: Ctx) -> WorkbookSpec:
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("身份证号码", "id_number", width=21),
        col("扶助类别", "family_planning_type", source="kind"),
        col("独生子女证号", "only_child_cert_no", width=20),
        col("扶助标准（元/月）", "subsidy_standard", f.MONEY),
        col("开户银行", "bank_name"),
        col("银行账号", "account_no", width=22),
        col("联系电话", "phone", width=14),
    ]
    spec = form(
        "wj-special-family",
        "计划生育特殊家庭扶助对象名册",
        columns,
        _records(ctx, ctx.prog.special_family),
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN, FOOTER_STAMP)),
    )
    return book("卫健委", "计生特殊家庭扶助名册.xlsx", spec)


def _reward_family(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("reward")
    candidates = [
        p
        for p in ctx.sort_persons(ctx.pop.persons)
        if p.age() >= 60 and p.household_no and p.house is not None and not p.house.urban
    ]
    chosen = sorted(rng.sample(candidates, 45), key=candidates.index)
    records = [ctx.person_record(p, {"subsidy_amount": 960.0}) for p in chosen]
    columns = [
        serial(),
        col("姓名", "name"),
        col("身份证号", "id_number", width=21),
        col("出生年月", "birth_date", f.YEAR_MONTH_DOT),
        col("奖扶金额（元/年）", "subsidy_amount", f.MONEY),
        col("银行账号", "account_no", width=22),
        col("村", "village"),
    ]
    spec = form(
        "wj-reward-family",
        "农村部分计划生育家庭奖励扶助对象名册",
        columns,
        records,
        layout=Layout(meta="unit-date", totals="total", sum_keys=("subsidy_amount",)),
    )
    return book("卫健委", "农村计生家庭奖励扶助名册.xls", spec)


def _community(ctx: Ctx, name: str) -> list[Record]:
    return [
        ctx.person_record(p)
        for p in ctx.sort_persons(ctx.pop.persons)
        if p.house is not None and p.house.unit.name == name and not p.migrant_place
    ]


def _epidemic(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("epidemic")
    records = _community(ctx, "和平社区")
    for record in records:
        record.values["vaccination_status"] = rng.choices(
            ("已全程接种", "部分接种", "未接种"), weights=(80, 12, 8)
        )[0]
        record.values["temperature"] = round(rng.uniform(36.1, 36.9), 1)
    columns = [
        col("姓名", "name"),
        col("身份证号", "id_number", f.ID_NUMERIC),
        col("住址", "current_address"),
        col("电话", "phone"),
        col("疫苗接种情况", "vaccination_status"),
        local("体温", "temperature"),
    ]
    spec = form("wj-epidemic", "和平社区居民信息登记表", columns, records, layout=Layout(meta=None))
    return book("卫健委", "疫情排查居民信息登记表.csv", spec, encoding="gbk")


def _vaccination(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("vaccination")
    records = [
        r
        for r in _community(ctx, "东沟村") + _community(ctx, "乌兰嘎查")
        if int(str(r.values["age"])) >= 60
    ]
    for record in records:
        status = rng.choices(
            ("已全程接种", "部分接种", "未接种", "禁忌症"), weights=(70, 12, 12, 6)
        )[0]
        record.values["vaccination_status"] = status
        record.values["why_not"] = (
            rng.choice(("行动不便", "担心副作用", "外出")) if (status == "未接种") else ""
        )
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("年龄", "age"),
        col("身份证号", "id_number", f.ID_NUMERIC),
        col("联系电话", "phone", f.PHONE_NUMBER),
        col("接种情况", "vaccination_status"),
        local("未接种原因", "why_not"),
        col("所在网格", "grid_name"),
    ]
    spec = form(
        "wj-vaccination",
        "60岁以上老年人疫苗接种摸排表",
        columns,
        records,
        layout=Layout(meta="unit-date"),
    )
    return book("卫健委", "疫苗接种摸排表.xlsx", spec)

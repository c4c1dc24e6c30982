"""退役军人事务局 and 残联 forms: veterans, import templates, disabled persons."""

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

EMPLOYMENT = {
    "农牧民": "务农",
    "个体经营": "自主创业",
    "企业职工": "单位就业",
    "灵活就业": "灵活就业",
    "机关事业单位": "单位就业",
    "无业": "失业",
    "离退休": "离退休",
    "网格员": "单位就业",
    "建筑工人": "灵活就业",
}
HOUSE_PROPERTY = {"自住": "自有住房", "租住": "租赁住房", "寄住": "借住"}


def workbooks(ctx: Ctx) -> list[WorkbookSpec]:
    return [
        _veteran_info(ctx),
        _disabled_import(ctx),
        _special_templates(ctx),
        _honor_plaque(ctx),
        _family_allowance(ctx),
        _conscription(ctx),
        _veteran_roster(ctx),
        _disabled_basic(ctx),
        _rehab_survey(ctx),
        _welfare_employees(ctx),
        _care_difficult(ctx),
        _dynamic_update(ctx),
    ]


def _veteran_records(ctx: Ctx, category: str | None = None) -> list[Record]:
    records = []
    for pid, facts in ctx.prog.veterans.items():
        if category and facts["veteran_category"] != category:
            continue
        records.append(ctx.person_record(ctx.pop.person(pid), dict(facts)))
    return ctx.sort_persons_records(records)


def _veteran_info(ctx: Ctx) -> WorkbookSpec:
    columns = [
        serial(),
        *grouped(
            "基本信息",
            [
                col("姓名", "name"),
                col("性别", "sex"),
                col("民族", "ethnicity"),
                col("出生日期", "birth_date", f.DATE_SERIAL),
                col("身份证\n号码", "id_number", width=21),
                col("政治面貌", "political_status"),
                col("文化程度", "education"),
            ],
        ),
        *grouped(
            "服役信息",
            [
                col("入伍时间", "enlist_date", f.YEAR_MONTH),
                col("退役时间", "discharge_date", f.YEAR_MONTH),
                col("军种", "military_branch"),
                col("退役时军衔", "military_rank"),
                col("部队代号", "unit_code"),
            ],
        ),
        *grouped(
            "联系方式",
            [col("手机号码", "phone", width=14), col("现居住地址", "current_address", width=34)],
        ),
        col("对象类别", "veteran_category"),
        col("是否悬挂光荣牌", "honor_plaque", f.YES_NO),
    ]
    spec = form(
        "tv-veteran-info",
        "退役军人和其他优抚对象信息采集表",
        columns,
        _veteran_records(ctx),
        layout=Layout(meta="unit-date", blank_rows=1, footer=(FOOTER_SIGN,)),
        duplicates=1,
    )
    return book("退役军人事务局", "退役军人信息采集表.xlsx", spec)


def _person_block(prefix: str) -> list:  # type: ignore[type-arg]
    """The shared block of the 优抚 import templates, with the role-prefixed ID column."""
    return [
        col(f"{prefix}身份证号*", "id_number", width=21),
        col("姓名*", "name"),
        col("出生日期*", "birth_date", f.DATE_ISO),
        col("民族*", "ethnicity", f.ETHNICITY_CODE_LABEL),
        col("性别*", "sex", f.SEX_CODE_LABEL),
        col("与户主关系*", "relation_to_head", f.code_label(codes.RELATION_CODES)),
        col("户籍类别*", "hukou_type"),
        col("户口薄行政区划代码*", "hukou_admin_code", source="admin_code", width=15),
        col("户口簿住址", "hukou_address", width=34),
        col("实际居住地行政区划代码*", "current_admin_code", source="live_admin_code"),
        col("实际居住地址", "current_address", width=34),
        col("医疗保障方式*", "medical_security_mode", source="medical"),
        col("医疗保险号", "social_security_no"),
        col("养老保障方式", "pension_security_mode", source="pension_kind"),
        col("联系方式(手机)", "phone", width=14),
        col("其他联系方式", "other_phone"),
        col("婚姻状况", "marital_status", f.code_label(codes.MARITAL_CODES)),
        col("文化程度", "education", f.code_label(codes.EDUCATION_CODES)),
        col("健康状况", "health_status", f.code_label(codes.HEALTH_CODES)),
        col("政治面貌", "political_status", f.code_label(codes.POLITICAL_CODES)),
        col("就业状况", "employment_status"),
        col("住房性质", "house_property"),
        col("住房结构", "house_structure"),
        col("住房面积", "house_area"),
        col("家庭人口数*", "household_size"),
    ]


def _import_values(ctx: Ctx, record: Record) -> None:
    person = ctx.pop.person(record.keys["person"])
    insurance = ctx.prog.insurance.get(person.id_number, {})
    record.values |= {
        "live_admin_code": person.house.unit.code if person.house else "",
        "medical": "城乡居民基本医疗保险"
        if insurance.get("insurance_type") == "城乡居民基本医疗保险"
        else "城镇职工基本医疗保险",
        "social_security_no": insurance.get("social_security_no", ""),
        "pension_kind": "城乡居民基本养老保险" if person.age() >= 60 else "",
        "employment_status": EMPLOYMENT.get(person.occupation, ""),
        "house_property": HOUSE_PROPERTY[person.residence_type],
        "house_structure": person.house.structure if person.house else "",
        "house_area": person.house.area if person.house else None,
    }


def _disabled_import(ctx: Ctx) -> WorkbookSpec:
    records = _veteran_records(ctx, "伤残军人")
    for record in records:
        _import_values(ctx, record)
        record.values["disability_kind"] = "伤残军人"
        record.values["disabled_date"] = record.values["discharge_date"]
    columns = [
        *_person_block("伤残"),
        local("伤残类别*", "disability_kind"),
        col("伤残等级*", "disability_grade_military"),
        col("伤残性质*", "disability_nature", source="disability_nature"),
        col("致残时间", "disability_date", f.DATE_ISO, source="disabled_date"),
        col("致残原因", "disability_cause", source="disability_cause"),
        col("伤残证号", "pension_cert_no"),
        col("开户银行*", "bank_name"),
        col("开户名称*", "account_name"),
        col("银行账号*", "account_no", width=22),
    ]
    spec = form(
        "tv-disabled-import",
        "伤残人员信息导入模板",
        columns,
        records,
        sheet="伤残人员",
        layout=Layout(title_rows=0, meta=None),
    )
    return book(
        "退役军人事务局",
        "伤残人员信息导入模板.xls",
        spec,
        instructions(
            "导入说明",
            "1. 带“*”的列为必填项，请勿修改表头、请勿增删列。",
            "2. 日期格式为yyyy-MM-dd，如2001-12-01。",
            "3. 行政区划代码填写12位统计用区划代码。",
            "4. 民族、性别等代码项请从下拉列表选择，如“01-汉族”“1-男”。",
            "5. 每次导入不超过3000行，以乡镇（街道）为单位导入。",
            name="填表说明",
        ),
        dictionary(
            "字典",
            {
                "民族": [f"{code}-{name}" for name, code in codes.ETHNICITY_CODES.items()],
                "性别": ["1-男", "2-女"],
                "伤残等级": [
                    "一级",
                    "二级",
                    "三级",
                    "四级",
                    "五级",
                    "六级",
                    "七级",
                    "八级",
                    "九级",
                    "十级",
                ],
                "伤残性质": ["因战", "因公", "因病"],
            },
        ),
    )


def _special_templates(ctx: Ctx) -> WorkbookSpec:
    martyr_columns = [
        col("三属人员身份证号*", "id_number"),
        col("姓名*", "name"),
        col("出生日期*", "birth_date"),
        col("民族*", "ethnicity"),
        col("性别*", "sex"),
        col("牺牲者姓名*", "martyr_name", source="martyr"),
        col("与牺牲病故军人关系*", "relation_to_martyr", source="martyr_relation"),
        col("定期抚恤证编号", "pension_cert_no"),
        col("户籍类别*", "hukou_type"),
        col("实际居住地址", "current_address"),
        col("联系方式(手机)", "phone"),
        col("开户银行*", "bank_name"),
        col("开户名称*", "account_name"),
        col("银行账号*", "account_no"),
    ]
    rural = _veteran_records(ctx, "60岁以上农村籍退役士兵")
    for record in rural:
        _import_values(ctx, record)
    rural_columns = [
        col("退役士兵身份证号*", "id_number", width=21),
        col("姓名*", "name"),
        col("性别*", "sex", f.SEX_CODE_LABEL),
        col("出生日期*", "birth_date", f.DATE_ISO),
        col("入伍时间*", "enlist_date", f.DATE_ISO),
        col("退伍时间*", "discharge_date", f.DATE_ISO),
        col("户籍类别*", "hukou_type"),
        col("实际居住地址", "current_address", width=34),
        col("联系方式(手机)", "phone", width=14),
        col("开户银行*", "bank_name"),
        col("开户名称*", "account_name"),
        col("银行账号*", "account_no", width=22),
    ]
    fighter_columns = [
        col("参战人员身份证号*", "id_number"),
        col("姓名*", "name"),
        col("性别*", "sex"),
        col("出生日期*", "birth_date"),
        col("入伍时间*", "enlist_date"),
        col("退伍时间*", "discharge_date"),
        col("参战类别*", "war_category", source="war"),
        col("部队代号", "unit_code"),
        col("实际居住地址", "current_address"),
        col("联系方式(手机)", "phone"),
    ]
    layout = Layout(title_rows=0, meta=None)
    return book(
        "退役军人事务局",
        "优抚对象导入模板.xlsx",
        form(
            "tv-martyr-family",
            "三属人员导入模板",
            martyr_columns,
            [],
            sheet="三属",
            template=True,
            layout=layout,
        ),
        form(
            "tv-rural-60",
            "60岁以上农村籍退役士兵导入模板",
            rural_columns,
            rural,
            sheet="60岁农村退役士兵",
            layout=layout,
        ),
        form(
            "tv-participated",
            "参战退役人员导入模板",
            fighter_columns,
            [],
            sheet="参战",
            template=True,
            layout=layout,
        ),
        instructions(
            "1. 本模板各工作表的表头不得修改，带*号的为必填项。",
            "2. 日期一律按yyyy-MM-dd填写。",
        ),
    )


def _honor_plaque(ctx: Ctx) -> WorkbookSpec:
    records = _veteran_records(ctx)
    for number, facts in ctx.prog.serving.items():
        household = ctx.households_of([number])[0]
        records.append(
            ctx.household_record(
                household,
                {"veteran_category": "现役军人家属", "plaque_date": facts["enlist_date"]},
            )
        )
    rng = ctx.rng("plaque")
    for record in records:
        record.values["hanger"] = rng.choice(("旗退役军人事务局", "乡镇退役军人服务站", "村服务站"))
    columns = [
        serial(),
        col("乡镇（街道）", "town"),
        col("村（社区）", "village"),
        col("姓名", "name"),
        col("身份证号", "id_number", width=21),
        col("优抚对象类别", "veteran_category"),
        col("户主姓名", "head_name"),
        col("家庭住址", "current_address", width=34),
        col("联系电话", "phone", width=14),
        local("悬挂时间", "plaque_date", f.DATE_DOT),
        local("悬挂单位", "hanger"),
        local("备注", "remark"),
    ]
    spec = form(
        "tv-honor-plaque",
        "光荣牌悬挂登记表",
        columns,
        ctx.sort_persons_records(records),
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN,)),
    )
    return book("退役军人事务局", "光荣牌悬挂登记表.xlsx", spec)


def _family_allowance(ctx: Ctx) -> WorkbookSpec:
    records = []
    for number, facts in ctx.prog.serving.items():
        household = ctx.households_of([number])[0]
        soldier = ctx.pop.person(str(facts["soldier"]))
        records.append(
            ctx.household_record(
                household,
                {
                    "soldier": soldier.name,
                    "enlist": facts["enlist_date"],
                    "subsidy_standard": facts["allowance"],
                },
            )
        )
    columns = [
        serial(),
        col("户主姓名", "head_name"),
        col("身份证号码", "id_number", width=21),
        local("军人姓名", "soldier"),
        local("入伍时间", "enlist", f.YEAR_MONTH_CN),
        col("优待金标准（元/年）", "subsidy_standard", f.MONEY),
        col("开户银行", "bank_name"),
        col("银行账号", "account_no", width=22),
        col("联系电话", "phone", width=14),
    ]
    spec = form(
        "tv-family-allowance",
        "2026年度义务兵家庭优待金发放名册",
        columns,
        ctx.sort_persons_records(records),
        layout=Layout(
            origin=(1, 1),
            meta="unit-date",
            totals="total",
            sum_keys=("subsidy_standard",),
            footer=(FOOTER_STAMP,),
        ),
    )
    return book("退役军人事务局", "军属优待金发放名册.xlsx", spec)


def _conscription(ctx: Ctx) -> WorkbookSpec:
    persons = [
        p
        for p in ctx.sort_persons(ctx.pop.persons)
        if p.sex == "男" and 18 <= p.age() <= 22 and p.household_no
    ]
    records = [
        ctx.person_record(p, {"student": "是" if p.education in {"大学本科", "大学专科"} else "否"})
        for p in persons
    ]
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("民族", "ethnicity"),
        col("出生日期", "birth_date", f.DATE_DOT),
        col("身份证号", "id_number", width=21),
        col("文化程度", "education"),
        col("政治面貌", "political_status"),
        col("户籍地", "hukou_address", width=34),
        col("联系电话", "phone", width=14),
        local("是否在校", "student"),
    ]
    spec = form(
        "tv-conscription",
        "2026年度适龄青年兵役登记名册",
        columns,
        records,
        layout=Layout(meta="unit-date"),
    )
    return book("退役军人事务局", "适龄青年兵役登记名册.xls", spec)


def _veteran_roster(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("roster")
    records = []
    for record in _veteran_records(ctx):
        discharge = record.values["discharge_date"]
        if getattr(discharge, "year", 0) >= 2012:
            record.values["year"] = getattr(discharge, "year", "")
            record.values["whereabouts"] = rng.choice(("自主就业", "安排工作", "退休", "自主就业"))
            records.append(record)
    columns = [
        local("年度", "year"),
        col("姓名", "name"),
        col("性别", "sex"),
        col("民族", "ethnicity"),
        col("籍贯性质", "hukou_type"),
        col("生日", "birth_date", f.DATE_SLASH),
        col("学历", "education"),
        col("政治面貌", "political_status"),
        col("去向", "placement_mode", source="whereabouts"),
        col("军种", "military_branch"),
        col("入伍时间", "enlist_date", f.DATE_SLASH),
        col("退伍时间", "discharge_date", f.DATE_SLASH),
        col("军衔", "military_rank"),
    ]
    spec = form(
        "tv-veteran-roster",
        "退伍军人名册",
        columns,
        records,
        layout=Layout(meta=None),
    )
    return book("退役军人事务局", "退伍军人名册.xls", spec)


# ---- 残联 ---------------------------------------------------------------------------------------
def _disabled_records(ctx: Ctx) -> list[Record]:
    return ctx.sort_persons_records(
        [
            ctx.person_record(ctx.pop.person(pid), dict(facts))
            for pid, facts in ctx.prog.disabled.items()
        ]
    )


def _disabled_basic(ctx: Ctx) -> WorkbookSpec:
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("民族", "ethnicity", f.ETHNICITY_SHORT),
        col("出生日期", "birth_date", f.DATE_SERIAL_SLASH),
        col("身份证号码", "id_number", width=21),
        col("残疾证号", "disability_cert_no", width=23),
        col("残疾类别", "disability_category"),
        col("残疾等级", "disability_level"),
        col("监护人姓名", "guardian_name"),
        col("联系电话", "phone", width=14),
        col("现住址", "current_address", width=34),
        col("康复需求", "rehab_need"),
        col("就业需求", "disability_employment_need", source="employment_need"),
        col("是否低保", "is_low_income", f.YES_NO),
    ]
    spec = form(
        "cl-disabled-basic",
        "青山旗持证残疾人基本信息台账",
        columns,
        _disabled_records(ctx),
        layout=Layout(meta="unit-asof", blank_rows=2, footer=(FOOTER_SIGN,)),
        duplicates=1,
    )
    return book("残联", "残疾人基本信息台账.xlsx", spec)


def _rehab_survey(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("rehab")
    records = _disabled_records(ctx)
    for record in records:
        record.values["device"] = rng.choice(("轮椅", "助听器", "助行器", "无", "无", "盲杖"))
        record.values["survey_date"] = ctx.day(rng, 9, 1, 10, 30)
        record.values["surveyor"] = record.values["grid_worker"]
    columns = [
        col("姓名", "name"),
        col("身份证号", "id_number"),
        col("残疾类别", "disability_category"),
        col("残疾等级", "disability_level"),
        col("康复需求", "rehab_need"),
        col("需求辅具", "assistive_device_need", source="device"),
        local("调查日期", "survey_date", f.DATE_COMPACT),
        local("调查人", "surveyor"),
    ]
    spec = form(
        "cl-rehab-survey",
        "残疾人精准康复服务需求调查表",
        columns,
        records,
        layout=Layout(meta=None),
    )
    return book("残联", "精准康复需求调查表.csv", spec, encoding="utf-8-sig")


def _welfare_employees(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("welfare")
    enterprises = [o for o in ctx.pop.organisations if o.kind == "企业"]
    records = []
    for record in _disabled_records(ctx):
        person = ctx.pop.person(record.keys["person"])
        if 18 <= person.age() < 60 and record.values["disability_level"] in {"三级", "四级"}:
            record.values |= {
                "work_unit": rng.choice(enterprises).name,
                "hired": ctx.day(rng, 1, 1, 12, 31, year=rng.randrange(2015, 2026)),
                "wage": float(rng.randrange(30, 60) * 1000),
                "insurance_paid": float(rng.randrange(6, 14) * 1000),
            }
            records.append(record)
    columns = [
        col("姓名", "name"),
        col("身份证号", "id_number", width=21),
        col("性别", "sex", f.SEX_CODE_LABEL),
        col("联系电话", "phone", width=14),
        col("家庭住址", "current_address", width=34),
        col("残疾类别", "disability_category", f.code_label(codes.DISABILITY_CATEGORIES)),
        col("残疾等级", "disability_level", f.code_label(codes.DISABILITY_LEVELS)),
        col("文化程度", "education", f.code_label(codes.EDUCATION_CODES)),
        col("工作单位", "work_unit", width=28),
        local("入厂时间", "hired", f.DATE_ISO),
        local("实发工资(元/年)", "wage", f.MONEY),
        local("社保各险(元/年)", "insurance_paid", f.MONEY),
    ]
    spec = form(
        "cl-welfare-employees",
        "福利企业残疾职工名册",
        columns,
        records,
        layout=Layout(meta="unit-date", footer=(FOOTER_STAMP,)),
    )
    return book("残联", "福利企业残疾职工名册.xlsx", spec)


def _care_difficult(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("care")
    records = []
    for record in _disabled_records(ctx):
        if record.values["is_low_income"] or record.values["disability_level"] in {"一级", "二级"}:
            record.values["need"] = rng.choice(
                ("生活救助", "康复服务", "护理照料", "无障碍改造", "就业帮扶")
            )
            record.values["monthly_income"] = float(rng.randrange(3, 20) * 100)
            records.append(record)
    columns = [
        serial(),
        col("姓名", "name"),
        col("残疾人证号", "disability_cert_no", width=23),
        col("残疾类别", "disability_category"),
        col("等级", "disability_level"),
        col("家庭人口", "household_size"),
        col("月收入(元)", "monthly_income", f.MONEY),
        local("帮扶需求", "need"),
        col("联系方式(手机)", "phone", width=14),
        col("家庭住址", "current_address", width=34),
    ]
    spec = form(
        "cl-care-difficult",
        "困难残疾人关爱帮扶情况表",
        columns,
        records,
        layout=Layout(meta="split", footer=(FOOTER_SIGN,)),
    )
    return book("残联", "困难残疾人关爱表.xls", spec)


def _dynamic_update(ctx: Ctx) -> WorkbookSpec:
    columns = [
        serial(),
        *grouped(
            "基本情况",
            [
                col("姓名", "name"),
                col("公民身份号码", "id_number"),
                col("残疾证号", "disability_cert_no"),
                col("残疾类别", "disability_category"),
                col("残疾等级", "disability_level"),
            ],
        ),
        *grouped(
            "基本服务状况",
            [
                col("是否享受低保", "is_low_income", source="dibao"),
                col("是否参加医保", "is_medical_insured", source="medical"),
                local("是否享受两项补贴", "two_subsidies"),
                local("是否接受康复服务", "rehab"),
            ],
        ),
        *grouped(
            "需求情况",
            [
                col("康复需求", "rehab_need"),
                col("就业需求", "disability_employment_need", source="employment_need"),
                local("托养需求", "care_need"),
            ],
        ),
    ]
    spec = form(
        "cl-dynamic-update",
        "残疾人基本服务状况和需求信息动态更新表",
        columns,
        [],
        template=True,
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN, FOOTER_STAMP)),
    )
    return book("残联", "残疾人需求动态更新表.xlsx", spec)

"""公安局, 综治中心, 司法局, 信访局, 应急管理局 and 住建局 forms: people, houses, events."""

from __future__ import annotations

from collections.abc import Mapping

from .. import formats as f
from ..model import Layout, Record, WorkbookSpec
from ..population import House
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

HOUSE_USE = {"自住": "自住", "出租": "出租", "空置": "闲置"}
PROPERTY = {"自住": "自有住房", "出租": "自有住房", "空置": "自有住房"}


def workbooks(ctx: Ctx) -> list[WorkbookSpec]:
    return [
        _residence_registration(ctx),
        _rentals(ctx),
        _real_houses(ctx),
        _real_population(ctx),
        _split_households(ctx),
        _foreigners(ctx),
        _key_persons(ctx),
        _disputes(ctx),
        _grid_workers(ctx),
        _grid_basic(ctx),
        _hotline(ctx),
        _released(ctx),
        _correction(ctx),
        _mediation(ctx),
        _petitions(ctx),
        _key_petitioners(ctx),
        _flood(ctx),
        _disaster(ctx),
        _hazards(ctx),
        _shelters_and_supplies(ctx),
        _dangerous_houses(ctx),
        _self_built(ctx),
        _public_rental(ctx),
        _old_compounds(ctx),
    ]


def _house_record(ctx: Ctx, house: House, extra: dict[str, object]) -> Record:
    owner = ctx.pop.by_id.get(house.owner_id)
    values: dict[str, object] = {
        "house_code": house.code,
        "house_address": house.address,
        "grid_name": house.grid.name,
        "house_structure": house.structure,
        "house_area": house.area,
        "house_use": HOUSE_USE[house.use],
        "house_property": PROPERTY[house.use],
        "build_year": house.built_year,
        "danger_level": f"{house.danger_level}级" if house.danger_level else "",
        "town": house.unit.town.name,
        "village": house.unit.name,
        "owner_name": owner.name if owner else "",
        "owner_phone": owner.phone if owner else "",
        "floors": house.floors,
        "occupants": sum(1 for p in ctx.pop.persons if p.house is house),
    }
    keys = {"house": house.code}
    return Record(keys=keys, values=values | extra, group=house.unit.name)


def _residence_registration(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("residence")
    employers = [o.name for o in ctx.pop.organisations if o.kind in {"企业", "个体工商户"}]
    records = []
    for pid, facts in ctx.prog.floating.items():
        person = ctx.pop.person(pid)
        house = person.house
        assert house is not None
        family = [p for p in ctx.pop.persons if p.house is house and "floating" in p.tags]
        head = family[0]
        other = next((p for p in family if p is not person and p.phone), None)
        relation = "本人" if head is person else ("配偶" if person.age() >= 18 else "子女")
        landlord = ctx.pop.by_id.get(house.owner_id)
        record = ctx.person_record(
            person,
            dict(facts)
            | {
                "business": "入住",
                "hukou_kind": "外省" if not pid.startswith("15") else "区内外盟市",
                "work_unit": rng.choice(employers) if person.age() >= 18 else "",
                "head_name": head.name,
                "head_id_number": head.id_number,
                "relation_to_head": relation,
                "emergency_phone": other.phone if other else "",
                "declarant": landlord.name if landlord else "",
            },
        )
        record.roles["head"] = head.id_number
        records.append(record)
    columns = [
        serial(),
        col("房屋地址", "house_address", width=34),
        col("房屋编码", "house_code", width=18),
        col("申报业务类型", "declare_type", source="business"),
        col("入住时间", "move_in_date", f.DATE_ISO),
        col("姓名", "name"),
        col("身份证件种类", "id_type"),
        col("证件号码", "id_number", width=21),
        local("户籍地址类型", "hukou_kind"),
        col("户籍地址", "hukou_address", width=34),
        col("职业", "occupation"),
        col("服务处所", "work_unit", width=24),
        col("来本地事由", "arrival_reason"),
        col("户主姓名", "head_name"),
        col("户主证件号码", "head_id_number", width=21),
        col("与户主关系", "relation_to_head"),
        col("联系电话", "phone", width=14),
        col("紧急联系电话", "emergency_phone", width=14),
        local("申报义务人", "declarant"),
    ]
    spec = form(
        "ga-residence-registration",
        "流动人口居住登记表",
        columns,
        ctx.sort_persons_records(records),
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN,)),
        duplicates=1,
    )
    return book("公安局", "居住登记流动人口表.xlsx", spec)


def _rentals(ctx: Ctx) -> WorkbookSpec:
    records = []
    for house in ctx.pop.houses:
        facts = ctx.prog.rentals.get(house.code)
        if not facts:
            continue
        landlord = ctx.pop.person(house.owner_id)
        tenant = ctx.pop.person(str(facts["tenant"]))
        record = _house_record(
            ctx,
            house,
            dict(facts)
            | {
                "landlord_name": landlord.name,
                "landlord_id_number": landlord.id_number,
                "landlord_current_address": landlord.current_address,
                "landlord_phone": landlord.phone,
                "tenant_name": tenant.name,
                "tenant_id_kind": "居民身份证",
                "tenant_id_number": tenant.id_number,
                "tenant_phone": tenant.phone,
                "illegal": "是" if facts["illegal_building"] else "否",
            },
        )
        record.roles = {"landlord": landlord.id_number, "tenant": tenant.id_number}
        records.append(record)
    columns = [
        serial(),
        *grouped(
            "房屋信息",
            [
                col("房屋编码", "house_code", width=18),
                col("房屋地址", "house_address", width=34),
                col("出租用途", "rental_use"),
                col("月租金（元）", "monthly_rent", f.MONEY),
                col("是否违规搭建", "is_illegal_build", source="illegal"),
            ],
        ),
        *grouped(
            "出租人",
            [
                col("姓名", "landlord_name"),
                col("身份证件号码", "landlord_id_number", width=21),
                col("现住址", "landlord_current_address", width=34),
                col("联系电话", "landlord_phone", width=14),
            ],
        ),
        *grouped(
            "承租人",
            [
                col("姓名", "tenant_name"),
                local("身份证件类型", "tenant_id_kind"),
                col("证件号码", "tenant_id_number", width=21),
                col("联系电话", "tenant_phone", width=14),
            ],
        ),
        *grouped(
            "租赁期限",
            [
                col("起租日期", "lease_start", f.DATE_SERIAL),
                col("到期日期", "lease_end", f.DATE_SERIAL),
            ],
        ),
    ]
    spec = form(
        "ga-rental-houses",
        "出租房屋登记表",
        columns,
        sorted(records, key=lambda r: r.keys["house"]),
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN,)),
    )
    return book("公安局", "出租房屋登记表.xlsx", spec)


def _real_houses(ctx: Ctx) -> WorkbookSpec:
    houses = [h for h in ctx.pop.houses if h.unit.town.name in {"新华街道", "大营镇"}]
    records = [_house_record(ctx, h, {}) for h in houses]
    columns = [
        serial(),
        col("房屋编码", "house_code", width=18),
        col("房屋地址", "house_address", width=34),
        col("所属网格", "grid_name"),
        col("房屋结构", "house_structure"),
        col("建筑面积(㎡)", "house_area"),
        col("房屋用途", "house_use"),
        col("建成年份", "build_year"),
        col("产权人姓名", "owner_name", source="owner_name"),
        col("产权人电话", "owner_phone", source="owner_phone"),
        local("居住人数", "occupants"),
        col("住房性质", "house_property"),
    ]
    spec = form(
        "ga-real-houses", "实有房屋信息采集表", columns, records, layout=Layout(meta="unit-asof")
    )
    return book("公安局", "实有房屋信息采集表.xlsx", spec)


def _real_population(ctx: Ctx) -> WorkbookSpec:
    names = {"文化社区", "南梁村", "巴音嘎查"}
    persons = [
        p
        for p in ctx.sort_persons(ctx.pop.persons)
        if p.house is not None and p.house.unit.name in names and not p.migrant_place
    ]
    records = [ctx.person_record(p, {"former_name": ""}) for p in persons]
    columns = [
        serial(),
        col("姓名", "name"),
        col("曾用名", "former_name", source="former_name"),
        col("性别", "sex"),
        col("民族", "ethnicity"),
        col("出生日期", "birth_date", f.DATE_SERIAL),
        col("公民身份号码", "id_number", width=21),
        col("户籍地址", "hukou_address", width=34),
        col("现住址", "current_address", width=34),
        col("居住类型", "residence_type"),
        col("房屋编码", "house_code", width=18),
        col("与户主关系", "relation_to_head"),
        col("户号", "household_no"),
        col("联系电话", "phone", width=14),
        col("文化程度", "education"),
        col("婚姻状况", "marital_status"),
        col("政治面貌", "political_status"),
        col("职业", "occupation"),
    ]
    spec = form(
        "ga-real-population",
        "实有人口信息登记表",
        columns,
        records,
        layout=Layout(meta="unit-asof", blank_rows=2),
        duplicates=2,
    )
    return book("公安局", "实有人口登记表.xlsx", spec)


def _split_households(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("split")
    records = []
    for household in ctx.pop.households:
        if not {"split_registration", "hollow_registration"} & set(household.tags):
            continue
        for member in household.members:
            hollow = "hollow_registration" in household.tags
            records.append(
                ctx.person_record(
                    member,
                    {
                        "why": rng.choice(("购房未迁户", "子女上学", "外出务工", "挂靠亲属"))
                        if hollow or member.migrant_place or "split_registration" in household.tags
                        else "",
                        "permit": rng.choice(("已办理", "未办理", "办理中")),
                        "checker": rng.choice(("户籍民警", "网格员", "社区民警")),
                    },
                )
            )
    columns = [
        serial(),
        col("姓名", "name"),
        col("身份证号", "id_number", width=21),
        col("户籍地址", "hukou_address", width=34),
        col("实际居住地址", "current_address", width=34),
        col("是否人户分离", "is_separated_household", f.YES_NO),
        col("是否空挂户", "is_nominal_household", f.YES_NO),
        col("未落户原因", "unsettled_reason", source="why"),
        col("居住证情况", "residence_permit_status", source="permit"),
        local("核查人", "checker"),
    ]
    spec = form(
        "ga-split-household",
        "人户分离及空挂户核查登记表",
        columns,
        ctx.sort_persons_records(records),
        layout=Layout(meta="split"),
    )
    return book("公安局", "人户分离空挂户核查表.xls", spec)


def _foreigners(ctx: Ctx) -> WorkbookSpec:
    columns = [
        serial(),
        local("英文姓", "surname_en"),
        local("英文名", "given_en"),
        col("中文姓名", "name", source="name_cn"),
        col("性别", "sex"),
        col("国籍（地区）", "nationality", source="nationality"),
        col("证件种类", "id_type"),
        local("证件号码", "passport"),
        local("入境日期", "entry"),
        local("停留有效期", "stay"),
        col("居住地址", "current_address"),
        col("联系电话", "phone"),
    ]
    spec = form(
        "ga-foreigners",
        "境外人员住宿登记表",
        columns,
        [],
        template=True,
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN,)),
    )
    return book("公安局", "境外人员登记表.xlsx", spec)


def _key_records(ctx: Ctx, category: str | None = None) -> list[Record]:
    records = []
    for pid, facts in ctx.prog.key_persons.items():
        if category is None or facts["key_group_category"] == category:
            records.append(ctx.person_record(ctx.pop.person(pid), dict(facts)))
    return ctx.sort_persons_records(records)


def _key_persons(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("key")
    records = _key_records(ctx)
    for record in records:
        record.values["visit_content"] = rng.choice(
            ("情绪稳定", "在家务农", "外出打工，电话联系正常", "按时服药", "无异常")
        )
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("身份证号", "id_number", width=21),
        col("人员类别", "key_group_category"),
        col("管控等级", "control_level"),
        col("责任人", "responsible_person"),
        col("联系电话", "phone", width=14),
        col("现住址", "current_address", width=34),
        col("列管时间", "listed_date", f.DATE_DOT, source="since"),
        col("最近走访情况", "visit_content"),
    ]
    spec = form(
        "zz-key-persons",
        "重点人员服务管理台账",
        columns,
        records,
        layout=Layout(meta="unit-date", footer=("注：本台账限综治中心内部使用。",)),
    )
    return book("综治中心", "重点人员台账.xlsx", spec)


def _disputes(ctx: Ctx) -> WorkbookSpec:
    records = []
    for event in ctx.prog.disputes:
        party_a = ctx.pop.person(str(event["party_a"]))
        party_b = ctx.pop.person(str(event["party_b"]))
        record = ctx.person_record(
            party_a, dict(event) | {"b_name": party_b.name, "b_phone": party_b.phone}
        )
        record.keys["event"] = str(event["dispute_no"])
        records.append(record)
    columns = [
        serial(),
        col("纠纷编号", "dispute_no"),
        col("受理日期", "dispute_date", f.DATE_SERIAL),
        col("纠纷类型", "dispute_type"),
        *grouped(
            "当事人（甲方）",
            [
                col("姓名", "name"),
                col("身份证号", "id_number", width=21),
                col("联系电话", "phone", width=14),
            ],
        ),
        *grouped("当事人（乙方）", [local("姓名", "b_name"), local("联系电话", "b_phone")]),
        col("简要情况", "dispute_summary", width=30),
        col("调处结果", "handling_result"),
        col("调解员", "mediator", source="mediator"),
        local("线索来源", "source"),
    ]
    spec = form(
        "zz-disputes",
        "矛盾纠纷排查调处台账",
        columns,
        records,
        layout=Layout(meta="unit-date", blank_rows=1, footer=(FOOTER_SIGN,)),
    )
    return book("综治中心", "矛盾纠纷排查调处台账.xlsx", spec)


def _grid_records(ctx: Ctx) -> list[Record]:
    records = []
    for grid in ctx.pop.grids:
        worker = ctx.pop.person(grid.worker_id)
        residents = [p for p in ctx.pop.persons if p.house is not None and p.house.grid is grid]
        households = {p.household_no for p in residents if p.household_no}
        values = ctx.person_values(worker) | {
            "grid_code": grid.code,
            "grid_name": grid.name,
            "grid_worker": worker.name,
            "grid_worker_phone": worker.phone,
            "town": grid.unit.town.name,
            "village": grid.unit.name,
            "households": len(households),
            "residents": len(residents),
            "floating": sum(1 for p in residents if "floating" in p.tags),
            "key": sum(1 for p in residents if "key_person" in p.tags),
            "rentals": sum(1 for h in ctx.pop.houses if h.grid is grid and h.use == "出租"),
        }
        records.append(
            Record(
                keys={"grid": grid.code, "person": worker.id_number},
                values=values,
                group=grid.unit.name,
            )
        )
    return records


def _grid_workers(ctx: Ctx) -> WorkbookSpec:
    columns = [
        serial(),
        col("乡镇（街道）", "town"),
        col("村（社区）", "village"),
        col("网格名称", "grid_name"),
        col("网格编码", "grid_code", width=18),
        col("网格员", "grid_worker"),
        col("性别", "sex"),
        col("身份证号码", "id_number", width=21),
        col("出生年月", "birth_date", f.YEAR_MONTH),
        col("文化程度", "education"),
        col("政治面貌", "political_status"),
        col("网格员电话", "grid_worker_phone", width=14),
        col("管理户数", "grid_households", source="households"),
        col("管理人数", "grid_population", source="residents"),
    ]
    spec = form(
        "zz-grid-workers",
        "青山旗专职网格员名册",
        columns,
        _grid_records(ctx),
        layout=Layout(meta="unit-date", footer=(FOOTER_STAMP,)),
    )
    return book("综治中心", "网格员名册.xlsx", spec)


def _grid_basic(ctx: Ctx) -> WorkbookSpec:
    records = _grid_records(ctx)
    for record in records:
        record.keys.pop("person")
    columns = [
        col("网格编码", "grid_code", width=18),
        col("网格名称", "grid_name"),
        col("所属村（社区）", "village"),
        col("户数", "grid_households", source="households"),
        col("人口数", "grid_population", source="residents"),
        local("流动人口数", "floating"),
        local("重点人员数", "key"),
        local("出租房屋数", "rentals"),
        col("网格员", "grid_worker"),
        col("网格员电话", "grid_worker_phone", width=14),
    ]
    spec = form(
        "zz-grid-basic",
        "网格基本情况统计表",
        columns,
        records,
        layout=Layout(
            meta="unit-asof",
            totals="total",
            sum_keys=("households", "residents", "floating", "key", "rentals"),
        ),
    )
    return book("综治中心", "网格基本情况统计表.xls", spec)


def _hotline(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("hotline")
    records = []
    for number, event in enumerate(ctx.prog.petitions, start=1):
        if event["way"] != "12345热线" and rng.random() < 0.5:
            continue
        person = ctx.pop.person(str(event["person"]))
        record = ctx.person_record(
            person,
            {
                "dispute_no": f"QS12345{number + 26100:06d}",
                "dispute_date": event["dispute_date"],
                "dispute_type": rng.choice(("其他纠纷", "物业纠纷", "劳动争议")),
                "dispute_summary": f"反映{event['topic']}问题",
                "handling_result": event["handling_result"],
                "office": rng.choice(("旗住建局", "旗人社局", "旗民政局", "所在乡镇（街道）")),
            },
        )
        record.keys["event"] = str(record.values["dispute_no"])
        records.append(record)
    columns = [
        col("工单编号", "dispute_no"),
        col("受理时间", "dispute_date", f.DATE_SLASH),
        col("诉求人姓名", "name"),
        col("联系电话", "phone", f.FULL_WIDTH),
        col("诉求类型", "dispute_type"),
        col("诉求内容", "dispute_summary"),
        col("办理结果", "handling_result"),
        col("承办单位", "handling_dept", source="office"),
    ]
    spec = form("zz-hotline", "12345热线工单处置台账", columns, records, layout=Layout(meta=None))
    return book("综治中心", "12345工单处置台账.csv", spec, encoding="gbk")


def _released(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("released")
    records = _key_records(ctx, "刑满释放人员")
    for record in records:
        record.values["released"] = ctx.day(rng, 1, 1, 12, 31, year=rng.randrange(2019, 2026))
        record.values["placement"] = rng.choice(("已安置", "自谋职业", "务农", "未安置"))
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("身份证号", "id_number", width=21),
        col("原罪名", "offence", source="crime"),
        col("释放日期", "release_date", f.DATE_CN, source="released"),
        col("帮教责任人", "responsible_person"),
        local("安置情况", "placement"),
        col("联系电话", "phone", width=14),
        col("现住址", "current_address", width=34),
    ]
    spec = form(
        "zz-released", "刑满释放人员安置帮教台账", columns, records, layout=Layout(meta="unit-date")
    )
    return book("综治中心", "刑满释放人员帮教台账.xlsx", spec)


def _correction(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("correction")
    records = _key_records(ctx, "社区矫正对象")
    for record in records:
        start = ctx.day(rng, 1, 1, 12, 31, year=2025)
        record.values["term"] = (
            f"{start:%Y.%m.%d}-{start.year + 1}.{start.month:02d}.{start.day:02d}"
        )
    columns = [
        serial(),
        col("姓名", "name"),
        col("性别", "sex"),
        col("民族", "ethnicity"),
        col("身份证号", "id_number", width=21),
        local("矫正类别", "correction_type"),
        col("罪名", "offence", source="crime"),
        local("矫正期限", "term"),
        col("管控等级", "control_level"),
        col("联系电话", "phone", width=14),
        col("居住地址", "current_address", width=34),
        col("监管责任人", "responsible_person"),
    ]
    spec = form(
        "sf-correction",
        "社区矫正对象台账",
        columns,
        records,
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN,)),
    )
    return book("司法局", "社区矫正对象台账.xlsx", spec)


def _mediation(ctx: Ctx) -> WorkbookSpec:
    records = []
    for event in ctx.prog.disputes:
        if event["source"] not in {"群众来访", "网格员排查"}:
            continue
        person = ctx.pop.person(str(event["party_a"]))
        record = ctx.person_record(person, dict(event))
        record.keys["event"] = str(event["dispute_no"])
        records.append(record)
    columns = [
        serial(),
        col("案件编号", "dispute_no"),
        col("登记日期", "dispute_date", f.DATE_CN),
        col("当事人姓名", "name"),
        col("当事人身份证号", "id_number", width=21),
        col("联系方式", "phone", width=14),
        col("纠纷类别", "dispute_type"),
        col("纠纷情况", "dispute_summary", width=30),
        col("调解结果", "handling_result"),
        col("调解员", "mediator", source="mediator"),
    ]
    spec = form("sf-mediation", "人民调解案件登记表", columns, records, layout=Layout(meta="split"))
    return book("司法局", "人民调解登记表.xls", spec)


def _petitions(ctx: Ctx) -> WorkbookSpec:
    records = []
    for event in ctx.prog.petitions:
        person = ctx.pop.person(str(event["person"]))
        record = ctx.person_record(
            person,
            dict(event)
            | {
                "dispute_summary": f"反映{event['topic']}问题",
                "repeat_text": "是" if event["repeat"] else "否",
            },
        )
        record.keys["event"] = str(event["dispute_no"])
        records.append(record)
    columns = [
        serial(),
        col("信访编号", "dispute_no"),
        col("登记日期", "dispute_date", f.DATE_SERIAL),
        col("信访人姓名", "name"),
        col("身份证号码", "id_number", width=21),
        col("联系电话", "phone", width=14),
        col("住址", "current_address", width=34),
        local("信访形式", "way"),
        col("反映问题", "dispute_summary"),
        col("办理结果", "handling_result"),
        local("是否重复信访", "repeat_text"),
    ]
    spec = form(
        "xf-petitions",
        "信访事项登记台账",
        columns,
        records,
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN,)),
    )
    return book("信访局", "信访事项台账.xlsx", spec)


def _key_petitioners(ctx: Ctx) -> WorkbookSpec:
    records = _key_records(ctx, "重点信访人员")
    for record in records:
        record.values["claim"] = "要求解决历史遗留问题"
    columns = [
        serial(),
        col("姓名", "name"),
        col("身份证号", "id_number", width=21),
        col("联系电话", "phone", width=14),
        col("现住址", "current_address", width=34),
        col("主要诉求", "dispute_summary", source="claim"),
        col("稳控责任人", "responsible_person"),
        col("管控等级", "control_level"),
    ]
    spec = form(
        "xf-key-petitioners", "重点信访人员台账", columns, records, layout=Layout(meta="unit-date")
    )
    return book("信访局", "重点信访人员台账.xls", spec)


def _flood(ctx: Ctx) -> WorkbookSpec:
    records = []
    for pid, facts in ctx.prog.evacuation.items():
        record = ctx.person_record(
            ctx.pop.person(pid), dict(facts) | {"weak": "是" if facts["vulnerable"] else "否"}
        )
        records.append(record)
    columns = [
        serial(),
        col("乡镇", "town"),
        col("村", "village"),
        col("危险区名称", "danger_zone", width=24),
        col("姓名", "name"),
        col("性别", "sex"),
        col("年龄", "age"),
        col("身份证号", "id_number", width=21),
        col("联系电话", "phone", width=14),
        col("家庭住址", "current_address", width=34),
        local("是否老弱病残", "weak"),
        col("转移\n责任人", "transfer_responsible"),
        col("安置点", "shelter"),
        col("转移时间", "evacuation_date", f.DATE_SERIAL_CN),
    ]
    spec = form(
        "yj-flood-evacuation",
        "2026年汛期危险区人员转移台账",
        columns,
        ctx.sort_persons_records(records),
        layout=Layout(meta="unit-date", totals="subtotal", footer=(FOOTER_SIGN,)),
    )
    return book("应急管理局", "防汛危险区转移人员台账.xlsx", spec)


def _disaster(ctx: Ctx) -> WorkbookSpec:
    columns = [
        serial(),
        col("乡镇", "town"),
        col("村", "village"),
        local("灾害种类", "kind"),
        local("受灾时间", "when"),
        col("户主姓名", "head_name"),
        col("身份证号码", "id_number"),
        col("家庭人口", "household_size"),
        *grouped(
            "损失情况",
            [
                local("倒塌房屋（间）", "collapsed"),
                local("损坏房屋（间）", "damaged"),
                local("农作物受灾面积（亩）", "crops"),
                local("直接经济损失（万元）", "loss"),
            ],
        ),
        col("联系电话", "phone"),
    ]
    spec = form(
        "yj-disaster",
        "自然灾害受灾人员统计表",
        columns,
        [],
        template=True,
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN, FOOTER_STAMP)),
    )
    return book("应急管理局", "灾情受灾人员统计表.xlsx", spec)


def _hazards(ctx: Ctx) -> WorkbookSpec:
    records = []
    for number, event in enumerate(ctx.prog.hazards, start=1):
        house = next(h for h in ctx.pop.houses if h.code == event["house"])
        owner = ctx.pop.by_id.get(str(event["owner"]))
        record = _house_record(
            ctx,
            house,
            dict(event)
            | {
                "owner": owner.name if owner else "",
                "owner_phone": owner.phone if owner else "",
                "inspector": ctx.pop.person(house.grid.worker_id).name,
            },
        )
        record.keys["event"] = f"YH2026{number:04d}"
        records.append(record)
    columns = [
        serial(),
        col("隐患地点", "hazard_location", width=34),
        col("隐患类型", "hazard_type"),
        col("隐患描述", "hazard_description", source="detail"),
        col("发现日期", "found_date", f.DATE_DOT),
        col("房屋产权人", "owner_name", source="owner"),
        col("产权人电话", "owner_phone", source="owner_phone"),
        col("整改情况", "rectify_status"),
        col("整改期限", "rectify_deadline", f.DATE_DOT),
        col("排查人", "inspector", source="inspector"),
    ]
    spec = form(
        "yj-hazards",
        "燃气、消防安全隐患排查整治台账",
        columns,
        records,
        layout=Layout(meta="unit-date", footer=(FOOTER_SIGN,)),
    )
    return book("应急管理局", "燃气消防隐患排查表.xlsx", spec)


def _facility_records(ctx: Ctx) -> list[Record]:
    records = []
    for facility in ctx.prog.facilities:
        manager = facility["manager"]
        unit = facility["unit"]
        values = dict(facility) | {
            "facility_manager": getattr(manager, "name", ""),
            "facility_phone": getattr(manager, "phone", ""),
            "town": getattr(getattr(unit, "town", None), "name", ""),
            "village": getattr(unit, "name", ""),
        }
        records.append(Record(keys={"facility": str(facility["facility_name"])}, values=values))
    return records


def _shelters_and_supplies(ctx: Ctx) -> WorkbookSpec:
    shelters = _facility_records(ctx)
    shelter_columns = [
        serial(),
        col("场所名称", "facility_name", width=24),
        col("场所类型", "facility_type"),
        col("场所地址", "facility_address", width=34),
        col("面积（㎡）", "facility_area", source="area"),
        col("容纳人数", "capacity"),
        col("管理人", "facility_manager"),
        col("管理人电话", "facility_phone", width=14),
        local("避难场所等级", "level"),
    ]
    rng = ctx.rng("supplies")
    supplies = []
    for record in _facility_records(ctx):
        for item, unit in (("帐篷", "顶"), ("棉被", "床"), ("发电机", "台")):
            if rng.random() < 0.6:
                copy = Record(keys=dict(record.keys), values=dict(record.values))
                copy.values |= {"item": item, "count": rng.randrange(2, 60), "unit": unit}
                supplies.append(copy)
    supply_columns = [
        serial(),
        col("储备点", "facility_name", width=24),
        local("物资名称", "item"),
        local("数量", "count"),
        local("单位", "unit"),
        col("管理人", "facility_manager"),
        col("联系电话", "facility_phone", width=14),
    ]
    return book(
        "应急管理局",
        "应急避难场所及物资台账.xls",
        form(
            "yj-shelters",
            "应急避难场所台账",
            shelter_columns,
            shelters,
            sheet="避难场所",
            layout=Layout(meta="unit-date"),
        ),
        form(
            "yj-supplies",
            "应急物资储备台账",
            supply_columns,
            supplies,
            sheet="应急物资",
            layout=Layout(meta="unit-date"),
        ),
    )


def _owner_records(
    ctx: Ctx, houses: list[House], extra_of: Mapping[str, Mapping[str, object]]
) -> list[Record]:
    records = []
    for house in houses:
        owner = ctx.pop.by_id.get(house.owner_id)
        if owner is None:
            continue
        household = ctx.pop.household_of.get(owner.id_number)
        record = ctx.person_record(owner)
        house_values = _house_record(ctx, house, dict(extra_of.get(house.code, {}))).values
        record.values |= house_values
        record.keys["house"] = house.code
        if household:
            record.keys["household"] = household.number
        records.append(record)
    return records


def _dangerous_houses(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("danger")
    houses = [h for h in ctx.pop.houses if not h.urban and h.danger_level in {"C", "D"}]
    extra = {h.code: {"way": rng.choice(("加固改造", "拆除重建", "置换", "待定"))} for h in houses}
    columns = [
        serial(),
        col("乡镇", "town"),
        col("村", "village"),
        col("户主姓名", "head_name"),
        col("身份证号码", "id_number", width=21),
        col("家庭人口", "household_size"),
        col("房屋地址", "house_address", width=34),
        col("房屋结构", "house_structure"),
        col("建房\n年份", "build_year"),
        col("面积（㎡）", "house_area"),
        col("危险等级", "danger_level"),
        col("是否低保户", "is_low_income", f.YES_NO),
        local("改造方式", "way"),
    ]
    spec = form(
        "zj-dangerous-houses",
        "农村牧区危房信息统计表",
        columns,
        _owner_records(ctx, houses, extra),
        layout=Layout(meta="unit-date", footer=(FOOTER_STAMP,)),
    )
    return book("住建局", "农村危房信息表.xlsx", spec)


def _self_built(ctx: Ctx) -> WorkbookSpec:
    rng = ctx.rng("self-built")
    houses = [h for h in ctx.pop.houses if h.self_built and h.unit.town.kind == "镇"]
    chosen = sorted(rng.sample(houses, min(130, len(houses))), key=houses.index)
    extra = {
        h.code: {
            "business": rng.choice(("是", "否", "否", "否")),
            "verdict": "存在安全隐患" if h.danger_level in {"C", "D"} else "未发现隐患",
            "inspector": ctx.pop.person(h.grid.worker_id).name,
        }
        for h in chosen
    }
    columns = [
        serial(),
        col("房屋地址", "house_address", width=34),
        col("户主姓名", "head_name"),
        col("联系电话", "phone", width=14),
        col("建造年代", "build_year"),
        col("层数", "floors", source="floors"),
        col("结构类型", "house_structure"),
        col("用途", "house_use"),
        local("是否用于经营", "business"),
        local("初步判定", "verdict"),
        col("排查人", "inspector", source="inspector"),
    ]
    spec = form(
        "zj-self-built",
        "城乡自建房安全专项整治排查表",
        columns,
        _owner_records(ctx, chosen, extra),
        layout=Layout(origin=(1, 1), meta="unit-date", footer=(FOOTER_SIGN,)),
    )
    return book("住建局", "自建房安全排查表.xlsx", spec)


def _public_rental(ctx: Ctx) -> WorkbookSpec:
    records = []
    for household in ctx.pop.households:
        facts = ctx.prog.public_housing.get(household.number)
        if not facts:
            continue
        head = household.head
        record = ctx.household_record(
            household,
            dict(facts)
            | {
                "tenant_name": head.name,
                "tenant_id_number": head.id_number,
                "tenant_phone": head.phone,
            },
        )
        record.roles["tenant"] = head.id_number
        records.append(record)
    columns = [
        serial(),
        col("承租人姓名", "tenant_name"),
        col("承租人身份证号", "tenant_id_number", width=21),
        col("家庭人口", "household_size"),
        local("保障方式", "guarantee"),
        local("租赁补贴（元/月）", "rent_subsidy", f.MONEY),
        local("保障起始时间", "since", f.YEAR_MONTH_CN),
        col("联系电话", "phone", width=14),
        col("现住址", "current_address", width=34),
    ]
    spec = form(
        "zj-public-rental",
        "公共租赁住房保障对象信息表",
        columns,
        records,
        layout=Layout(meta="unit-date"),
    )
    return book("住建局", "公租房保障对象信息.xls", spec)


def _old_compounds(ctx: Ctx) -> WorkbookSpec:
    columns = [
        serial(),
        local("小区名称", "compound"),
        col("村（社区）", "village"),
        col("建成年代", "build_year", source="built"),
        local("楼栋数", "buildings"),
        local("总户数", "households"),
        local("物业管理方式", "management"),
        local("物业服务企业", "company"),
        col("联系人", "org_contact_name", source="contact"),
        col("联系电话", "phone"),
        local("是否纳入改造计划", "plan"),
    ]
    spec = form(
        "zj-old-compounds",
        "老旧小区及物业管理情况台账",
        columns,
        [],
        template=True,
        layout=Layout(meta="unit-date"),
    )
    return book("住建局", "老旧小区物业台账.xlsx", spec)

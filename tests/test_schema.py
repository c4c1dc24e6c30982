"""The ledger schema: the default loads and lints clean; broken files give located findings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from yibiaotong.errors import SchemaError
from yibiaotong.schema import (
    Schema,
    default_schema_path,
    describe_schema,
    lint_schema,
    load_schema,
    normalise_label,
)

MANDATORY_LEDGERS = re.findall(
    r"\w+",
    "person household house person_house rental floating party_member social_org veteran disabled "
    "assistance elderly minor key_group insurance employment health organisation grid area "
    "agriculture subsidy bank_account visit dispute hazard evacuation facility tag "
    "field_dictionary",
)

MANDATORY_ELEMENTS = re.findall(
    r"\w+",
    "name id_number id_type sex ethnicity birth_date age phone other_phone current_address "
    "hukou_address hukou_type marital_status education political_status health_status occupation "
    "native_place admin_code town village grid_code grid_name grid_worker grid_worker_phone "
    "household_no relation_to_head household_size head_name head_id_number head_phone house_code "
    "house_address house_structure house_area house_use house_rooms house_property danger_level "
    "build_year residence_type move_in_date monthly_rent lease_start lease_end rental_use "
    "landlord_name landlord_id_number landlord_phone landlord_current_address tenant_name "
    "tenant_id_number tenant_phone residence_permit_no arrival_date arrival_reason party_branch "
    "join_party_date formal_member_date party_post social_org_name social_org_reg_no "
    "social_org_category party_org_name party_org_type party_member_count org_leader_name "
    "org_leader_id_number org_leader_phone org_name uscc org_type org_address business_scope "
    "employee_count legal_rep_name legal_rep_id_number legal_rep_phone veteran_category "
    "enlist_date discharge_date military_branch military_rank unit_code disability_grade_military "
    "pension_cert_no honor_plaque disability_cert_no disability_category disability_level "
    "rehab_need assistance_type assistance_persons monthly_allowance support_mode self_care "
    "assistance_start aid_reason aid_amount care_level emergency_name emergency_phone school grade "
    "class_name left_behind_type plight_type guardian_relation guardian_name guardian_id_number "
    "guardian_phone key_group_category control_level responsible_person social_security_no "
    "insurance_type insured_status contribution_grade insured_year pension_monthly "
    "employment_status work_unit employment_type migrant_destination monthly_income "
    "unemployment_reg_date job_post chronic_disease family_doctor signing_date vaccination_status "
    "only_child_cert_no cultivated_area grassland_area livestock_count operator_type "
    "cooperative_name subsidy_item subsidy_standard subsidy_amount payment_month payment_method "
    "bank_name account_name account_no visit_date visitor visit_content dispute_type dispute_date "
    "dispute_summary handling_result hazard_type hazard_location found_date rectify_status "
    "rectify_deadline danger_zone shelter transfer_responsible evacuation_date facility_name "
    "facility_type facility_address capacity facility_manager is_low_income is_special_hardship "
    "is_lives_alone is_empty_nest is_left_behind is_separated_household is_nominal_household "
    "spouse_name spouse_id_number",
)


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema()


def line_of(text: str, marker: str) -> int:
    """1-based number of the first line containing marker."""
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"{marker!r} not in text")


MINIMAL_BASE = """\
format: ybt-schema/1
name: tiny
version: "1"
survivorship: {order: [source_department, as_of_date, ingested_at]}
code_lists:
  sex:
    name: 性别
    codes:
      - {code: '1', label: 男}
      - {code: '2', label: 女}
ledgers:
  - {id: person, name: 人口, entity: person, key: [id_number]}
elements:
  - {id: id_number, name: 身份证号, ledger: person, type: id_number, sensitivity: sensitive}
  - {id: sex, name: 性别, ledger: person, type: code, code_list: sex, sensitivity: personal}
  - {id: phone, name: 联系电话, ledger: person, type: phone, sensitivity: personal, aliases: [手机]}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the default schema ---------------------------------------------------------------------


def test_default_schema_loads_and_lints_clean(schema: Schema) -> None:
    assert lint_schema(default_schema_path()) == []
    assert schema.sources == (default_schema_path().resolve(),)
    assert schema.survivorship == ("source_department", "as_of_date", "ingested_at")


def test_default_schema_size(schema: Schema) -> None:
    assert len(schema.ledgers) >= 30
    assert len(schema.elements) >= 250
    assert len(schema.code_lists) >= 30


def test_every_mandatory_id_is_kept(schema: Schema) -> None:
    assert set(MANDATORY_LEDGERS) <= set(schema.ledgers)
    missing = [element for element in MANDATORY_ELEMENTS if element not in schema.elements]
    assert missing == []


def test_every_element_names_a_known_ledger_and_code_list(schema: Schema) -> None:
    for element in schema.elements.values():
        assert element.ledger in schema.ledgers
        if element.type in ("code", "flag"):
            assert element.code_list in schema.code_lists, element.id


def test_every_alias_is_unique_or_declared_shared(schema: Schema) -> None:
    shared = {normalise_label(text): set(owners) for text, owners in schema.shared_aliases.items()}
    for alias, owners in schema.alias_index().items():
        if len(owners) > 1:
            assert shared.get(alias) == set(owners), alias


@pytest.mark.parametrize(
    ("header", "element"),
    [
        ("户主姓名", "head_name"),
        ("户主", "head_name"),
        ("户主身份证号", "head_id_number"),
        ("户主证件号码", "head_id_number"),
        ("监护人身份证号", "guardian_id_number"),
        ("监护人姓名", "guardian_name"),
        ("出租人联系电话", "landlord_phone"),
        ("房东电话", "landlord_phone"),
        ("承租人姓名", "tenant_name"),
        ("紧急联系人电话", "emergency_phone"),
        ("紧急联系电话", "emergency_phone"),
        ("法定代表人", "legal_rep_name"),
        ("配偶身份证号码", "spouse_id_number"),
        ("父亲外出务工地", "father_migrant_destination"),
        ("姓名", "name"),
        ("老人姓名", "name"),
        ("公民身份号码", "id_number"),
        ("身份证号码", "id_number"),
        ("联系方式（手机）", "phone"),
        ("手机\n号码*", "phone"),
        ("户口簿住址", "hukou_address"),
        ("出生年月", "birth_date"),
        ("开户银行帐号", "account_no"),
        ("月保障金（元）", "monthly_allowance"),
        ("保障金额(元/月)", "monthly_allowance"),
        ("建筑面积(㎡)", "house_area"),
        ("补贴标准（元/年）", "subsidy_standard"),
        ("丈夫姓名", "spouse_name"),
    ],
)
def test_headers_resolve_to_one_element(schema: Schema, header: str, element: str) -> None:
    assert schema.alias_index()[normalise_label(header)] == (element,)


def test_unit_forms_never_override_declared_aliases(schema: Schema) -> None:
    index = schema.alias_index()
    assert index[normalise_label("面积(平方米)")] == ("house_area",)  # declared
    assert normalise_label("合计金额(元)") not in index  # base text is shared: context decides
    declared = {
        normalise_label(text)
        for element in schema.elements.values()
        for text in (element.name, *element.aliases)
    }
    assert len(index) > len(declared)


def test_subject_aliases_are_not_role_prefixed(schema: Schema) -> None:
    # "老人姓名" names the row's own person; "户主老人姓名" would be nonsense.
    assert normalise_label("户主老人姓名") not in schema.alias_index()
    assert "户主名字" in schema.elements["head_name"].aliases


def test_role_elements_carry_role_and_base(schema: Schema) -> None:
    guardian_id = schema.elements["guardian_id_number"]
    own_id = schema.elements["id_number"]
    assert guardian_id.role == "guardian"
    assert guardian_id.base == "id_number"
    assert guardian_id.ledger == "minor"
    assert guardian_id.type == own_id.type == "id_number"
    assert guardian_id.sensitivity == own_id.sensitivity == "sensitive"
    assert guardian_id.mask == own_id.mask == "id_middle"
    assert schema.elements["head_name"].name == "户主姓名"
    assert own_id.role is None
    assert own_id.base is None


def test_shared_alias_lists_all_candidates(schema: Schema) -> None:
    assert set(schema.alias_index()[normalise_label("电话")]) == {
        "phone",
        "org_phone",
        "facility_phone",
    }


def test_masks_and_sensitivity(schema: Schema) -> None:
    assert schema.elements["account_no"].mask == "account_tail"
    assert schema.elements["phone"].mask == "phone_middle"
    assert schema.elements["name"].mask == "none"
    assert {element.sensitivity for element in schema.ledger_elements("bank_account")} == {
        "sensitive"
    }
    assert schema.elements["health_status"].sensitivity == "sensitive"


def test_ledger_keys_and_elements(schema: Schema) -> None:
    assert schema.ledgers["person"].key == ("id_number",)
    assert schema.ledgers["household"].alternate_keys == (("head_id_number",),)
    assert schema.ledgers["organisation"].key == ("uscc",)
    household = {element.id for element in schema.ledger_elements("household")}
    assert {"household_no", "head_name", "head_id_number"} <= household
    # Each member has their own relation to the head: a person's fact, not the household's.
    person = {element.id for element in schema.ledger_elements("person")}
    assert "relation_to_head" in person
    assert "relation_to_head" not in household
    assert schema.ledger_elements("field_dictionary") == ()
    with pytest.raises(KeyError):
        schema.ledger_elements("no_such_ledger")


def test_layout_columns(schema: Schema) -> None:
    assert schema.layout_kind("序 号") == "serial"
    assert schema.layout_kind("NO") == "serial"
    assert schema.layout_kind("备注") is None


# --- code lists -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code_list", "text", "label"),
    [
        ("ethnicity", "汉", "汉族"),
        ("ethnicity", "HA", "汉族"),
        ("ethnicity", "ha", "汉族"),
        ("ethnicity", "01", "汉族"),
        ("ethnicity", "1", "汉族"),
        ("ethnicity", "1.0", "汉族"),
        ("ethnicity", "撤拉族", "撒拉族"),
        ("ethnicity", "毛难族", "毛南族"),
        ("ethnicity", "56", "基诺族"),
        ("ethnicity", "98", "外国血统中国籍人士"),
        ("sex", "1-男", "男"),
        ("sex", "1 男", "男"),
        ("sex", "男(1)", "男"),
        ("sex", "男（1）", "男"),
        ("sex", "２", "女"),
        ("disability_category", "61-视力残疾", "视力残疾"),
        ("disability_level", "一级残疾", "一级"),
        ("education", "70-初中", "初级中学"),
        ("education", "大专", "大学专科"),
        ("marital", "丧偶", "丧偶"),
        ("political_status", "群众", "群众"),
        ("relation_to_head", "儿子", "子"),
        ("relation_to_head", "02", "户主"),
        ("flag", "√", "是"),
        ("flag", "×", "否"),
        ("flag", "Y", "是"),
        ("flag", "n", "否"),
        ("flag", "有", "是"),
        ("flag", "0", "否"),
        ("veteran_category", "烈属", "烈士遗属"),
        ("danger_level", "D", "D级"),
    ],
)
def test_code_lookup(schema: Schema, code_list: str, text: str, label: str) -> None:
    entry = schema.code_lists[code_list].lookup(text)
    assert entry is not None
    assert entry.label == label


@pytest.mark.parametrize(
    ("code_list", "text"),
    [("sex", "1-女"), ("sex", "男性化"), ("sex", ""), ("disability_level", "07-七级残疾")],
)
def test_code_lookup_refuses_what_it_does_not_understand(
    schema: Schema, code_list: str, text: str
) -> None:
    assert schema.code_lists[code_list].lookup(text) is None


def test_standard_code_lists(schema: Schema) -> None:
    ethnicity = schema.code_lists["ethnicity"]
    assert ethnicity.standard == "GB 3304-91"
    assert len([entry for entry in ethnicity.entries if int(entry.code) <= 56]) == 56
    assert [entry.code for entry in schema.code_lists["sex"].entries] == ["0", "1", "2", "9"]
    categories = schema.code_lists["disability_category"].entries
    assert [entry.code for entry in categories] == [str(code) for code in range(61, 68)]
    assert len(schema.code_lists["veteran_category"].entries) == 12


# --- normalisation --------------------------------------------------------------------------


def test_normalise_label_examples() -> None:
    assert normalise_label(" 联系\n电话* ") == "联系电话"
    assert normalise_label("ＡＢ（１）") == "ab(1)"
    assert normalise_label("身份证号　码") == "身份证号码"


@given(st.text())
def test_normalise_label_is_idempotent(text: str) -> None:
    once = normalise_label(text)
    assert normalise_label(once) == once


# --- extensions -----------------------------------------------------------------------------


def test_extension_adds_element_and_alias(tmp_path: Path) -> None:
    extension = write(
        tmp_path,
        "county.yaml",
        """\
format: ybt-schema/1
extends: default
name: 示例县
aliases:
  id_number: [身份证号（必填）]
  head_name: [户主名称]
elements:
  - {id: herdsman_card_no, name: 牧民证号, ledger: agriculture, type: text,
     sensitivity: personal, source: 农牧, aliases: [牧民证编号]}
""",
    )
    assert lint_schema(extension) == []
    schema = load_schema([extension])
    index = schema.alias_index()
    assert index[normalise_label("牧民证编号")] == ("herdsman_card_no",)
    assert index[normalise_label("身份证号（必填）")] == ("id_number",)
    assert index[normalise_label("户主名称")] == ("head_name",)
    assert schema.name == "default+示例县"
    assert len(schema.sources) == 2


def test_extension_may_not_redefine_an_id(tmp_path: Path) -> None:
    text = """\
format: ybt-schema/1
extends: default
elements:
  - {id: phone, name: 电话号码X, ledger: person, type: phone, sensitivity: personal}
"""
    findings = lint_schema(write(tmp_path, "county.yaml", text))
    assert [(finding.code, finding.location.row) for finding in findings if finding.location] == [
        ("schema-duplicate-id", line_of(text, "id: phone"))
    ]


def test_extension_alias_clash_is_found(tmp_path: Path) -> None:
    text = """\
format: ybt-schema/1
extends: default
aliases:
  other_phone:
    - 联系电话
"""
    findings = lint_schema(write(tmp_path, "county.yaml", text))
    assert [finding.code for finding in findings] == ["schema-duplicate-alias"]
    assert findings[0].location is not None
    assert findings[0].location.row == line_of(text, "- 联系电话")


# --- broken files ---------------------------------------------------------------------------


def codes_and_lines(path: Path) -> list[tuple[str, int | None]]:
    return [
        (finding.code, finding.location.row if finding.location else None)
        for finding in lint_schema(path)
    ]


def test_minimal_base_is_clean(tmp_path: Path) -> None:
    path = write(tmp_path, "tiny.yaml", MINIMAL_BASE)
    assert lint_schema(path) == []
    assert set(load_schema(base=path).elements) == {"id_number", "sex", "phone"}


def test_bad_yaml_syntax(tmp_path: Path) -> None:
    text = MINIMAL_BASE.replace("code_list: sex,", "code_list: [sex,")
    path = write(tmp_path, "broken.yaml", text)
    [(code, line)] = codes_and_lines(path)
    assert code == "schema-yaml"
    assert line == line_of(text, "code_list: [sex")


def test_unknown_ledger(tmp_path: Path) -> None:
    text = MINIMAL_BASE.replace(
        "  - {id: sex, name: 性别, ledger: person,", "  - {id: sex, name: 性别, ledger: people,"
    )
    path = write(tmp_path, "broken.yaml", text)
    assert codes_and_lines(path) == [("schema-unknown-ledger", line_of(text, "ledger: people"))]
    with pytest.raises(SchemaError) as raised:
        load_schema(base=path)
    assert raised.value.location == f"broken.yaml!第{line_of(text, 'ledger: people')}行"


def test_duplicate_id(tmp_path: Path) -> None:
    text = MINIMAL_BASE + (
        "  - {id: sex, name: 性别代码, ledger: person, type: code, code_list: sex,"
        " sensitivity: personal}\n"
    )
    path = write(tmp_path, "broken.yaml", text)
    assert codes_and_lines(path) == [("schema-duplicate-id", len(text.splitlines()))]


def test_duplicate_alias(tmp_path: Path) -> None:
    text = MINIMAL_BASE + (
        "  - {id: other_phone, name: 其他电话, ledger: person, type: phone,"
        " sensitivity: personal,\n"
        "     aliases: [座机, 手机]}\n"
    )
    path = write(tmp_path, "broken.yaml", text)
    assert codes_and_lines(path) == [("schema-duplicate-alias", line_of(text, "aliases: [座机"))]


def test_declared_shared_alias_is_accepted(tmp_path: Path) -> None:
    text = MINIMAL_BASE.replace(
        "code_lists:", "shared_aliases:\n  手机: [phone, other_phone]\ncode_lists:"
    ) + (
        "  - {id: other_phone, name: 其他电话, ledger: person, type: phone,"
        " sensitivity: personal, aliases: [手机]}\n"
    )
    path = write(tmp_path, "shared.yaml", text)
    assert lint_schema(path) == []
    schema = load_schema(base=path)
    assert schema.alias_index()["手机"] == ("phone", "other_phone")


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    text = MINIMAL_BASE.replace('version: "1"\n', 'version: "1"\nname: again\n')
    path = write(tmp_path, "broken.yaml", text)
    assert codes_and_lines(path) == [("schema-duplicate-key", line_of(text, "name: again"))]


def test_unquoted_numeric_code_is_a_format_error(tmp_path: Path) -> None:
    text = MINIMAL_BASE.replace("{code: '2', label: 女}", "{code: 2, label: 女}")
    path = write(tmp_path, "broken.yaml", text)
    findings = lint_schema(path)
    assert [finding.code for finding in findings] == ["schema-format"]
    assert findings[0].location is not None
    assert findings[0].location.row == line_of(text, "code: 2,")


def test_unknown_code_list_and_missing_code_list(tmp_path: Path) -> None:
    text = MINIMAL_BASE.replace("code_list: sex,", "code_list: gender,") + (
        "  - {id: hukou_type, name: 户口性质, ledger: person, type: code, sensitivity: personal}\n"
    )
    path = write(tmp_path, "broken.yaml", text)
    assert codes_and_lines(path) == [
        ("schema-unknown-code-list", line_of(text, "code_list: gender")),
        ("schema-missing-code-list", line_of(text, "id: hukou_type")),
    ]


def test_key_element_of_another_ledger(tmp_path: Path) -> None:
    text = MINIMAL_BASE.replace(
        "ledgers:\n",
        "ledgers:\n  - {id: visit, name: 走访, entity: event, key: [phone]}\n",
    )
    path = write(tmp_path, "broken.yaml", text)
    assert codes_and_lines(path) == [("schema-key-element", line_of(text, "id: visit"))]


def test_role_derivation_and_collision(tmp_path: Path) -> None:
    text = MINIMAL_BASE + (
        "roles:\n"
        "  - {id: head, name: 户主, prefixes: [户主], ledger: person, elements: [phone, age]}\n"
        "  - {id: boss, name: 老板, prefixes: [户主], ledger: person, elements: [phone]}\n"
    )
    path = write(tmp_path, "roles.yaml", text)
    # "age" does not exist; boss_phone's name 户主联系电话 and alias 户主手机 clash with head's.
    assert codes_and_lines(path) == [
        ("schema-unknown-element", line_of(text, "id: head")),
        ("schema-duplicate-alias", line_of(text, "id: boss")),
        ("schema-duplicate-alias", line_of(text, "id: boss")),
    ]


def test_extension_file_without_extends_and_missing_file(tmp_path: Path) -> None:
    path = write(tmp_path, "county.yaml", "format: ybt-schema/1\nname: x\n")
    with pytest.raises(SchemaError):
        load_schema([path])
    assert codes_and_lines(tmp_path / "absent.yaml") == [("schema-file", None)]
    not_a_map = write(tmp_path, "list.yaml", "- a\n- b\n")
    assert codes_and_lines(not_a_map) == [("schema-format", 1)]


# --- the format's own JSON Schema and describe ----------------------------------------------


def test_format_schema_is_valid_draft_2020_12() -> None:
    path = default_schema_path().parent / "ybt-schema.schema.json"
    jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


def test_describe_schema_rows(schema: Schema) -> None:
    rows = describe_schema(schema)
    assert len(rows) == len(schema.elements)
    head = next(row for row in rows if row["element"] == "head_name")
    assert head["ledger"] == "household"
    assert head["ledger_name"] == "家庭户台账"
    assert head["role"] == "head"
    assert isinstance(head["aliases"], list)
    assert "户主" in head["aliases"]
    json.dumps(rows, ensure_ascii=False)


def test_schema_pickles_for_worker_processes(schema: Schema) -> None:
    import pickle

    copy = pickle.loads(pickle.dumps(schema))
    assert copy == schema
    assert copy.alias_index() == schema.alias_index()
    with pytest.raises(TypeError):
        copy.elements["x"] = copy.elements["name"]  # type: ignore[index]

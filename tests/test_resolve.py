"""Entity resolution and survivorship on small hand-made forms, and the key normalisers."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from yibiaotong.ingest import ingest_paths
from yibiaotong.keys import normalise_address, normalise_name
from yibiaotong.resolve import entity_id, rebuild_ledgers
from yibiaotong.schema import load_schema
from yibiaotong.settings import Settings
from yibiaotong.storage import Store

ZHANG = "11010519491231002X"  # a valid GB 11643 number


def _form(path: Path, unit: str, date: str, header: list[str], rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([path.stem])
    sheet.append([f"填报单位：{unit}", None, f"填报日期：{date}"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _current(settings: Settings, element: str) -> list[tuple[str, str, str | None]]:
    with Store.open(settings.database, read_only=True) as store:
        return store.frame(
            "SELECT entity_id, value, department FROM ledger_values WHERE element_id = ? "
            "ORDER BY entity_id",
            [element],
        ).rows()


@pytest.mark.parametrize(
    "variant",
    [
        "幸福社区3号楼2单元501室",
        "幸福社区3栋2单元501",
        "幸福社区３幢２单元５０１室",
        "幸福社区3-2-501",
        "幸福社区 3号楼 2单元 501",
        "幸福社區三棟2單元501室",
    ],
)
def test_address_variants_are_one_house(variant: str) -> None:
    assert normalise_address(variant) == normalise_address("幸福社区3号楼2单元501室")


def test_different_rooms_stay_different() -> None:
    assert normalise_address("幸福社区3号楼2单元501室") != normalise_address(
        "幸福社区3号楼2单元502室"
    )


@given(st.text(max_size=40))
def test_address_normalising_is_idempotent(text: str) -> None:
    once = normalise_address(text)
    assert normalise_address(once) == once


@given(st.text(max_size=20))
def test_name_normalising_is_idempotent(text: str) -> None:
    once = normalise_name(text)
    assert normalise_name(once) == once


def test_names_compare_without_spaces_width_or_script() -> None:
    assert normalise_name("张 三") == normalise_name("張三") == normalise_name("张三")
    assert normalise_name("阿依古丽.买买提") == normalise_name("阿依古丽·买买提")


def test_entity_ids_are_stable_hashes_of_keys() -> None:
    secret = b"workspace secret"
    assert entity_id("person", ZHANG, secret) == entity_id("person", ZHANG, secret)
    assert entity_id("person", ZHANG, secret) != entity_id("household", ZHANG, secret)
    assert entity_id("person", ZHANG, secret) != entity_id("person", ZHANG, b"another county")
    assert ZHANG not in entity_id("person", ZHANG, secret)


def _person(settings: Settings, number: str) -> str:
    with Store.open(settings.database, read_only=True) as store:
        return entity_id("person", number, store.pseudonym_key())


def test_source_department_wins_over_a_later_form(tmp_path: Path, settings: Settings) -> None:
    header = ["姓名", "身份证号", "联系电话"]
    police = _form(
        tmp_path / "实有人口.xlsx",
        "青山旗公安局",
        "2026年9月30日",
        header,
        [["张三", ZHANG, "13800138000"]],
    )
    civil = _form(
        tmp_path / "低保.xlsx",
        "青山旗民政局",
        "2026年10月31日",
        header,
        [["张三", ZHANG, "13900139000"]],
    )
    ingest_paths([police, civil], settings)
    (current,) = _current(settings, "phone")
    assert current[1:] == ("13800138000", "公安")  # 数源部门 公安 for phone, though older
    with Store.open(settings.database, read_only=True) as store:
        conflict = store.frame("SELECT value, chosen FROM conflicts ORDER BY value").rows()
    assert conflict == [("13800138000", True), ("13900139000", False)]


def test_latest_as_of_wins_between_other_departments(tmp_path: Path, settings: Settings) -> None:
    header = ["姓名", "身份证号", "工作单位"]
    older = _form(
        tmp_path / "甲.xlsx", "青山旗民政局", "2026年3月1日", header, [["张三", ZHANG, "甲公司"]]
    )
    newer = _form(
        tmp_path / "乙.xlsx", "青山旗残联", "2026年9月1日", header, [["张三", ZHANG, "乙公司"]]
    )
    ingest_paths([newer, older], settings)  # ingest order must not matter
    (current,) = _current(settings, "work_unit")
    assert current[1] == "乙公司"


def test_verified_value_wins_over_every_form(tmp_path: Path, settings: Settings) -> None:
    header = ["姓名", "身份证号", "联系电话"]
    ingest_paths(
        [
            _form(
                tmp_path / "a.xlsx",
                "青山旗公安局",
                "2026年9月30日",
                header,
                [["张三", ZHANG, "13800138000"]],
            )
        ],
        settings,
    )
    person = _person(settings, ZHANG)
    with Store.open(settings.database) as store:
        store.connection.execute(
            "INSERT INTO value_decisions "
            "VALUES (?, 'phone', '13700137000', '公安', 'x.xlsx', now())",
            [person],
        )
        rebuild_ledgers(store, load_schema())
    assert _current(settings, "phone") == [(person, "13700137000", "公安")]


def test_row_without_id_joins_on_name_and_a_distinctive_fact(
    tmp_path: Path, settings: Settings
) -> None:
    with_id = _form(
        tmp_path / "a.xlsx",
        "青山旗公安局",
        "2026年9月30日",
        ["姓名", "身份证号", "联系电话"],
        [["张三", ZHANG, "13800138000"], ["张三", "110105194912310021", "13600136000"]],
    )
    without = _form(
        tmp_path / "b.xlsx",
        "青山旗民政局",
        "2026年9月30日",
        ["姓名", "联系电话", "现住址"],
        [["张三", "13800138000", "幸福社区1号"], ["张三", "13500135000", "幸福社区2号"]],
    )
    ingest_paths([with_id, without], settings)
    with Store.open(settings.database, read_only=True) as store:
        links = store.frame(
            "SELECT re.row_no, re.entity_id, re.evidence FROM row_entities re "
            "JOIN forms f USING (form_id) JOIN files fi USING (file_id) "
            "WHERE fi.name = 'b.xlsx' AND re.kind = 'person' ORDER BY re.row_no"
        ).rows()
    assert links[0][1:] == (_person(settings, ZHANG), "name+phone")
    # Two 张三 are known; nothing ties the second row to either: it stays its own, flagged.
    assert links[1][2] == "unresolved"


def test_verification_sheet_round_trip(tmp_path: Path, settings: Settings) -> None:
    from openpyxl import load_workbook

    from yibiaotong.ledgers import conflict_rows
    from yibiaotong.verification import (
        read_verified_values,
        store_verified_values,
        write_verification_workbook,
    )

    header = ["姓名", "身份证号", "联系电话"]
    ingest_paths(
        [
            _form(
                tmp_path / "a.xlsx",
                "青山旗民政局",
                "2026年9月30日",
                header,
                [["张三", ZHANG, "13800138000"]],
            ),
            _form(
                tmp_path / "b.xlsx",
                "青山旗残联",
                "2026年10月31日",
                header,
                [["张三", ZHANG, "13900139000"]],
            ),
        ],
        settings,
    )
    schema = load_schema()
    sheet_path = tmp_path / "核查清单.xlsx"
    with Store.open(settings.database, read_only=True) as store:
        conflicts = conflict_rows(store, schema)
    assert write_verification_workbook(conflicts, {}, sheet_path, "青山旗") == 1
    book = load_workbook(sheet_path)
    sheet = book.active
    assert sheet is not None
    assert "*" in str(sheet["F3"].value)  # phones are masked on the sheet
    sheet["H3"] = "13700137000"
    sheet["I3"] = "公安"
    book.save(sheet_path)
    with Store.open(settings.database) as store:
        assert store_verified_values(store, read_verified_values(sheet_path), sheet_path) == 1
        rebuild_ledgers(store, schema)
    (current,) = _current(settings, "phone")
    assert current[1] == "13700137000"


# -- households ----------------------------------------------------------------------------------


def _valid_id(body: str) -> str:
    """A GB 11643 number: the 17 digits given and their check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


HEAD = _valid_id("15099919700101123")
SPOUSE = _valid_id("15099919720202234")
SON = _valid_id("15099919950303345")
NAMESAKE = _valid_id("15099919800404456")
LODGER = _valid_id("15099919900505567")


def _households(settings: Settings, file_name: str) -> dict[int, tuple[str, str]]:
    """Row → (household entity, evidence) of one file's rows."""
    with Store.open(settings.database, read_only=True) as store:
        rows = store.frame(
            "SELECT re.row_no, re.entity_id, re.evidence FROM row_entities re "
            "JOIN forms f USING (form_id) JOIN files fi USING (file_id) "
            "WHERE fi.name = ? AND re.kind = 'household' ORDER BY re.row_no",
            [file_name],
        ).rows()
    return {row: (entity, evidence) for row, entity, evidence in rows}


def _household_of(settings: Settings, key: str) -> str:
    with Store.open(settings.database, read_only=True) as store:
        return entity_id("household", key, store.pseudonym_key())


def _heads_only(path: Path, rows: list[list[object]]) -> Path:
    """A 低保花名册-like form: it names the head only (户主姓名, 身份证号, no 姓名 column)."""
    return _form(path, "青山旗民政局", "2026年10月31日", ["户主姓名", "身份证号", "家庭住址"], rows)


def test_a_form_of_heads_only_keys_the_household_by_the_heads_number(
    tmp_path: Path, settings: Settings
) -> None:
    ingest_paths([_heads_only(tmp_path / "低保.xlsx", [["张三", HEAD, "幸福社区1号"]])], settings)
    household = _household_of(settings, f"head_id_number={HEAD}")
    assert _households(settings, "低保.xlsx") == {4: (household, "head")}
    with Store.open(settings.database, read_only=True) as store:
        key = store.frame(
            "SELECT key_kind, key_value FROM entities WHERE entity_id = ?", [household]
        ).rows()
    assert key == [("head_id_number", HEAD)]


def test_a_damaged_number_on_a_heads_row_is_matched_by_the_heads_name(
    tmp_path: Path, settings: Settings
) -> None:
    header = ["户主姓名", "身份证号", "联系电话"]
    police = _form(
        tmp_path / "a.xlsx",
        "青山旗公安局",
        "2026年9月30日",
        ["姓名", "身份证号", "联系电话"],
        [["张三", HEAD, "13800138000"]],
    )
    damaged = HEAD[:-1] + ("0" if HEAD[-1] != "0" else "1")  # wrong check character
    farm = _form(
        tmp_path / "b.xlsx",
        "青山旗农牧局",
        "2026年9月30日",
        header,
        [["张三", damaged, "13800138000"]],
    )
    ingest_paths([police, farm], settings)
    assert _households(settings, "b.xlsx") == {
        4: (_household_of(settings, f"head_id_number={HEAD}"), "head")
    }


def test_a_members_head_name_links_the_household_of_the_head_in_the_same_house(
    tmp_path: Path, settings: Settings
) -> None:
    heads = _heads_only(tmp_path / "低保.xlsx", [["张三", HEAD, "幸福社区1号"]])
    members = _form(
        tmp_path / "光荣牌.xlsx",
        "青山旗退役军人事务局",
        "2026年10月31日",
        ["姓名", "身份证号", "户主姓名", "家庭住址"],
        [
            ["李四", SPOUSE, "张三", "幸福社区1号"],  # shares 张三's house
            ["王五", LODGER, "张三", "幸福社区9号"],  # 张三 lives elsewhere: no guess
            ["张三", HEAD, "张 三", "幸福社区1号"],  # the head's own row
        ],
    )
    ingest_paths([heads, members], settings)
    household = _household_of(settings, f"head_id_number={HEAD}")
    assert _households(settings, "光荣牌.xlsx") == {
        4: (household, "head_name+house"),
        6: (household, "head"),
    }


def test_two_namesakes_in_the_house_link_nothing(tmp_path: Path, settings: Settings) -> None:
    heads = _heads_only(
        tmp_path / "低保.xlsx", [["张三", HEAD, "幸福社区1号"], ["张三", NAMESAKE, "幸福社区1号"]]
    )
    member = _form(
        tmp_path / "光荣牌.xlsx",
        "青山旗退役军人事务局",
        "2026年10月31日",
        ["姓名", "身份证号", "户主姓名", "家庭住址"],
        [["李四", SPOUSE, "张三", "幸福社区1号"]],
    )
    ingest_paths([heads, member], settings)
    assert _households(settings, "光荣牌.xlsx") == {}


def test_a_son_named_after_his_father_is_not_taken_for_the_head(
    tmp_path: Path, settings: Settings
) -> None:
    roster = _form(
        tmp_path / "低保动态.xlsx",
        "青山旗民政局",
        "2026年10月31日",
        ["户主姓名", "姓名", "身份证号", "与户主关系", "家庭住址"],
        [["张三", "张三", HEAD, "户主", "幸福社区1号"], ["张三", "张三", SON, "子", "幸福社区1号"]],
    )
    # A form without 与户主关系: 姓名 = 户主姓名 would make the son a head, but his own
    # relation (子) says otherwise; his 户主姓名 names his father, who shares his house.
    aid = _form(
        tmp_path / "资助.xlsx",
        "青山旗教育局",
        "2026年10月31日",
        ["姓名", "身份证号", "户主姓名"],
        [["张三", SON, "张三"], ["张三", HEAD, "张三"]],
    )
    ingest_paths([roster, aid], settings)
    household = _household_of(settings, f"head_id_number={HEAD}")
    assert _households(settings, "低保动态.xlsx") == {
        4: (household, "head"),
        5: (household, "head_name+house"),
    }
    assert _households(settings, "资助.xlsx") == {
        4: (household, "head_name+house"),
        5: (household, "head"),
    }


def test_a_person_only_row_is_not_linked_to_its_persons_household(
    tmp_path: Path, settings: Settings
) -> None:
    """A roster naming persons only says nothing of their households: its values stay the
    person's, and two members' 自理能力 (a household-ledger element) do not collide."""
    roster = _form(
        tmp_path / "实有人口.xlsx",
        "青山旗公安局",
        "2026年9月30日",
        ["姓名", "身份证号", "与户主关系", "户号"],
        [["张三", HEAD, "户主", "001"], ["李四", SPOUSE, "配偶", "001"]],
    )
    health = _form(
        tmp_path / "老年人健康.xlsx",
        "青山旗卫健委",
        "2026年9月30日",
        ["姓名", "身份证号", "自理能力"],
        [["张三", HEAD, "全自理"], ["李四", SPOUSE, "半自理"]],
    )
    ingest_paths([roster, health], settings)
    assert _households(settings, "实有人口.xlsx") == {
        4: (_household_of(settings, "household_no=001"), "key"),
        5: (_household_of(settings, "household_no=001"), "key"),
    }
    assert _households(settings, "老年人健康.xlsx") == {}
    assert sorted(value for _, value, _ in _current(settings, "self_care")) == ["1", "2"]
    with Store.open(settings.database, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM conflicts WHERE element_id = 'self_care'") == 0


def test_a_social_organisation_is_one_with_the_same_name_under_its_credit_code(
    tmp_path: Path, settings: Settings
) -> None:
    # 厂企 list: 单位名称 + a valid code; 民政's list: 社会组织名称, 登记证号 and a code whose check
    # character is wrong — the name is all that ties the two rows, under two headers.
    companies = _form(
        tmp_path / "厂企.xlsx",
        "青山旗市场监管局",
        "2026年9月30日",
        ["单位名称", "统一社会信用代码"],
        [["青山旗摄影家协会", "911509998007996151"], ["青山旗恒泰幼儿园", None]],
    )
    societies = _form(
        tmp_path / "社会组织.xlsx",
        "青山旗民政局",
        "2026年9月30日",
        ["社会组织名称", "登记证号", "统一社会信用代码"],
        [
            ["青山旗摄影家协会", "社证字第0165号", "91150999800799615H"],
            ["青山旗书法家协会", "社证字第0166号", None],
        ],
    )
    ingest_paths([companies, societies], settings)
    with Store.open(settings.database, read_only=True) as store:
        links = store.frame(
            "SELECT fi.name, re.row_no, re.entity_id FROM row_entities re "
            "JOIN forms f USING (form_id) JOIN files fi USING (file_id) "
            "WHERE re.kind = 'organisation' ORDER BY 1, 2"
        ).rows()
    ids = {(file, row): entity for file, row, entity in links}
    assert ids[("厂企.xlsx", 4)] == ids[("社会组织.xlsx", 4)]
    assert len(set(ids.values())) == 3  # 恒泰幼儿园 and 书法家协会 stay their own


def test_a_current_address_without_a_house_number_names_no_house(
    tmp_path: Path, settings: Settings
) -> None:
    # Two migrant workers living "in 包头" are not one house; a numbered address is a house.
    form = _form(
        tmp_path / "务工.xlsx",
        "青山旗人社局",
        "2026年9月30日",
        ["姓名", "身份证号", "现住址"],
        [
            ["张三", ZHANG, "包头市昆都仑区"],
            ["李四", _valid_id("15099919800101001"), "包头市昆都仑区"],
            ["王五", _valid_id("15099919800101002"), "青山旗红旗镇东沟村三组50号"],
        ],
    )
    ingest_paths([form], settings)
    with Store.open(settings.database, read_only=True) as store:
        houses = store.frame(
            "SELECT row_no FROM row_entities WHERE kind = 'house' ORDER BY row_no"
        ).rows()
    assert houses == [(6,)]

"""Layout stage: find title, meta, header block, data, totals and footers on hand-built grids."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yibiaotong.errors import UsageError
from yibiaotong.layout import (
    FormLayout,
    SkippedSheet,
    detect_department,
    locate_form,
    locate_forms,
)
from yibiaotong.layout.cells import header_key
from yibiaotong.layout.meta import parse_labels
from yibiaotong.model import CellValue, MergedRange, SheetGrid, Workbook
from yibiaotong.reading import read_workbook

REAL_FORMS = Path(__file__).resolve().parents[2] / "shared" / "real_forms"


def grid(
    rows: list[list[CellValue]],
    merged: tuple[tuple[int, int, int, int], ...] = (),
    *,
    name: str = "Sheet1",
    index: int = 0,
    visible: bool = True,
) -> SheetGrid:
    """A sheet from rows ("" means empty) and merges given as 0-based (r1, c1, r2, c2)."""
    width = max((len(row) for row in rows), default=0)
    cells = [
        [None if value == "" else value for value in row] + [None] * (width - len(row))
        for row in rows
    ]
    ranges = tuple(MergedRange(*spot) for spot in merged)
    return SheetGrid(name, index, cells, ranges, visible)


def form(sheet: SheetGrid, **options: int) -> FormLayout:
    found = locate_form(sheet, **options)
    assert isinstance(found, FormLayout), found
    return found


def paths(layout: FormLayout) -> dict[str, tuple[str, ...]]:
    return {column.letter: column.path for column in layout.columns}


# --- one-row header with title, meta, totals, footers --------------------------------------

LOW_INCOME = grid(
    [
        ["青山旗城乡低保对象花名册", "", "", "", "", ""],
        ["填报单位：", "青山旗民政局", "", "填报日期：2026年10月31日", "", ""],
        ["序号", "姓名", "身份证号", "家庭人口（人）", "月保障金（元）", "备注"],
        [1, "张三", "150102198001011234", 3, 600.5, ""],
        [2, "李四", "15010219900202123X", 2, 400, "新增"],
        ["", "", "", "", "", ""],
        [3, "王五", "150102197003031235", 1, 300, ""],
        ["合计", "", "", 6, 1300.5, ""],
        ["填表人：赵六", "", "审核人：钱七", "", "联系电话：0471-1234567", ""],
        ["注：本表每月5日前报送旗民政局，低保金按月发放到户。", "", "", "", "", ""],
    ],
    ((0, 0, 0, 5), (9, 0, 9, 5)),
)


def test_title_meta_header_data_totals_footers() -> None:
    layout = form(LOW_INCOME)
    assert layout.title == "青山旗城乡低保对象花名册"
    assert layout.meta["填报单位"] == "青山旗民政局"
    assert layout.meta["填报日期"] == "2026年10月31日"
    assert layout.meta["填表人"] == "赵六"
    assert layout.meta["审核人"] == "钱七"
    assert "注" not in layout.meta
    assert layout.header_rows == (3, 3)
    assert [column.letter for column in layout.columns] == ["A", "B", "C", "D", "E", "F"]
    assert layout.data_rows == (4, 5, 7)
    assert layout.total_rows == (8,)
    assert layout.footer_rows == (9, 10)
    assert not layout.template
    assert layout.confidence >= 0.8


def test_units_in_headers_are_split_off() -> None:
    columns = {column.letter: column for column in form(LOW_INCOME).columns}
    assert (columns["D"].match_text, columns["D"].unit) == ("家庭人口", "人")
    assert (columns["E"].match_text, columns["E"].unit, columns["E"].header) == (
        "月保障金",
        "元",
        "月保障金（元）",
    )
    assert columns["B"].unit is None


# --- merged multi-row headers ---------------------------------------------------------------

TWO_ROW_AT_B2 = grid(
    [
        [],
        ["", "低保家庭成员情况登记表"],
        ["", "序号", "户主姓名", "家庭成员情况", "", "", "备注"],
        ["", "", "", "姓名", "与户主关系", "年龄（岁）", ""],
        ["", 1, "张三", "张小三", "子女", 12, ""],
        ["", 2, "李四", "李小四", "配偶", 40, "无"],
    ],
    ((1, 1, 1, 6), (2, 1, 3, 1), (2, 2, 3, 2), (2, 3, 2, 5), (2, 6, 3, 6)),
)


def test_two_row_header_with_vertical_and_group_merges_from_b2() -> None:
    layout = form(TWO_ROW_AT_B2)
    assert layout.title == "低保家庭成员情况登记表"
    assert layout.header_rows == (3, 4)
    assert paths(layout) == {
        "B": ("序号",),
        "C": ("户主姓名",),
        "D": ("家庭成员情况", "姓名"),
        "E": ("家庭成员情况", "与户主关系"),
        "F": ("家庭成员情况", "年龄（岁）"),
        "G": ("备注",),
    }
    assert layout.columns[0].index == 1
    assert layout.data_rows == (5, 6)


THREE_ROW = grid(
    [
        ["社会组织党建情况表"],
        ["序号", "社会组织名称", "负责人", "", "", "", "党员数"],
        ["", "", "基本情况", "", "联系方式", "", ""],
        ["", "", "姓名", "民族", "手机", "座机", ""],
        [1, "青山旗志愿者协会", "张三", "汉族", "13912345678", "0471-1234567", 5],
    ],
    (
        (0, 0, 0, 6),
        (1, 0, 3, 0),
        (1, 1, 3, 1),
        (1, 2, 1, 5),
        (2, 2, 2, 3),
        (2, 4, 2, 5),
        (1, 6, 3, 6),
    ),
)


def test_three_row_header() -> None:
    layout = form(THREE_ROW)
    assert layout.header_rows == (2, 4)
    assert paths(layout) == {
        "A": ("序号",),
        "B": ("社会组织名称",),
        "C": ("负责人", "基本情况", "姓名"),
        "D": ("负责人", "基本情况", "民族"),
        "E": ("负责人", "联系方式", "手机"),
        "F": ("负责人", "联系方式", "座机"),
        "G": ("党员数",),
    }
    assert layout.data_rows == (5,)


def test_group_header_written_once_without_merges() -> None:
    sheet = grid(
        [
            ["8月销售汇总"],
            ["部门排名", "", "", "", "个人排名", "", ""],
            ["部门", "总销售额", "排名", "", "姓名", "部门", "总销售额"],
            ["销售一部", 1190.23, 2, "", "周一", "销售一部", 200],
            ["销售二部", 1100.88, 3, "", "朱二", "销售二部", 300],
        ]
    )
    layout = form(sheet)
    assert layout.header_rows == (2, 3)
    assert paths(layout) == {
        "A": ("部门排名", "部门"),
        "B": ("部门排名", "总销售额"),
        "C": ("部门排名", "排名"),
        "E": ("个人排名", "姓名"),
        "F": ("个人排名", "部门"),
        "G": ("个人排名", "总销售额"),
    }


def test_csv_two_row_header_without_any_merge() -> None:
    sheet = grid(
        [
            ["序号", "户主姓名", "家庭成员情况", "", "", "备注"],
            ["", "", "姓名", "与户主关系", "年龄（岁）", ""],
            ["1", "张三", "张小三", "子女", "12", ""],
        ]
    )
    layout = form(sheet)
    assert layout.header_rows == (1, 2)
    assert paths(layout) == {
        "A": ("序号",),
        "B": ("户主姓名",),
        "C": ("家庭成员情况", "姓名"),
        "D": ("家庭成员情况", "与户主关系"),
        "E": ("家庭成员情况", "年龄（岁）"),
        "F": ("备注",),
    }
    assert layout.data_rows == (3,)


def test_csv_three_row_header_and_text_only_data() -> None:
    sheet = grid(
        [
            ["社会组织名称", "负责人", "", "", "", "备注"],
            ["", "基本情况", "", "联系方式", "", ""],
            ["", "姓名", "民族", "手机", "座机", ""],
            ["青山旗志愿者协会", "张三", "汉族", "", "", "无"],
            ["青山旗老年人协会", "李四", "蒙古族", "", "", "无"],
        ]
    )
    layout = form(sheet)
    assert layout.header_rows == (1, 3)
    assert paths(layout) == {
        "A": ("社会组织名称",),
        "B": ("负责人", "基本情况", "姓名"),
        "C": ("负责人", "基本情况", "民族"),
        "D": ("负责人", "联系方式", "手机"),
        "E": ("负责人", "联系方式", "座机"),
        "F": ("备注",),
    }
    assert layout.data_rows == (4, 5)


def test_subheader_leaves_may_read_like_totals_or_footers() -> None:
    sheet = grid(
        [
            ["乡镇", "人数", "", "", "审批情况", ""],
            ["", "合计", "男", "女", "审批单位", "审批日期"],
            ["青山镇", 25, 12, 13, "旗民政局", dt.date(2026, 1, 5)],
        ],
        ((0, 0, 1, 0), (0, 1, 0, 3), (0, 4, 0, 5)),
    )
    for variant in (sheet, dataclasses.replace(sheet, merged=())):
        layout = form(variant)
        assert layout.header_rows == (1, 2)
        assert paths(layout)["B"] == ("人数", "合计")
        assert paths(layout)["E"] == ("审批情况", "审批单位")
        assert layout.data_rows == (3,)
        assert layout.footer_rows == ()


def test_repeated_text_instead_of_a_merge_is_one_level() -> None:
    sheet = grid(
        [
            ["姓名", "住房情况", "住房情况"],
            ["姓名", "面积（㎡）", "结构"],
            ["张三", 80, "砖混"],
        ]
    )
    layout = form(sheet, header_rows=2)
    assert paths(layout) == {
        "A": ("姓名",),
        "B": ("住房情况", "面积（㎡）"),
        "C": ("住房情况", "结构"),
    }
    assert layout.columns[1].unit == "㎡"


# --- header cell text -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "match_text", "required", "unit"),
    [
        ("月保障金（元）", "月保障金", False, "元"),
        ("*姓名", "姓名", True, None),
        ("身份证号*", "身份证号", True, None),
        ("住房面积*（㎡）", "住房面积", True, "㎡"),
        ("耕地面积(亩)", "耕地面积", False, "亩"),
        ("补贴标准（元/人·月）", "补贴标准", False, "元/人·月"),
        ("金额（单位：万元）", "金额", False, "万元"),
        ("联系\n电话", "联系电话", False, None),
        ("※ 户籍地址", "户籍地址", True, None),
        ("1、姓名", "姓名", False, None),
        ("（一）姓名", "姓名", False, None),
        ("①姓名", "姓名", False, None),
        ("12.开户银行", "开户银行", False, None),
        ("性别（男/女）", "性别(男/女)", False, None),
        ("备注（党员Y/N）", "备注(党员Y/N)", False, None),
        ("ＩＤ号", "ID号", False, None),
        ("\t党支部", "党支部", False, None),
    ],
)
def test_header_key(header: str, match_text: str, required: bool, unit: str | None) -> None:
    assert header_key(header) == (match_text, required, unit)


@given(st.text(max_size=30))
def test_header_key_never_keeps_whitespace_or_markers(header: str) -> None:
    match_text, _, _ = header_key(header)
    assert not any(character.isspace() for character in match_text)
    assert "*" not in match_text
    assert "※" not in match_text


def test_markers_line_breaks_and_numbering_in_a_form() -> None:
    sheet = grid(
        [
            ["1、姓名*", "2、联系\n电话", "3、住房面积（㎡）"],
            ["张三", "13912345678", 80.5],
        ]
    )
    columns = form(sheet).columns
    assert [column.match_text for column in columns] == ["姓名", "联系电话", "住房面积"]
    assert [column.required for column in columns] == [True, False, False]
    assert columns[1].header == "2、联系\n电话"
    assert columns[1].path == ("2、联系\n电话",)


# --- rows below the header ------------------------------------------------------------------


def test_column_code_row_belongs_to_the_header() -> None:
    sheet = grid(
        [
            ["乡镇", "户数", "人数", "金额（元）"],
            ["甲", "1", "2", "3"],
            ["青山镇", 10, 25, 3000],
            ["红山镇", 1, 2, 3],
        ]
    )
    layout = form(sheet)
    assert layout.header_rows == (1, 2)
    assert paths(layout)["B"] == ("户数",)
    assert layout.data_rows == (3, 4)


def test_template_with_header_only() -> None:
    sheet = grid(
        [
            ["高龄津贴发放花名册"],
            ["序号", "姓名", "身份证号", "年龄", "发放金额（元）"],
            [1, "", "", "", ""],
            [2, "", "", "", ""],
            ["合计", "", "", "", ""],
            ["填表人：", "", "审核人：", "", ""],
        ],
        ((0, 0, 0, 4),),
    )
    layout = form(sheet)
    assert layout.template
    assert layout.data_rows == ()
    assert layout.total_rows == (5,)
    assert layout.footer_rows == (6,)
    assert layout.meta == {"填表人": "", "审核人": ""}


def test_everything_after_the_first_footer_is_footer() -> None:
    sheet = grid(
        [
            ["序号", "姓名", "性别"],
            [1, "张三", "男"],
            ["单位（盖章）", "", ""],
            [2, "李四", "女"],
        ]
    )
    layout = form(sheet)
    assert layout.data_rows == (2,)
    assert layout.footer_rows == (3, 4)


def test_long_single_cell_is_a_note_only_at_the_end() -> None:
    address = "青山旗青山镇幸福村第三村民小组十二号院"
    sheet = grid(
        [
            ["序号", "姓名", "现住址"],
            [1, "张三", "青山镇"],
            ["", "", address],
            [2, "李四", "青山镇"],
            ["本表所列人员均已入户核实，情况属实，如有虚假愿承担责任。", "", ""],
            ["2026年10月31日", "", ""],
        ]
    )
    layout = form(sheet)
    assert layout.data_rows == (2, 3, 4)
    assert layout.footer_rows == (5, 6)


def test_split_total_labels_and_subtotals() -> None:
    sheet = grid(
        [
            ["乡镇", "户数", "人数"],
            ["青山镇", 10, 25],
            ["小 计", 10, 25],
            ["红山镇", 5, 12],
            ["全旗合计", 15, 37],
        ]
    )
    layout = form(sheet)
    assert layout.data_rows == (2, 4)
    assert layout.total_rows == (3, 5)


def test_meta_split_over_cells_and_unit_line() -> None:
    sheet = grid(
        [
            ["2026年第三季度临时救助登记表", "", "", ""],
            ["填报单位（盖章）：", "青山镇人民政府", "统计截止日期：", dt.date(2026, 9, 30)],
            ["", "", "", "单位：元"],
            ["姓名", "救助事由", "救助金额", "审批日期"],
            ["张三", "因病", 2000, dt.date(2026, 8, 1)],
        ]
    )
    layout = form(sheet)
    assert layout.title == "2026年第三季度临时救助登记表"
    assert layout.meta["填报单位（盖章）"] == "青山镇人民政府"
    assert layout.meta["统计截止日期"] == "2026-09-30"
    assert layout.meta["单位"] == "元"
    assert layout.header_rows == (4, 4)


@pytest.mark.parametrize(
    ("line", "leading", "pairs"),
    [
        (
            "填报单位：青山旗民政局（盖章）    填报日期：2026年10月31日",
            "",
            [("填报单位", "青山旗民政局（盖章）"), ("填报日期", "2026年10月31日")],
        ),
        ("青山旗民政局填报日期：2026年10月31日", "青山旗民政局", [("填报日期", "2026年10月31日")]),
        ("填表人：  审核人：", "", [("填表人", ""), ("审核人", "")]),
        ("级基本情况一览表      辅导员：", "级基本情况一览表", [("辅导员", "")]),
        ("附件1：城乡低保对象花名册", "附件1：城乡低保对象花名册", []),
        ("会议时间 10:30", "会议时间 10:30", []),
    ],
)
def test_parse_labels(line: str, leading: str, pairs: list[tuple[str, str]]) -> None:
    assert parse_labels(line) == (leading, pairs)


# --- skipped sheets -------------------------------------------------------------------------


def test_instruction_sheets_by_name_and_by_content() -> None:
    by_name = grid([["代码", "名称"], ["01", "城市低保"]], name="字典")
    prose = grid(
        [
            ["填表说明："],
            ["一、本表由村（社区）填写，每季度末报送乡镇民政办。"],
            ["二、身份证号必须填写18位，末位为X的请用大写。"],
            ["三、金额单位为元，保留两位小数。"],
        ],
        name="Sheet2",
    )
    numbered = grid(
        [
            ["一", "本表由村（社区）填写，每季度末报送乡镇民政办公室。"],
            ["二", "身份证号必须填写十八位，末位为X的请用大写字母。"],
        ]
    )
    for sheet in (by_name, prose, numbered):
        skipped = locate_form(sheet)
        assert isinstance(skipped, SkippedSheet)
        assert skipped.reason == "instructions"


def test_empty_and_undecided_sheets() -> None:
    empty = locate_form(grid([["", ""], ["", ""]]))
    assert isinstance(empty, SkippedSheet)
    assert empty.reason == "empty"
    numbers = locate_form(grid([[1, 2, 3], [4, 5, 6], [7, 8, 9]]))
    assert isinstance(numbers, SkippedSheet)
    assert numbers.reason == "undecided"
    assert "--header-rows" in numbers.message


def test_hidden_sheets_are_skipped_unless_asked_for() -> None:
    shown = grid([["姓名", "性别"], ["张三", "男"]], name="名单")
    hidden = grid([["姓名", "性别"], ["李四", "女"]], name="旧名单", index=1, visible=False)
    book = Workbook(Path("名单.xlsx"), "xlsx", (shown, hidden), "0" * 64)
    first, second = locate_forms(book)
    assert isinstance(first, FormLayout)
    assert isinstance(second, SkippedSheet)
    assert (second.reason, second.sheet, second.sheet_index) == ("hidden", "旧名单", 1)
    assert all(isinstance(found, FormLayout) for found in locate_forms(book, include_hidden=True))


def test_header_rows_override_sets_the_height() -> None:
    layout = form(TWO_ROW_AT_B2, header_rows=1)
    assert layout.header_rows == (3, 3)
    assert layout.data_rows == (4, 5, 6)
    tall = form(THREE_ROW, header_rows=3)
    assert tall.header_rows == (2, 4)


def test_header_rows_override_decides_an_undecided_sheet() -> None:
    sheet = grid([["甲", "乙", "丙"], ["丁", "戊", "己"], ["庚", "辛", "壬"]])
    assert isinstance(locate_form(sheet), SkippedSheet)
    layout = form(sheet, header_rows=1)
    assert layout.header_rows == (1, 1)
    assert layout.data_rows == (2, 3)


def test_header_rows_must_be_positive() -> None:
    with pytest.raises(UsageError):
        locate_form(LOW_INCOME, header_rows=0)


# --- department -----------------------------------------------------------------------------


def test_department_from_explicit_meta_title_and_folder() -> None:
    layout = form(LOW_INCOME)
    plain = Path("县里/台账.xlsx")
    assert detect_department(layout, plain, explicit="残联") == "残联"
    assert detect_department(layout, plain, explicit="卫健委") == "卫健"
    assert detect_department(layout, plain) == "民政"  # 填报单位：青山旗民政局
    untitled = form(grid([["姓名", "性别"], ["张三", "男"]]))
    assert detect_department(untitled, Path("forms/人力资源和社会保障局/2026/名单.xlsx")) == "人社"
    assert detect_department(untitled, Path("forms/派出所/名单.xlsx")) == "公安"
    assert detect_department(untitled, Path("forms/名单.xlsx")) is None
    assert detect_department(untitled, Path("名单.xlsx"), explicit="老干部局") == "老干部局"
    stamped = form(grid([["填报单位（盖章）：青山镇卫生院", ""], ["姓名", "性别"], ["张三", "男"]]))
    assert detect_department(stamped, Path("民政局/名单.xlsx")) == "卫健"
    statistics = form(grid([["人口统计表"], ["姓名", "性别"], ["张三", "男"]]))
    assert detect_department(statistics, Path("x.xlsx")) is None  # "统计表" names no department
    veterans = form(grid([["青山旗退役军人事务局优待金发放名册"], ["姓名", "金额"], ["张三", 100]]))
    assert detect_department(veterans, Path("x.xlsx")) == "退役军人事务"


# --- size -----------------------------------------------------------------------------------


def test_large_sheet_is_fast() -> None:
    rows: list[list[CellValue]] = [["序号", "姓名", "身份证号", "联系电话", "现住址", "备注"]]
    rows += [
        [n, "张三", "150102198001011234", "13912345678", "青山镇幸福村", ""] for n in range(100_000)
    ]
    rows.append(["合计", "", "", "", "", ""])
    started = time.perf_counter()
    layout = form(grid(rows))
    elapsed = time.perf_counter() - started
    assert len(layout.data_rows) == 100_000
    assert layout.total_rows == (100_002,)
    assert elapsed < 3.0


# --- real files written by other people -----------------------------------------------------


def read_real(name: str) -> Workbook:
    path = REAL_FORMS / name
    if not path.exists():
        pytest.skip(f"{path} is not here")
    return read_workbook(path)


def real_form(name: str, sheet: int = 0) -> FormLayout:
    found = locate_forms(read_real(name))[sheet]
    assert isinstance(found, FormLayout), found
    return found


def test_real_party_member_roster() -> None:
    layout = real_form("cms_正式党员名单.xls")
    assert layout.title == "机械学院2016—2017学年度第1学期正式党员报表"
    assert layout.header_rows == (2, 2)
    texts = [column.match_text for column in layout.columns]
    assert texts[:3] == ["序号", "党支部", "姓名"]
    assert texts[-1] == "转正时间"
    assert len(texts) == 12
    assert layout.template
    assert layout.footer_rows == (34,)


def test_real_finance_form_with_two_row_header_and_total() -> None:
    layout = real_form("ap_专项支出用款申请书.xls")
    assert layout.title == "专项支出用款申请书"
    assert layout.header_rows == (4, 5)
    assert paths(layout)["C"] == ("预算科目", "编码")
    assert paths(layout)["G"] == ("收款人", "银行账号")
    assert paths(layout)["I"] == ("申请金额",)
    assert layout.total_rows == (6,)
    assert layout.meta["单位"] == "元"
    assert layout.template
    assert 11 in layout.footer_rows


def test_real_import_template_with_instructions_in_title_and_markers() -> None:
    layout = real_form("ee_紧固件导入模板_t01.xls")
    assert layout.title == "紧密产品同步执行导入模板"
    assert layout.header_rows == (2, 2)
    assert [column.match_text for column in layout.columns if column.required] == [
        "材质", "标准号", "规格", "品名", "表面处理", "计量单位",
    ]  # fmt: skip
    assert layout.data_rows == (3,)


def test_real_sales_summary_with_unmerged_group_headers() -> None:
    layout = real_form("erh_部门月度销售统计_20180808.xls", sheet=1)
    assert layout.header_rows == (2, 3)
    assert paths(layout)["G"] == ("个人排名", "部门")
    assert layout.data_rows == (4, 5, 6, 7, 8)


def test_real_sheets_with_vertical_merges_in_data() -> None:
    layout = real_form("ee_调试记录_t04.xlsx")
    assert layout.header_rows == (1, 1)
    assert layout.data_rows[:2] == (2, 3)
    grants = real_form("cms_年级奖助学金名单.xls")
    assert grants.header_rows == (2, 2)
    assert grants.title == "级奖、助学金名单"


@pytest.mark.parametrize(
    ("name", "first", "rows"),
    [
        ("ee_demo.csv", "字符串标题", 10),
        ("shrek_data_gbk.csv", "PL_Type", 260),
        ("mod_areas.csv", "code", 2978),
    ],
)
def test_real_csv_files_have_their_header_on_the_first_line(
    name: str, first: str, rows: int
) -> None:
    layout = real_form(name)
    assert layout.header_rows == (1, 1)
    assert layout.columns[0].header == first
    assert len(layout.data_rows) == rows


def test_real_sheet_of_one_cell_is_undecided_and_empty_sheets_are_empty() -> None:
    one_cell = locate_forms(read_real("ee_t09_x000D.xlsx"))[0]
    assert isinstance(one_cell, SkippedSheet)
    assert one_cell.reason == "undecided"
    spare = locate_forms(read_real("ap_专项支出用款申请书.xls"))[1:]
    assert [skipped.reason for skipped in spare if isinstance(skipped, SkippedSheet)] == [
        "empty",
        "empty",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "cms_上党校学生名单.xls",
        "cms_学生班级信息一览表.xls",
        "cms_学科竞赛统计表.xls",
        "cms_年级信息一览表.xls",
        "cms_积极分子名单.xls",
        "ee_化妆品配方_t02.xlsx",
        "erh_部门月度销售统计_20180808.xls",
    ],
)
def test_real_single_row_headers_under_a_title(name: str) -> None:
    layout = real_form(name)
    assert layout.title
    assert layout.header_rows == (2, 2)
    assert all(len(column.path) == 1 for column in layout.columns)
    assert layout.confidence >= 0.8


# --- the sample county: every form against the generator's truth ----------------------------

SAMPLE = Path(__file__).resolve().parents[1] / "sample_forms"
# The generator names two departments differently from the layout stage's canonical names.
SAMPLE_DEPARTMENT_NAMES = {"政法综治": "综治", "共青团": "团委"}


def sample_manifest() -> dict[str, Any]:
    path = SAMPLE / "manifest.json"
    if not path.exists():
        pytest.skip("sample_forms/manifest.json is not generated")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


@functools.cache
def sample_layouts(file: str) -> dict[str, FormLayout | SkippedSheet]:
    return {found.sheet: found for found in locate_forms(read_workbook(SAMPLE / file))}


def sample_forms() -> list[dict[str, Any]]:
    path = SAMPLE / "manifest.json"
    if not path.exists():
        return []
    forms: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["forms"]
    return forms


@pytest.mark.parametrize(
    "truth", sample_forms(), ids=lambda truth: f"{truth['file']}!{truth['sheet']}"
)
def test_sample_form_matches_the_manifest(truth: dict[str, Any]) -> None:
    layout = sample_layouts(truth["file"])[truth["sheet"]]
    assert isinstance(layout, FormLayout), layout
    first, last = layout.header_rows
    assert list(range(first, last + 1)) == truth["header_rows"]
    assert [(column.letter, list(column.path)) for column in layout.columns] == [
        (column["letter"], column["path"]) for column in truth["columns"]
    ]
    assert [column.header for column in layout.columns] == [
        column["header"] for column in truth["columns"]
    ]
    assert list(layout.data_rows) == truth["data_rows"]
    assert list(layout.total_rows) == truth["total_rows"]
    assert list(layout.footer_rows) == truth["footer_rows"]
    assert layout.template == (not truth["data_rows"])
    assert layout.confidence >= 0.8
    if len(truth["title_rows"]) == 1:
        assert layout.title == truth["title"]
    department = detect_department(layout, SAMPLE / truth["file"])
    assert department == SAMPLE_DEPARTMENT_NAMES.get(truth["department"], truth["department"])


def test_sample_sheets_that_are_not_forms_are_skipped_for_their_reason() -> None:
    manifest = sample_manifest()
    roles = [
        (book["file"], sheet["name"], sheet["role"])
        for book in manifest["files"]
        for sheet in book["sheets"]
        if sheet["role"] != "form"
    ]
    assert roles
    for file, sheet, role in roles:
        skipped = sample_layouts(file)[sheet]
        assert isinstance(skipped, SkippedSheet), (file, sheet)
        assert skipped.reason == role, (file, sheet)


def test_sample_forms_keep_their_header_without_merges_or_with_the_height_given() -> None:
    """The same sheets with every merge removed (as a CSV export would leave them), and with
    the true header height passed as --header-rows, give the same header block and paths."""
    mismatches = []
    for truth in sample_manifest()["forms"]:
        sheet = next(
            sheet
            for sheet in read_workbook(SAMPLE / truth["file"]).sheets
            if sheet.name == truth["sheet"]
        )
        expected = (truth["header_rows"], [(c["letter"], c["path"]) for c in truth["columns"]])
        bare = locate_form(dataclasses.replace(sheet, merged=()))
        given = locate_form(sheet, header_rows=len(truth["header_rows"]))
        for variant, layout in (("no merges", bare), ("height given", given)):
            assert isinstance(layout, FormLayout), (truth["file"], variant)
            first, last = layout.header_rows
            found = (
                list(range(first, last + 1)),
                [(column.letter, list(column.path)) for column in layout.columns],
            )
            if found != expected or list(layout.data_rows) != truth["data_rows"]:
                mismatches.append((truth["file"], variant))
    assert mismatches == []

"""Write the bundled example forms for `ybt check` (报表准入), byte-identically every run.

Three forms a department might propose to push down to the townships of 青山旗:

- 残疾人基本状况摸底表.xlsx: the sample county's 持证残疾人基本信息台账, re-submitted by 残联
  under a new title as an empty template. Every column is already in the ledgers.
- 高龄老人补贴申领登记表.xlsx: a 民政 template that renames known columns (synonyms, a 监护人
  group header, role prefixes, units in brackets) and adds one new column.
- 电动自行车充电设施排查表.xlsx: a 应急管理 form of genuinely new data about charging places,
  with a few filled rows (invented places; phone numbers are fictitious).

Run: .venv/bin/python examples/check/make_examples.py [--out DIR]
xlsxwriter is used rather than openpyxl because it writes a fixed creation time and stable zip
entries, so regenerating the committed files changes nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]

HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2026, 11, 5, 9, 0, 0)
Cell = str | int | float | dt.date | None


@dataclass(frozen=True)
class Group:
    """A header cell spanning several leaf columns in the row above them."""

    text: str
    leaves: tuple[str, ...]


@dataclass(frozen=True)
class ExampleForm:
    file: str
    title: str
    meta: str
    header: tuple[str | Group, ...]
    rows: tuple[tuple[Cell, ...], ...] = ()
    footer: str = "填表人：            审核人：            联系电话："
    widths: dict[int, float] = field(default_factory=dict)


DISABLED_RESUBMITTED = ExampleForm(
    file="残疾人基本状况摸底表.xlsx",
    title="青山旗残疾人基本状况摸底表",
    meta="填报单位：青山旗残联（盖章）                  填报日期：    年  月  日",
    header=(
        "序号", "姓名", "性别", "民族", "出生日期", "身份证号码", "残疾证号", "残疾类别",
        "残疾等级", "监护人姓名", "联系电话", "现住址", "康复需求", "就业需求", "是否低保",
    ),
)  # fmt: skip

ELDERLY_RENAMED = ExampleForm(
    file="高龄老人补贴申领登记表.xlsx",
    title="青山旗高龄老人补贴申领登记表",
    meta="填报单位：        乡镇（街道）民政办                  填报日期：    年  月  日",
    header=(
        "序号",
        "老人姓名",
        "身份证件号码",
        "性别",
        "出生年月日",
        "户口所在地",
        "联系方式（手机）",
        Group("监护人信息", ("姓名", "联系电话")),
        "赡养人电话",
        "补贴标准（元/月）",
        "老年优待证编号",
        "备注",
    ),
)

CHARGING_NEW = ExampleForm(
    file="电动自行车充电设施排查表.xlsx",
    title="青山旗电动自行车集中充电设施排查表",
    meta="填报单位：青山旗应急管理局                  排查时间：2026年11月",
    header=(
        "序号",
        "所属网格",
        "场所名称",
        "场所地址",
        "管理人",
        "联系电话",
        "充电桩数量（个）",
        "充电端口数（个）",
        "日均停放电动车数（辆）",
        "是否具备定时断电功能",
        "是否配备灭火器材",
        "充电区域与住宅是否分隔",
        "检查日期",
    ),
    rows=(
        (1, "幸福社区第一网格", "幸福社区3号楼车棚", "青山旗白云街道幸福社区3号楼北侧", "王志强",
         "13900000001", 12, 24, 40, "是", "是", "是", dt.date(2026, 11, 3)),
        (2, "幸福社区第二网格", "幸福社区7号楼车棚", "青山旗白云街道幸福社区7号楼东侧", "李桂兰",
         "13900000002", 8, 16, 25, "否", "是", "否", dt.date(2026, 11, 3)),
        (3, "东沟村网格", "东沟村委会充电点", "青山旗红旗镇东沟村村委会院内", "张海",
         "13900000003", 4, 8, 10, "是", "否", "是", dt.date(2026, 11, 4)),
        (4, "建设社区第一网格", "建设小区北门充电棚", "青山旗建设街道建设社区北门", "赵敏",
         "13900000004", 20, 40, 66, "是", "是", "是", dt.date(2026, 11, 4)),
        (5, "前进村网格", "前进村文化广场充电点", "青山旗前进乡前进村文化广场西侧", "刘建国",
         "13900000005", 6, 12, 15, "否", "否", "是", dt.date(2026, 11, 5)),
    ),
    widths={2: 20, 3: 32},
)  # fmt: skip

EXAMPLES = (DISABLED_RESUBMITTED, ELDERLY_RENAMED, CHARGING_NEW)


def leaf_count(header: Sequence[str | Group]) -> int:
    return sum(len(item.leaves) if isinstance(item, Group) else 1 for item in header)


def write_form(form: ExampleForm, folder: Path) -> Path:
    path = folder / form.file
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": FIXED_TIME, "author": "青山旗", "title": form.title})
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
    styles: dict[str, Any] = {
        "title": book.add_format({**base, "bold": True, "font_size": 16, "align": "center"}),
        "meta": book.add_format(base),
        "header": book.add_format(
            {**base, "bold": True, "border": 1, "align": "center", "text_wrap": True}
        ),
        "data": book.add_format({**base, "border": 1}),
        "date": book.add_format({**base, "border": 1, "num_format": "yyyy-mm-dd"}),
    }
    sheet = book.add_worksheet("Sheet1")
    width = leaf_count(form.header)
    sheet.merge_range(0, 0, 0, width - 1, form.title, styles["title"])
    sheet.merge_range(1, 0, 1, width - 1, form.meta, styles["meta"])
    header_height = 2 if any(isinstance(item, Group) for item in form.header) else 1
    _write_header(sheet, form.header, header_height, styles["header"])
    first_data = 2 + header_height
    for offset, row in enumerate(form.rows):
        for column, value in enumerate(row):
            _write_cell(sheet, first_data + offset, column, value, styles)
    blank_rows = 0 if form.rows else 5  # a template shows a few empty boxed rows
    for offset in range(blank_rows):
        for column in range(width):
            sheet.write_blank(first_data + offset, column, None, styles["data"])
    footer_row = first_data + len(form.rows) + blank_rows + 1
    sheet.write_string(footer_row, 0, form.footer, styles["meta"])
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, width - 1, 12)
    for column, size in form.widths.items():
        sheet.set_column(column, column, size)
    book.close()
    return path


def _write_header(sheet: Any, header: Sequence[str | Group], height: int, style: Any) -> None:
    column = 0
    for item in header:
        if isinstance(item, Group):
            last = column + len(item.leaves) - 1
            sheet.merge_range(2, column, 2, last, item.text, style)
            for offset, leaf in enumerate(item.leaves):
                sheet.write_string(3, column + offset, leaf, style)
            column = last + 1
            continue
        if height == 2:
            sheet.merge_range(2, column, 3, column, item, style)
        else:
            sheet.write_string(2, column, item, style)
        column += 1


def _write_cell(sheet: Any, row: int, column: int, value: Cell, styles: dict[str, Any]) -> None:
    if value is None:
        sheet.write_blank(row, column, None, styles["data"])
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
        sheet.write_datetime(row, column, moment, styles["date"])
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value, styles["data"])
    else:
        sheet.write_string(row, column, value, styles["data"])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="写出 ybt check 的示例报表")
    parser.add_argument("--out", type=Path, default=HERE, help="输出目录（默认本目录）")
    arguments = parser.parse_args(argv)
    arguments.out.mkdir(parents=True, exist_ok=True)
    for form in EXAMPLES:
        print(write_form(form, arguments.out))


if __name__ == "__main__":
    main()

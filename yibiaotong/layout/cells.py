"""What one cell says: its kind (text, number, date, code) and, for header cells, a matching key."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Sequence
from enum import Enum

from yibiaotong.model import CellValue


class Kind(Enum):
    EMPTY = "empty"
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CODE = "code"  # long digit strings: ID numbers, phones, accounts
    BOOL = "bool"


_NUMBER = re.compile(r"[+-]?(?:\d+(?:,\d{3})*)(?:\.\d+)?%?")
_CODE = re.compile(r"\d{15,17}[\dXx]|1\d{10}|\d{11,}")
_DATE = re.compile(
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*(?:[-/.月]\s*\d{1,2}\s*日?)?\s*(?:月)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)
_WHITESPACE = re.compile(r"\s+")
# Label cells ("填报单位：青山旗民政局", "填表人：") rather than column names.
_LABEL_VALUE = re.compile(r"[\u4e00-\u9fff）)]\s*[：:]")


def is_blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def filled_cells(row: Sequence[CellValue]) -> list[tuple[int, CellValue]]:
    """(column, value) of a row's non-blank cells; written for speed, it runs on every row."""
    return [
        (column, value)
        for column, value in enumerate(row)
        if value is not None and (value.__class__ is not str or (value and not value.isspace()))
    ]


def cell_text(value: CellValue) -> str:
    """The cell as text, stripped; numbers without a spurious ``.0``; dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def compact(text: str) -> str:
    """NFKC form with every whitespace character removed: the shape used for comparisons."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def cell_kind(value: CellValue) -> Kind:
    if is_blank(value):
        return Kind.EMPTY
    if isinstance(value, bool):
        return Kind.BOOL
    if isinstance(value, int | float):
        return Kind.CODE if abs(value) >= 1e10 else Kind.NUMBER
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        return Kind.DATE
    return _text_kind(str(value).strip())


def _text_kind(text: str) -> Kind:
    """Text can still hold a number, a date or a code typed as text."""
    for pattern, kind in ((_CODE, Kind.CODE), (_NUMBER, Kind.NUMBER), (_DATE, Kind.DATE)):
        if pattern.fullmatch(text):
            return kind
    return Kind.TEXT


@functools.lru_cache(maxsize=8192, typed=True)
def is_header_text(value: CellValue) -> bool:
    """Short text that can name a column (not a number, date, long sentence or label: value)."""
    if cell_kind(value) is not Kind.TEXT:
        return False
    text = str(value)
    return len(compact(text)) <= 40 and not _LABEL_VALUE.search(text)


# Substrings common in column names and rare in cell values; a soft signal only.
HEADER_WORDS = (
    "序号", "编号", "姓名", "名称", "性别", "民族", "年龄", "出生", "身份证", "证件", "号码",
    "电话", "手机", "联系方式", "地址", "住址", "户籍", "籍贯", "日期", "时间", "年月", "备注",
    "类别", "类型", "性质", "情况", "状况", "状态", "金额", "标准", "数量", "人数", "户数",
    "面积", "单位", "部门", "职务", "职业", "学历", "文化程度", "政治面貌", "婚姻", "关系",
    "银行", "账号", "帐号", "账户", "开户", "代码", "编码", "等级", "级别", "原因", "方式",
    "来源", "项目", "内容", "结果", "意见", "是否", "所属", "所在", "班级", "专业", "学号",
    "工号", "规格", "品名", "单价", "月份", "年度", "期限", "批次", "次数", "签名", "收入",
    "补贴", "人口", "规模", "用途", "区划", "位置", "面貌", "程度",
)  # fmt: skip


_HEADER_WORD = re.compile("|".join(map(re.escape, HEADER_WORDS)))


def has_header_word(text: str) -> bool:
    return _HEADER_WORD.search(text) is not None


# --- header cells -------------------------------------------------------------------------------

_REQUIRED_MARK = "*＊※"
_CIRCLED_NUMBER = re.compile(r"^[\u2460-\u2473\u2776-\u2793\u24eb-\u24fe]")
_LEADING_NUMBER = re.compile(
    r"^(?:\d{1,2}[、.)](?!\d)|[一二三四五六七八九十]{1,3}[、.]|\(\d{1,2}\)|\([一二三四五六七八九十]{1,3}\))"
)
_TRAILING_BRACKET = re.compile(r"[（(]\s*([^（）()]*?)\s*[）)]\s*$")
_UNIT_LABEL = re.compile(r"^单位\s*[：:]\s*")
_UNIT_PIECES = re.compile(r"[/／·•.]|每")
UNITS = frozenset(
    unicodedata.normalize("NFKC", unit).lower()
    for unit in (
        "元", "万元", "千元", "亿元", "角", "分", "%", "‰", "㎡", "m²", "平方米", "平米",
        "万平方米", "亩", "公顷", "人", "万人", "户", "个", "次", "人次", "天", "日", "月", "年",
        "周", "小时", "岁", "周岁", "kg", "公斤", "千克", "斤", "吨", "头", "只", "羽", "匹",
        "间", "套", "栋", "辆", "台", "件", "张", "所", "家", "名", "位", "株", "棵", "米", "m",
        "cm", "厘米", "公里", "km", "千瓦时", "度", "立方米", "m³", "升", "l", "项",
    )
)  # fmt: skip


def _is_unit(content: str) -> bool:
    normal = _UNIT_LABEL.sub("", compact(content)).lower()
    if not normal:
        return False
    if normal in UNITS:
        return True
    pieces = [piece for piece in _UNIT_PIECES.split(normal) if piece]
    return bool(pieces) and all(piece in UNITS for piece in pieces)


def _strip_marks(text: str) -> tuple[str, bool]:
    """Remove required markers at either end (also before a trailing bracket)."""
    required = False
    stripped = text.strip()
    while stripped and stripped[0] in _REQUIRED_MARK:
        required, stripped = True, stripped[1:].strip()
    while stripped and stripped[-1] in _REQUIRED_MARK:
        required, stripped = True, stripped[:-1].strip()
    bracket = _TRAILING_BRACKET.search(stripped)
    if bracket:
        before = stripped[: bracket.start()].rstrip()
        if before and before[-1] in _REQUIRED_MARK:
            required = True
            stripped = before.rstrip(_REQUIRED_MARK).rstrip() + stripped[bracket.start() :]
    return stripped, required


@functools.lru_cache(maxsize=8192)
def header_key(header: str) -> tuple[str, bool, str | None]:
    """(match_text, required, unit) for a header cell's text; see HeaderColumn."""
    text, required = _strip_marks(header)
    unit: str | None = None
    bracket = _TRAILING_BRACKET.search(text)
    if bracket and bracket.start() > 0 and _is_unit(bracket.group(1)):
        unit = _UNIT_LABEL.sub("", bracket.group(1).strip()).strip()
        text = text[: bracket.start()]
    text = _CIRCLED_NUMBER.sub("", text.strip())
    key = compact(text)
    for mark in _REQUIRED_MARK:
        key = key.replace(unicodedata.normalize("NFKC", mark), "")
    numbered = _LEADING_NUMBER.sub("", key)
    return (numbered or key), required, unit

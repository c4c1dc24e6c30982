"""How entity keys are compared: person names, organisation names and addresses in one spelling.

Kept apart from the resolver (no polars, no DuckDB) so that readers of the workspace, such as the
report, can compare addresses exactly as entity resolution does without importing it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any


@functools.cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=1 << 16)  # names and addresses repeat across forms
def plain_text(text: str) -> str:
    """Width, script and spaces folded, to a fixed point (removing a space can let NFKC compose
    the characters on either side, so one pass is not always enough)."""
    out = text
    for _ in range(4):
        simplified: str = _t2s().convert(unicodedata.normalize("NFKC", out))
        folded = re.sub(r"\s+", "", simplified)
        if folded == out:
            break
        out = folded
    return out


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_BUILDING = re.compile(r"(\d+)(?:号楼|号栋|栋|幢|座|号座|楼)(?=\d)")
_UNIT = re.compile(r"(\d+)单元")
_ROOM = re.compile(r"(\d+)(?:室|号房|房)?$")
_DASHED = re.compile(r"(\d+)-(\d+)-(\d+)(?:室|号)?$")
HOUSE_NUMBER = re.compile(r"\d+[号室]$")  # a normalised address down to a house or a room


def _cn_number(match: re.Match[str]) -> str:
    text = match.group(0)
    if text == "十":
        return "10"
    if "十" in text:
        tens, _, ones = text.partition("十")
        return str((_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0)))
    return "".join(str(_CN_DIGITS[ch]) for ch in text)


@functools.lru_cache(maxsize=1 << 16)
def normalise_address(text: str) -> str:
    """One spelling per address: width, script, numerals and 号楼/栋/幢, 单元, 室 variants unified.

    "3号楼2单元501室", "3栋2单元501", "３幢２单元５０１室" and "3-2-501" (after the same community
    name) all become "…3栋2单元501室". Idempotent.
    """
    plain = plain_text(text).replace("－", "-").replace("—", "-")
    plain = re.sub(
        r"[一二三四五六七八九十两〇零]+(?=(号楼|栋|幢|座|单元|组|社|队|层|楼))", _cn_number, plain
    )
    dashed = _DASHED.search(plain)
    if dashed:
        building, unit, room = dashed.groups()
        plain = f"{plain[: dashed.start()]}{building}栋{unit}单元{room}室"
    plain = _BUILDING.sub(lambda m: f"{m.group(1)}栋", plain)
    if _UNIT.search(plain):
        plain = _ROOM.sub(lambda m: f"{m.group(1)}室", plain)
    return plain


def normalise_name(text: str) -> str:
    """Person names compare without spaces, width or script differences, and with a unified dot."""
    return plain_text(text).replace("．", "·").replace(".", "·").replace("•", "·")


def normalise_org_name(text: str) -> str:
    """Organisation names compare without width, script, spaces and bracket-style differences."""
    return plain_text(text).replace("（", "(").replace("）", ")")

"""Label-value lines around a form: 填报单位：…  填报日期：…  填表人：…  审核人：…"""

from __future__ import annotations

import re

from yibiaotong.layout.cells import compact

# Labels seen on meta and footer lines; used to split "青山旗民政局填报日期：" into value and label.
KNOWN_LABELS = (
    "填报单位", "报送单位", "编制单位", "申请单位", "填报日期", "填表日期", "报送日期", "制表日期",
    "统计截止日期", "截止日期", "统计日期", "统计时间", "填报时间", "填报人", "填表人", "制表人",
    "审核人", "审批人", "复核人", "经办人", "统计人", "负责人", "单位负责人", "联系人", "联系电话",
    "电话", "日期", "单位", "所属乡镇", "乡镇", "街道", "社区", "村", "嘎查", "部门",
)  # fmt: skip
# Lines that are notes, not fields: kept as footers but not as meta entries.
NOTE_LABELS = frozenset({"注", "说明", "备注", "填表说明", "填报说明", "附注"})

_LABEL = re.compile(r"(\S+?)\s*[：:]")
_HAS_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_NOT_LABEL = re.compile(r"^(?:附件|附表|表)\s*\d*$|^\d")
_MAX_LABEL = 15


def _split_label(run: str) -> tuple[str, str]:
    """(text belonging to the previous value, label) for a run of characters before a colon."""
    if len(run) <= 6 or run in KNOWN_LABELS:
        return "", run
    for label in sorted(KNOWN_LABELS, key=len, reverse=True):
        if run.endswith(label) and len(run) > len(label):
            return run[: -len(label)], label
    return "", run


def parse_labels(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Split a line into leading text and (label, value) pairs, in order.

    "填报单位：青山旗民政局  填报日期：2026年10月31日" → ("", [("填报单位", "青山旗民政局"),
    ("填报日期", "2026年10月31日")]). Times ("10:30") and numbered titles ("附件1：") are no labels.
    """
    starts: list[tuple[int, int, str]] = []  # (label start, value start, label)
    for match in _LABEL.finditer(text):
        prefix, label = _split_label(match.group(1))
        if not _HAS_WORD.search(label) or _NOT_LABEL.match(label) or len(label) > _MAX_LABEL:
            continue
        starts.append((match.start(1) + len(prefix), match.end(), label))
    if not starts:
        return text.strip(), []
    leading = text[: starts[0][0]].strip()
    pairs: list[tuple[str, str]] = []
    for position, (_, value_start, label) in enumerate(starts):
        value_end = starts[position + 1][0] if position + 1 < len(starts) else len(text)
        pairs.append((label, text[value_start:value_end].strip()))
    return leading, pairs


def meta_entries(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Pairs as meta entries: notes left out, the first non-empty value of a label kept."""
    entries: dict[str, str] = {}
    for label, value in pairs:
        if compact(label) in NOTE_LABELS:
            continue
        if not entries.get(label):
            entries[label] = value
    return entries

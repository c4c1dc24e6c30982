"""Which department a form belongs to: from the user, the 填报单位, the title or the folder."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from yibiaotong.layout.cells import compact
from yibiaotong.layout.records import FormLayout

# Canonical short name → names a department goes by (the short name itself is matched too).
DEPARTMENT_ALIASES: dict[str, tuple[str, ...]] = {
    "民政": ("民政局", "民政所", "民政办", "民政厅", "民政部门"),
    "人社": (
        "人力资源和社会保障局", "人力资源和社会保障", "人力资源社会保障局", "人社局", "人社所",
        "劳动保障所", "社会保障中心",
    ),
    "卫健": (
        "卫生健康委员会", "卫生健康局", "卫生健康委", "卫生和计划生育委员会", "卫健委", "卫健局",
        "卫计委", "卫生院",
    ),
    "医保": ("医疗保障局", "医保局", "医疗保障中心"),
    "退役军人事务": ("退役军人事务局", "退役军人服务站", "退役军人服务中心", "退役军人"),
    "残联": ("残疾人联合会", "残联"),
    "公安": ("公安局", "公安分局", "派出所"),
    "住建": ("住房和城乡建设局", "住房城乡建设局", "住建局"),
    "应急管理": ("应急管理局", "应急局"),
    "组织部": ("党委组织部", "委组织部"),
    "统战部": ("党委统战部", "统一战线工作部"),
    "妇联": ("妇女联合会",),
    "教育": ("教育局", "教育体育局", "教体局"),
    "农牧": ("农牧局", "农业农村局", "农牧和科技局", "农业农村和水利局"),
    "市场监管": ("市场监督管理局", "市场监管局", "市场监管所", "市场监督管理所"),
    "司法": ("司法局", "司法所"),
    "信访": ("信访局", "信访办"),
    "综治": ("政法委", "政法委员会", "综治中心", "综治办", "社会治安综合治理"),
    "自然资源": ("自然资源局", "自然资源和规划局", "国土资源局"),
    "乡村振兴": ("乡村振兴局", "扶贫办"),
    "统计": ("统计局", "统计站"),
    "团委": ("共青团", "团旗委", "团县委", "团市委"),
    "武装部": ("人民武装部",),
    "财政": ("财政局", "财政所"),
    "林草": ("林业和草原局", "林草局", "林业局"),
}  # fmt: skip
# Short names too common in titles to mean a department there ("…统计表").
AMBIGUOUS_IN_TITLES = frozenset({"统计", "教育"})
UNIT_KEYS = ("填报单位", "报送单位", "编制单位", "申请单位", "单位", "部门")


def _names(*, bare: bool) -> list[tuple[str, str]]:
    """(name, canonical) pairs, longest name first so 退役军人事务局 beats 退役军人."""
    pairs = [
        (compact(alias), canonical)
        for canonical, aliases in DEPARTMENT_ALIASES.items()
        for alias in aliases
    ]
    pairs += [
        (canonical, canonical)
        for canonical in DEPARTMENT_ALIASES
        if bare or canonical not in AMBIGUOUS_IN_TITLES
    ]
    return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)


_ALL_NAMES = _names(bare=True)
_TITLE_NAMES = _names(bare=False)


def department_in(text: str, *, in_title: bool = False) -> str | None:
    """The canonical department named in a piece of text, if any."""
    normal = compact(text)
    for name, canonical in _TITLE_NAMES if in_title else _ALL_NAMES:
        if name in normal:
            return canonical
    return None


def _first(found: Iterable[str | None]) -> str | None:
    return next((department for department in found if department), None)


def detect_department(layout: FormLayout, path: Path, explicit: str | None = None) -> str | None:
    """explicit wins; then 填报单位, the title, folder names (nearest first), the file name."""
    if explicit and explicit.strip():
        return department_in(explicit) or explicit.strip()
    units = (value for key, value in layout.meta.items() if value and key.startswith(UNIT_KEYS))
    found = _first(department_in(unit) for unit in units)
    if found:
        return found
    if layout.title:
        found = department_in(layout.title, in_title=True)
        if found:
            return found
    folders = reversed(path.parent.parts)
    return _first(department_in(folder) for folder in folders) or department_in(
        path.stem, in_title=True
    )

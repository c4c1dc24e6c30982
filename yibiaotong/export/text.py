"""The text of a generated form that is not data: the title and meta lines with the period and
the county filled in, and the 说明 sheet — both rendered with jinja2 from templates/export/.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TITLE_TEMPLATE = "export/title.j2"
NOTES_TEMPLATE = "export/notes.j2"

_PERIOD = re.compile(
    r"(?P<date>(?P<d_y>\d{4})\s*年\s*(?P<d_m>\d{1,2})\s*月\s*(?P<d_d>\d{1,2})\s*日)"
    r"|(?P<sepdate>(?P<s_y>\d{4})(?P<s_sep>[-/.])(?P<s_m>\d{1,2})(?P=s_sep)(?P<s_d>\d{1,2}))"
    r"|(?P<range>(?P<r_y1>\d{4})\s*(?P<r_sep>[—–~至-])\s*(?P<r_y2>\d{4})\s*年(?P<r_suffix>度)?)"
    r"|(?P<month>(?P<m_y>\d{4})\s*年\s*(?P<m_m>\d{1,2})\s*月(?P<m_suffix>份)?)"
    r"|(?P<year>(?P<y_y>\d{4})\s*年(?P<y_suffix>度)?)"
    r"|(?P<quarter>第(?P<q>[一二三四1-4])季度)"
    r"|(?P<half>[上下]半年)"
)
_YEARS = range(1900, 2200)


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=False,  # plain text for spreadsheet cells, not HTML
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )
    env.filters["pad"] = lambda number, padded: f"{number:02d}" if padded else str(number)
    return env


def text_parts(text: str, county: str) -> list[dict[str, Any]]:
    """A line of text cut into the county name, periods and plain text, for title.j2."""
    parts: list[dict[str, Any]] = []
    position = 0
    for found in _PERIOD.finditer(text):
        part = _period_part(found)
        if part is None:
            continue
        parts += _county_parts(text[position : found.start()], county)
        parts.append(part)
        position = found.end()
    parts += _county_parts(text[position:], county)
    return parts


def _county_parts(text: str, county: str) -> list[dict[str, Any]]:
    if not text:
        return []
    if not county or county not in text:
        return [{"kind": "text", "text": text}]
    parts: list[dict[str, Any]] = []
    for index, piece in enumerate(text.split(county)):
        if index:
            parts.append({"kind": "county", "text": county})
        if piece:
            parts.append({"kind": "text", "text": piece})
    return parts


def _period_part(found: re.Match[str]) -> dict[str, Any] | None:
    kind = found.lastgroup
    groups = found.groupdict()
    year = next((groups[g] for g in ("d_y", "s_y", "r_y1", "m_y", "y_y") if groups[g]), None)
    if year is not None and int(year) not in _YEARS:
        return None
    if kind == "date":
        return {"kind": "date", "style": "cn", "padded": _padded(groups["d_m"], groups["d_d"])}
    if kind == "sepdate":
        padded = _padded(groups["s_m"], groups["s_d"], default=groups["s_sep"] == "-")
        return {"kind": "date", "style": "sep", "sep": groups["s_sep"], "padded": padded}
    if kind == "range":
        span = int(groups["r_y2"]) - int(groups["r_y1"])
        return {
            "kind": "range",
            "sep": groups["r_sep"],
            "span": span,
            "suffix": groups["r_suffix"] or "",
        }
    if kind == "month":
        return {
            "kind": "month",
            "padded": _padded(groups["m_m"]),
            "suffix": groups["m_suffix"] or "",
        }
    if kind == "year":
        return {"kind": "year", "suffix": groups["y_suffix"] or ""}
    if kind == "quarter":
        return {"kind": "quarter", "chinese": not groups["q"].isdigit()}
    return {"kind": "half"}


def _padded(*numbers: str, default: bool = False) -> bool:
    telling = [n for n in numbers if int(n) < 10]
    return all(len(n) == 2 for n in telling) if telling else default


def render_line(text: str, county: str, as_of: dt.date) -> str:
    """A title or meta line with its periods moved to ``as_of`` and the county filled in."""
    parts = text_parts(text, county)
    if all(part["kind"] == "text" for part in parts):
        return text
    template = environment().get_template(TITLE_TEMPLATE)
    return template.render(
        parts=parts, county=county, as_of=as_of, quarter=(as_of.month - 1) // 3 + 1
    )


def render_notes(context: Mapping[str, Any]) -> list[list[str]]:
    """The 说明 sheet: one list of cell texts per line of notes.j2 (cells split at tabs)."""
    text = environment().get_template(NOTES_TEMPLATE).render(**context)
    return [line.split("\t") for line in text.split("\n")]

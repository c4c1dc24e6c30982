"""Inline SVG bar charts for the HTML report: no script, no network, prints as vectors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from yibiaotong.messages import msg
from yibiaotong.report.figures import Report

SEVERITY_COLOURS = {"error": "#c0392b", "warning": "#d68910", "info": "#5d6d7e"}
FORM_COLOUR = "#2e86c1"
LEDGER_COLOUR = "#28b463"


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: tuple[float, ...]
    colours: tuple[str, ...]  # one per bar, or a single colour for all


def horizontal_bars(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    legend: Sequence[tuple[str, str]],
    *,
    label_width: int = 200,
    width: int = 680,
) -> str:
    """A grouped horizontal bar chart; ``legend`` is (name, colour) pairs; values are printed at
    the bar ends and as tooltips."""
    bar, gap, top = 14, 10, 56
    group = bar * len(series) + gap
    height = top + group * len(categories) + 16
    plot = width - label_width - 60
    largest = max([v for s in series for v in s.values] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f'<text x="0" y="18" class="chart-title">{escape(title)}</text>',
    ]
    parts.extend(_legend(legend, label_width))
    for index, category in enumerate(categories):
        y = top + index * group
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar * len(series) / 2 + 4:.1f}" '
            f'text-anchor="end" class="chart-label">{escape(category)}</text>'
        )
        for offset, item in enumerate(series):
            value = item.values[index]
            length = plot * value / largest
            colour = item.colours[index] if len(item.colours) > 1 else item.colours[0]
            top_y = y + offset * bar
            parts.append(
                f'<rect x="{label_width}" y="{top_y}" width="{length:.1f}" height="{bar - 2}" '
                f'fill="{colour}"><title>{escape(category)} · {escape(item.name)}：'
                f"{value:,.0f}</title></rect>"
            )
            parts.append(
                f'<text x="{label_width + length + 4:.1f}" y="{top_y + bar - 4}" '
                f'class="chart-value">{value:,.0f}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _legend(legend: Sequence[tuple[str, str]], left: int) -> list[str]:
    parts = []
    x = left
    for name, colour in legend:
        parts.append(f'<rect x="{x}" y="30" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="40" class="chart-label">{escape(name)}</text>')
        x += 28 + 14 * len(name)
    return parts


def departments_chart(report: Report) -> str:
    """Forms versus the ledgers they draw on, per department."""
    departments = report.departments
    return horizontal_bars(
        msg("report.section.chart_departments"),
        [d.department for d in departments],
        [
            Series(
                msg("report.column.forms"),
                tuple(float(d.forms) for d in departments),
                (FORM_COLOUR,),
            ),
            Series(
                msg("report.column.ledgers"),
                tuple(float(d.ledgers) for d in departments),
                (LEDGER_COLOUR,),
            ),
        ],
        [(msg("report.column.forms"), FORM_COLOUR), (msg("report.column.ledgers"), LEDGER_COLOUR)],
        label_width=140,
    )


def findings_chart(report: Report) -> str:
    """Findings by code, coloured by severity; empty when there are none."""
    findings = report.quality.findings
    if not findings:
        return ""
    return horizontal_bars(
        msg("report.section.chart_findings"),
        [f.label for f in findings],
        [
            Series(
                msg("report.column.count"),
                tuple(float(f.count) for f in findings),
                tuple(SEVERITY_COLOURS.get(f.severity, "#888888") for f in findings),
            )
        ],
        [(msg(f"report.severity.{s}"), colour) for s, colour in SEVERITY_COLOURS.items()],
        label_width=240,
    )

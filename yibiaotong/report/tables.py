"""The report's tables, defined once for every format: headers, raw cell values and how to show
them. Terminal, HTML, Markdown and xlsx all draw from here, so they cannot disagree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from yibiaotong.messages import catalogue, msg
from yibiaotong.report.figures import GROUPS, Figure, LedgerFigures, Report, ReportChanges

Cell = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class TableColumn:
    key: str
    header: str
    kind: str  # "text" | "count" | "rate" | "number" | "flag"
    brief: bool = True  # shown on an 80-column terminal


@dataclass(frozen=True, slots=True)
class ReportTable:
    key: str
    title: str
    columns: tuple[TableColumn, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def brief(self) -> ReportTable:
        """The same table with only the columns an 80-column terminal shows."""
        keep = [i for i, c in enumerate(self.columns) if c.brief]
        return ReportTable(
            self.key,
            self.title,
            tuple(self.columns[i] for i in keep),
            tuple(tuple(row[i] for i in keep) for row in self.rows),
        )


def _column(key: str, kind: str = "count", *, brief: bool = True) -> TableColumn:
    return TableColumn(key, msg(f"report.column.{key}"), kind, brief)


def format_cell(value: Cell, kind: str) -> str:
    """A cell as text: counts with thousands separators, rates as percentages, flags as 是/否."""
    if value is None:
        return msg("report.none")
    if kind == "flag" or isinstance(value, bool):
        return msg("report.answer_yes") if value else msg("report.answer_no")
    if kind == "rate" and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if kind == "count" and isinstance(value, int | float):
        return f"{value:,.0f}"
    if kind == "number" and isinstance(value, int | float):
        return f"{value:,.2f}"
    return str(value)


def format_number(value: float | None) -> str:
    """A numerator or denominator: whole numbers with separators, others to four decimals."""
    if value is None:
        return msg("report.none")
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.4f}"


def format_value(figure: Figure) -> str:
    return format_cell(figure.value, "rate" if figure.kind == "rate" else "count")


def format_points(delta: float | None, kind: str) -> str:
    """A change: percentage points for rates, a signed count otherwise."""
    if delta is None:
        return msg("report.none")
    if kind == "rate":
        return f"{delta * 100:+.1f} 个百分点"
    return f"{delta:+,.0f}"


def _key_text(ledger: LedgerFigures) -> str:
    return "；".join(f"{k.name} {format_cell(k.rate, 'rate')}" for k in ledger.key_elements) or msg(
        "report.none"
    )


def department_table(report: Report) -> ReportTable:
    return ReportTable(
        "departments",
        msg("report.section.departments"),
        (
            _column("department", "text"),
            _column("forms"),
            _column("generated_forms", brief=False),
            _column("data_columns"),
            _column("mapped_columns", brief=False),
            _column("elements", brief=False),
            _column("ledgers"),
            _column("fillable_columns", brief=False),
            _column("prefill_rate_totals", "rate"),
            _column("prefill_rate_mean", "rate"),
            _column("rows"),
        ),
        tuple(
            (
                d.department,
                d.forms,
                d.generated_forms,
                d.data_columns,
                d.mapped_columns,
                d.elements,
                d.ledgers,
                d.fillable_columns,
                d.prefill_rate,
                d.prefill_rate_mean,
                d.rows,
            )
            for d in report.departments
        ),
    )


def form_table(report: Report) -> ReportTable:
    return ReportTable(
        "forms",
        msg("report.section.forms"),
        (
            _column("department", "text"),
            _column("form", "text"),
            _column("file", "text", brief=False),
            _column("periods", brief=False),
            _column("rows"),
            _column("data_columns"),
            _column("mapped_columns", brief=False),
            _column("unmapped_columns", brief=False),
            _column("elements", brief=False),
            _column("fillable_columns", brief=False),
            _column("prefill_rate", "rate"),
            _column("generated", "flag"),
            _column("ledgers", "text", brief=False),
        ),
        tuple(
            (
                f.department,
                f.title,
                "、".join(f.files),
                f.periods,
                f.rows,
                f.data_columns,
                f.mapped_columns,
                f.unmapped_columns,
                f.elements,
                f.fillable_columns,
                f.prefill_rate,
                f.generated,
                "、".join(f.ledgers),
            )
            for f in report.forms
        ),
    )


def ledger_table(report: Report) -> ReportTable:
    return ReportTable(
        "ledgers",
        msg("report.section.ledgers"),
        (
            _column("ledger", "text"),
            _column("entity", "text", brief=False),
            _column("elements", brief=False),
            _column("forms"),
            _column("departments", "text", brief=False),
            _column("records"),
            _column("key_elements", "text", brief=False),
            _column("key_rate", "rate"),
        ),
        tuple(
            (
                ledger.name,
                catalogue().get(f"report.entity.{ledger.entity}", ledger.entity),
                ledger.elements_used,
                ledger.forms,
                "、".join(ledger.departments),
                ledger.records,
                _key_text(ledger),
                ledger.key_rate,
            )
            for ledger in report.ledgers
        ),
    )


def unmapped_table(report: Report) -> ReportTable:
    return ReportTable(
        "unmapped",
        msg("report.section.unmapped"),
        (
            _column("header", "text"),
            _column("columns"),
            _column("forms"),
            _column("in_departments", "text"),
        ),
        tuple((u.header, u.columns, u.forms, "、".join(u.departments)) for u in report.unmapped),
    )


def quality_tables(report: Report) -> tuple[ReportTable, ...]:
    quality = report.quality
    return (
        ReportTable(
            "findings",
            msg("report.section.findings"),
            (
                _column("code", "text", brief=False),
                _column("label", "text"),
                _column("severity", "text"),
                _column("count"),
            ),
            tuple(
                (f.code, f.label, msg(f"report.severity.{f.severity}"), f.count)
                for f in quality.findings
            ),
        ),
        ReportTable(
            "conflicts_by_element",
            msg("report.section.conflicts_by_element"),
            (
                _column("element", "text"),
                _column("ledger", "text", brief=False),
                _column("conflicts"),
                _column("values"),
            ),
            tuple(
                (c.element_name, c.ledger_id, c.entities, c.cells)
                for c in quality.conflicts_by_element
            ),
        ),
        ReportTable(
            "conflicts_by_department",
            msg("report.section.conflicts_by_department"),
            (
                _column("department", "text"),
                _column("involved"),
                _column("chosen"),
                _column("overruled"),
            ),
            tuple(
                (c.department, c.involved, c.chosen, c.overruled)
                for c in quality.conflicts_by_department
            ),
        ),
        ReportTable(
            "key_validity",
            msg("report.section.key_validity"),
            (
                _column("element", "text"),
                _column("non_blank"),
                _column("valid"),
                _column("rate", "rate"),
            ),
            tuple((k.element_name, k.non_blank, k.valid, k.rate) for k in quality.key_validity),
        ),
        ReportTable(
            "problem_forms",
            msg("report.section.problem_forms"),
            (
                _column("department", "text"),
                _column("form", "text"),
                _column("errors"),
                _column("warnings"),
                _column("infos", brief=False),
                _column("cells", brief=False),
                _column("per_100", "number"),
            ),
            tuple(
                (p.department, p.title, p.errors, p.warnings, p.infos, p.cells, p.per_100)
                for p in quality.problem_forms
            ),
        ),
    )


def change_tables(changes: ReportChanges) -> tuple[ReportTable, ...]:
    """The changes since the previous report: figures, finding counts, forms added or removed."""
    tables = []
    if changes.figures:
        tables.append(
            ReportTable(
                "changed_figures",
                msg("report.changes.figures"),
                (
                    _column("figure", "text"),
                    _column("before", "text"),
                    _column("after", "text"),
                    _column("change", "text"),
                ),
                tuple(
                    (
                        c.label,
                        format_cell(c.before, c.kind),
                        format_cell(c.after, c.kind),
                        format_points(c.delta, c.kind),
                    )
                    for c in changes.figures
                ),
            )
        )
    if changes.findings:
        tables.append(
            ReportTable(
                "changed_findings",
                msg("report.changes.findings"),
                (
                    _column("label", "text"),
                    _column("before"),
                    _column("after"),
                    _column("change", "text"),
                ),
                tuple(
                    (c.label, c.before, c.after, format_points(c.delta, "count"))
                    for c in changes.findings
                ),
            )
        )
    for key, forms in (
        ("forms_added", changes.forms_added),
        ("forms_removed", changes.forms_removed),
    ):
        if forms:
            tables.append(
                ReportTable(
                    key,
                    msg(f"report.changes.{key}", n=len(forms)),
                    (_column("department", "text"), _column("form", "text")),
                    tuple((f.department, f.title) for f in forms),
                )
            )
    return tuple(tables)


def figures_by_group(report: Report) -> list[tuple[str, Sequence[Figure]]]:
    """(group title, its figures) in report order."""
    return [
        (msg(f"report.groups.{group}"), [f for f in report.figures if f.group == group])
        for group in GROUPS
    ]

"""The Markdown report (templates/report/report.md.j2): the same figures and tables as HTML,
for wikis, e-mail-free hand-overs and reviewable diffs."""

from __future__ import annotations

import functools

import jinja2

from yibiaotong.report.figures import Report
from yibiaotong.report.render_html import TEMPLATES, template_context


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell: pipes escaped, line breaks flattened."""
    return str(text).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "report"),
        autoescape=False,  # Markdown, not HTML: cells are escaped for tables by the md filter
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["md"] = _cell
    return environment


def render_markdown(report: Report) -> str:
    """The whole report as one Markdown document."""
    return _environment().get_template("report.md.j2").render(template_context(report))

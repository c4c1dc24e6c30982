"""Terminal rendering with rich: tables, progress, JSON. Personal values arrive already masked."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from yibiaotong.messages import msg

_STATUS_KEYS = {
    "stored": "cli.ingest.status.stored",
    "unchanged": "cli.ingest.status.unchanged",
    "replaced": "cli.ingest.status.replaced",
    "needs-replace": "cli.ingest.status.needs_replace",
    "failed": "cli.ingest.status.failed",
    "no-form": "cli.ingest.status.no_form",
}


@functools.cache
def console() -> Console:
    return Console(highlight=False)


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")


@contextmanager
def ingest_progress(total: int, *, quiet: bool) -> Iterator[Callable[[Path], None]]:
    """A progress bar advanced once per file; silent for --json or when nothing is a terminal."""
    if quiet or total == 0:
        yield lambda _path: None
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with progress:
        task = progress.add_task(msg("cli.ingest.progress"), total=total)
        started = False

        def advance(path: Path) -> None:
            nonlocal started
            if started:
                progress.advance(task)
            started = True
            progress.update(task, description=msg("cli.ingest.progress_file", name=path.name[:30]))

        yield advance


def render_ingest(report: Any) -> None:
    out = console()
    table = Table(title=msg("cli.ingest.table_title"), show_lines=False, pad_edge=False)
    table.add_column(msg("cli.ingest_table.file"), overflow="ellipsis", no_wrap=True, max_width=28)
    table.add_column(msg("cli.ingest_table.status"), no_wrap=True)
    for key in ("forms", "rows", "columns", "mapped", "review", "error", "warning"):
        table.add_column(msg(f"cli.ingest_table.{key}"), justify="right", no_wrap=True)
    for outcome in report.files:
        table.add_row(
            Path(outcome.path).name,
            msg(_STATUS_KEYS.get(outcome.status, "cli.ingest.status.failed")),
            str(outcome.forms),
            str(outcome.rows),
            str(outcome.columns),
            str(outcome.mapped),
            str(outcome.review),
            str(outcome.findings.get("error", 0)),
            str(outcome.findings.get("warning", 0)),
        )
    out.print(table)
    for outcome in report.files:
        if outcome.message:
            out.print(f"· {Path(outcome.path).name}：{outcome.message}")
    totals = report.totals()
    out.print(msg("cli.ingest.totals", **totals))


def render_rows(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str | tuple[str, str]] | None,
    *,
    title: str,
) -> None:
    """A table of ``rows``; a column is a key (its header from the catalogue, cli.columns.*)
    or a (key, header) pair where the header is data, such as an element's name."""
    out = console()
    if not rows:
        out.print(title)
        return
    spec = [
        column if isinstance(column, tuple) else (column, _header(column))
        for column in (columns or list(rows[0]))
    ]
    table = Table(title=title)
    for _, header in spec:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(key)) for key, _ in spec))
    out.print(table)


def render_findings(rows: Sequence[dict[str, Any]], limit: int) -> None:
    from yibiaotong.model import Severity

    shown = [
        {**row, "severity": Severity(row["severity"]).label if row.get("severity") else None}
        for row in rows[:limit]
    ]
    render_rows(
        shown,
        [
            "location",
            "code",
            "severity",
            "message",
            "raw",
        ],
        title=msg("cli.findings.title", n=len(rows)),
    )


def _header(key: str) -> str:
    try:
        return msg(f"cli.columns.{key}")
    except KeyError:
        return key


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "；".join(
            f"{item.get('name', item.get('element'))} {item.get('score', '')}"
            if isinstance(item, dict)
            else str(item)
            for item in value[:3]
        )
    return str(value)

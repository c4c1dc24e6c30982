"""`ybt export`: every department's forms, filled from the ledgers; `--log` lists the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from yibiaotong.cli import app
from yibiaotong.cli.render import console, emit_json, render_rows
from yibiaotong.errors import UsageError
from yibiaotong.messages import msg


@app.command("export", help=msg("export.cli.help"))
def export_command(
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", help=msg("cli.workspace_help"), show_default=False),
    ] = None,
    dept: Annotated[
        list[str] | None, typer.Option("--dept", help=msg("export.cli.dept"), show_default=False)
    ] = None,
    form: Annotated[
        list[str] | None, typer.Option("--form", help=msg("export.cli.form"), show_default=False)
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help=msg("export.cli.out"), show_default=False)
    ] = None,
    file_format: Annotated[str, typer.Option("--format", help=msg("export.cli.format"))] = "xlsx",
    mask: Annotated[
        list[str] | None, typer.Option("--mask", help=msg("export.cli.mask"), show_default=False)
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help=msg("export.cli.as_of"), show_default=False)
    ] = None,
    log: Annotated[bool, typer.Option("--log", help=msg("export.cli.log"))] = False,
    limit: Annotated[int, typer.Option("--limit", help=msg("export.cli.limit"))] = 50,
    as_json: Annotated[bool, typer.Option("--json", help=msg("app.json_help"))] = False,
) -> None:
    from yibiaotong.schema import load_schema
    from yibiaotong.settings import load_settings
    from yibiaotong.storage import Store

    settings = load_settings({"workspace": workspace})
    if log:
        from yibiaotong.export import export_log

        with Store.open(settings.database, read_only=True) as store:
            entries = export_log(store)
        _show_log(entries, limit, as_json=as_json)
        return
    from yibiaotong.export import ExportOptions, export_forms

    options = ExportOptions(
        departments=tuple(dept or ()),
        forms=tuple(form or ()),
        out=out,
        file_format=file_format.strip().lower(),
        masks=tuple(mask or ()),
        as_of=_date(as_of),
    )
    schema = load_schema(settings.schema_extensions)
    with Store.open(settings.database) as store, _progress(quiet=as_json) as advance:
        summary = export_forms(store, schema, settings, options, progress=advance)
    if as_json:
        emit_json(summary.as_dict())
        return
    _show_summary(summary.as_dict())


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as error:
        raise UsageError(msg("export.bad_as_of", text=text)) from error


@contextmanager
def _progress(*, quiet: bool) -> Iterator[Callable[[int, int, Any], None] | None]:
    """A progress bar advanced once per generated form (on stderr; none for --json)."""
    if quiet:
        yield None
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
        task = progress.add_task(msg("export.cli.progress"), total=None)

        def advance(done: int, total: int, form: Any) -> None:
            title = str(form.title)[:24]
            description = msg("export.cli.progress_form", title=title)
            progress.update(task, completed=done, total=total, description=description)

        yield advance


def _show_summary(summary: dict[str, Any]) -> None:
    totals = summary["totals"]
    rows = [
        {
            "department": form["department"] or "—",
            "form": form["title"],
            "rows": form["rows"],
            "added": form["added"],
            "left": len(form["left"]),
            "from_others": form["from_others"],
            "masked": "、".join(form["masks"]) or "—",
            "file": Path(form["path"]).name,
        }
        for form in summary["forms"]
    ]
    keys = ("department", "form", "rows", "added", "left", "from_others", "masked", "file")
    render_rows(
        rows,
        [(key, msg(f"export.cli.columns.{key}")) for key in keys],
        title=msg(
            "export.cli.table_title",
            forms=totals["forms"],
            departments=totals["departments"],
            out=summary["out"],
        ),
    )
    console().print(msg("export.cli.totals", **totals))


def _show_log(entries: list[dict[str, Any]], limit: int, *, as_json: bool) -> None:
    if as_json:
        emit_json(entries)
        return
    out = console()
    if not entries:
        out.print(msg("export.cli.log_empty"))
        return
    rows = [
        {
            "when": entry["exported_at"],
            "by": entry["exported_by"],
            "department": entry["department"] or "—",
            "form": entry["form"],
            "rows": entry["rows"],
            "elements": len(entry["elements"]),
            "masked": "、".join(entry["masks"]) or "—",
            "file": entry["path"],
        }
        for entry in entries[:limit]
    ]
    keys = ("when", "by", "department", "form", "rows", "elements", "masked", "file")
    render_rows(
        rows,
        [(key, msg(f"export.cli.columns.{key}")) for key in keys],
        title=msg("export.cli.log_title", n=len(entries)),
    )
    broken = next((e for e in reversed(entries) if not e["intact"]), None)
    if broken is None:
        out.print(msg("export.cli.log_intact"))
    else:
        out.print(msg("export.cli.log_broken", entry=broken["entry"]))
        raise typer.Exit(1)

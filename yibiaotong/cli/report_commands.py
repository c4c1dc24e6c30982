"""`ybt report`: the simplification summary supervisors read."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yibiaotong.cli import app
from yibiaotong.cli.render import console, emit_json
from yibiaotong.messages import msg


@app.command("report", help=msg("report.cli.help"))
def report_command(
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", help=msg("cli.workspace_help"), show_default=False),
    ] = None,
    formats: Annotated[
        list[str] | None, typer.Option("--format", "-f", help=msg("report.cli.format"))
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help=msg("report.cli.out"))] = None,
    compare: Annotated[
        Path | None, typer.Option("--compare", help=msg("report.cli.compare"))
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=msg("report.cli.json"))] = False,
) -> None:
    from yibiaotong.report.output import make_report, write_report
    from yibiaotong.report.render_terminal import render_terminal
    from yibiaotong.report.serialise import report_to_json
    from yibiaotong.schema import load_schema
    from yibiaotong.settings import load_settings
    from yibiaotong.storage import Store

    settings = load_settings({"workspace": workspace})
    schema = load_schema(settings.schema_extensions)
    with Store.open(settings.database, read_only=True) as store:
        report = make_report(store, schema, settings, compare=compare)
    if as_json:
        emit_json(report_to_json(report))
        return
    chosen = formats or ["terminal", "html"]
    folder = out or settings.require_workspace() / "reports"
    written = write_report(report, chosen, folder)
    if "terminal" in chosen:
        render_terminal(report, console())
    for path in written.values():
        console().print(msg("report.written", path=path))

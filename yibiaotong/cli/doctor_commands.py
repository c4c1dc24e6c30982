"""`ybt doctor`: check a workspace and say what to do; --repair fixes what is safe to fix."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from yibiaotong.cli import app
from yibiaotong.cli.render import console, emit_json, render_rows
from yibiaotong.messages import msg

_STATUS_MARKS = {"ok": "✓", "info": "·", "warning": "!", "error": "✗", "skipped": "-"}


@app.command("doctor", help=msg("doctor.help"))
def doctor_command(
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", help=msg("cli.workspace_help"), show_default=False),
    ] = None,
    repair: Annotated[bool, typer.Option("--repair", help=msg("doctor.repair_help"))] = False,
    wait: Annotated[
        float, typer.Option("--wait", min=0, help=msg("doctor.wait_help"), show_default=False)
    ] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help=msg("app.json_help"))] = False,
) -> None:
    from yibiaotong.doctor import check_workspace
    from yibiaotong.settings import load_settings

    settings = load_settings({"workspace": workspace})
    report = check_workspace(settings, repair=repair, wait_seconds=wait)
    if as_json:
        emit_json(report_as_data(report))
    else:
        render_doctor(report)
    if not report.healthy:
        raise typer.Exit(1)


def report_as_data(report: Any) -> dict[str, Any]:
    return {
        "workspace": report.workspace,
        "healthy": report.healthy,
        "checks": [asdict(check) for check in report.checks],
        "repairs": list(report.repairs),
    }


def render_doctor(report: Any) -> None:
    rows = [
        {
            "check": msg(f"doctor.name.{check.check}"),
            "status": f"{_STATUS_MARKS[check.status]} {msg(f'doctor.status.{check.status}')}",
            "message": check.message,
            "advice": check.advice or "—",
        }
        for check in report.checks
    ]
    columns = [
        (key, msg(f"doctor.column.{key}")) for key in ("check", "status", "message", "advice")
    ]
    render_rows(rows, columns, title=msg("doctor.title", folder=report.workspace))
    out = console()
    if report.repairs:
        out.print(msg("doctor.repairs_title"))
        for repaired in report.repairs:
            out.print(f"· {repaired}")
    counts = report.counts()
    if report.healthy:
        out.print(msg("doctor.healthy"))
    else:
        out.print(msg("doctor.unhealthy", errors=counts["error"], warnings=counts["warning"]))

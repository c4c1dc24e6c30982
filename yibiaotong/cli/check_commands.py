"""`ybt check`: admission review of a new form (报表准入).

Exit status tells scripts the verdict: 0 可由台账直接生成, 1 部分预填, 3 需新增采集; 2 is a usage
error (as for every command). With --register the exit status is still the verdict.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from yibiaotong.cli import app
from yibiaotong.cli.commands import Json, Workspace
from yibiaotong.cli.render import console, emit_json
from yibiaotong.messages import msg

_VERDICT_STYLES = {"direct": "bold green", "partial": "bold yellow", "collect": "bold red"}
_STATUS_STYLES = {
    "known": "green",
    "similar": "yellow",
    "new": "red",
    "layout": "dim",
    "note": "dim",
}
# Terminal columns: narrow enough for an 80-column terminal; the review sheet has them all.
_TABLE_COLUMNS = ("column", "header", "status", "element", "ledger", "completeness", "forms")


@app.command("check", help=msg("admission.cli.help"))
def check_command(
    form: Annotated[Path, typer.Argument(help=msg("admission.cli.form"), show_default=False)],
    workspace: Workspace = None,
    dept: Annotated[str | None, typer.Option("--dept", help=msg("admission.cli.dept"))] = None,
    out: Annotated[Path | None, typer.Option("--out", help=msg("admission.cli.out"))] = None,
    register: Annotated[
        bool, typer.Option("--register", help=msg("admission.cli.register"))
    ] = False,
    extension: Annotated[
        Path | None, typer.Option("--extension", help=msg("admission.cli.extension"))
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help=msg("admission.cli.replace"))] = False,
    as_json: Json = False,
) -> None:
    from yibiaotong.errors import FileReadError, UsageError, WorkspaceError

    if out is not None and out.suffix.lower() not in {".xlsx", ".md"}:
        raise UsageError(msg("admission.bad_out", suffix=out.suffix or "—"))
    try:
        report, registration = _check(form, workspace, dept, register, extension, replace)
    except (FileReadError, WorkspaceError) as error:
        # Exit 1 means 部分预填 here, so a form that could not be checked is exit 2.
        raise UsageError(error.message, error.location) from error
    _show(report, registration, out, as_json=as_json)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def _check(
    form: Path,
    workspace: Path | None,
    dept: str | None,
    register: bool,
    extension: Path | None,
    replace: bool,
) -> tuple[Any, Any]:
    from yibiaotong import admission
    from yibiaotong.errors import UsageError
    from yibiaotong.schema import load_schema
    from yibiaotong.settings import load_settings
    from yibiaotong.storage import Store

    settings = load_settings({"workspace": workspace})
    schema = load_schema(settings.schema_extensions)
    if register:
        with Store.open(settings.database) as store:
            registration = admission.register_form(
                form, store, schema, settings, department=dept, extension=extension, replace=replace
            )
        if registration.outcome.status == "needs-replace":
            raise UsageError(registration.outcome.message, form.name)
        return registration.report, registration
    if settings.workspace is None:
        return admission.check_form(form, None, schema, settings, department=dept), None
    with Store.open(settings.database, read_only=True) as store:
        return admission.check_form(form, store, schema, settings, department=dept), None


def _show(report: Any, registration: Any, out: Path | None, *, as_json: bool) -> None:
    from yibiaotong import admission

    if out is not None:
        admission.write_review_sheet(report, out)
    if as_json:
        document = admission.report_as_data(report)
        if registration is not None:
            document["registration"] = _registration_data(registration)
        emit_json(document)
        return
    render_report(report)
    if out is not None:
        console().print(msg("admission.cli.written", path=out))
    if registration is not None:
        render_registration(registration)


def _registration_data(registration: Any) -> dict[str, Any]:
    return {
        "status": registration.outcome.status,
        "message": registration.outcome.message,
        "extension": str(registration.extension) if registration.extension else None,
        "proposed": registration.proposed,
    }


def render_report(report: Any) -> None:
    out = console()
    for form in report.forms:
        title = msg(
            "admission.cli.table_title",
            title=form.title,
            department=form.department or "—",
            sheet=form.sheet,
            verdict=form.verdict_label,
        )
        table = Table(title=title, title_style=_VERDICT_STYLES[form.verdict], pad_edge=False)
        for key in _TABLE_COLUMNS:
            table.add_column(
                msg(f"admission.cli.columns.{key}"),
                overflow="fold",
                justify="right" if key in {"completeness", "forms"} else "left",
                no_wrap=key in {"column", "status", "completeness", "forms"},
            )
        for column in form.columns:
            table.add_row(*_terminal_row(column), style=_STATUS_STYLES.get(column.status, ""))
        out.print(table)
        summary = msg(
            "admission.cli.summary",
            y=form.data_columns,
            known=form.known,
            similar=form.similar,
            new=form.new,
            x=form.prefilled,
        )
        _bullets([summary, *form.reasons])
    _bullets(report.skipped)


def _terminal_row(column: Any) -> tuple[str, ...]:
    """A short row: the review sheet and --json carry ids, sources and samples."""
    if column.status == "known":
        element = column.element_name or ""
    elif column.status == "similar":
        element = "；".join(f"≈{c.name} {c.score:.2f}" for c in column.candidates[:2])
    elif column.proposed is not None:
        kind = msg(f"admission.types.{column.proposed.type}")
        element = msg("admission.cli.new_element", type=kind)
    else:
        element = ""
    ledger = (column.proposed.ledger_name if column.proposed else column.ledger_name) or ""
    ledger = ledger.removesuffix("台账")
    completeness = "" if column.completeness is None else f"{column.completeness:.0%}"
    forms = str(column.forms) if column.status == "known" else ""
    return (column.letter, column.header, column.status_label, element, ledger, completeness, forms)


def _bullets(lines: Any) -> None:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for line in lines:
        grid.add_row("·", line)
    if grid.row_count:
        console().print(grid)


def render_registration(registration: Any) -> None:
    out = console()
    outcome = registration.outcome
    file_name = Path(outcome.path).name
    if outcome.status in {"stored", "replaced"} and not outcome.rows:
        out.print(msg("admission.cli.registered_template", file=file_name))
    else:
        status = msg(f"cli.ingest.status.{outcome.status.replace('-', '_')}")
        out.print(msg("admission.cli.registered", file=file_name, status=status))
    if registration.extension is not None:
        out.print(
            msg(
                "admission.cli.extension_written",
                n=registration.proposed,
                path=registration.extension,
            )
        )

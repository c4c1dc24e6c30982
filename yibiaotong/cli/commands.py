"""The commands. Each parses options, calls one core function, and renders the result."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from yibiaotong.cli import app
from yibiaotong.cli.render import console, emit_json, render_findings, render_ingest, render_rows
from yibiaotong.messages import msg

Workspace = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", help=msg("cli.workspace_help"), show_default=False),
]
Json = Annotated[bool, typer.Option("--json", help=msg("app.json_help"))]


def _settings(workspace: Path | None, **flags: Any) -> Any:
    from yibiaotong.settings import load_settings

    return load_settings({"workspace": workspace, **flags})


@app.command("init", help=msg("cli.init.help"))
def init_command(
    folder: Annotated[Path, typer.Argument(help=msg("cli.init.folder"))] = Path("."),
    county: Annotated[str, typer.Option("--county", help=msg("cli.init.county"))] = "",
    encrypt: Annotated[bool, typer.Option("--encrypt", help=msg("storage.encrypt_help"))] = False,
) -> None:
    from yibiaotong.storage import init_workspace

    created = init_workspace(folder, county, encrypt=encrypt)
    console().print(msg("cli.init.done", folder=created))


@app.command("ingest", help=msg("cli.ingest.help"))
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help=msg("cli.ingest.paths"), show_default=False)],
    workspace: Workspace = None,
    dept: Annotated[str | None, typer.Option("--dept", help=msg("cli.ingest.dept"))] = None,
    header_rows: Annotated[
        int | None, typer.Option("--header-rows", min=1, max=6, help=msg("cli.ingest.header_rows"))
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help=msg("cli.ingest.replace"))] = False,
    wait: Annotated[
        float | None, typer.Option("--wait", min=0, help=msg("storage.wait_help"))
    ] = None,
    as_json: Json = False,
) -> None:
    from yibiaotong.cli.render import ingest_progress
    from yibiaotong.ingest import collect_paths, ingest_paths

    settings = _settings(workspace, wait_seconds=wait)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        from yibiaotong.errors import UsageError

        raise UsageError(msg("cli.ingest.missing", paths="、".join(missing)))
    files = collect_paths(paths)
    with ingest_progress(len(files), quiet=as_json) as advance:
        report = ingest_paths(
            paths,
            settings,
            department=dept,
            header_rows=header_rows,
            replace=replace,
            progress=advance,
        )
    if as_json:
        emit_json(report_as_data(report))
    else:
        render_ingest(report)
    if report.needs_attention:
        raise typer.Exit(1)


def report_as_data(report: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return {"files": [asdict(f) for f in report.files], "totals": report.totals()}


@app.command("fields", help=msg("cli.fields.help"))
def fields_command(
    workspace: Workspace = None,
    show_all: Annotated[bool, typer.Option("--all", help=msg("cli.fields.all"))] = False,
    min_score: Annotated[
        float | None, typer.Option("--min-score", min=0, max=1, help=msg("cli.fields.min_score"))
    ] = None,
    as_json: Json = False,
) -> None:
    from yibiaotong.review_samples import review_columns
    from yibiaotong.schema import load_schema
    from yibiaotong.storage import Store

    settings = _settings(workspace)
    schema = load_schema(settings.schema_extensions)
    with Store.open(settings.database, read_only=True) as store:
        rows = review_columns(store, schema, include_all=show_all, min_score=min_score)
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        row["where"] = f"{row['file']}!{row['sheet']}!{row['column']}"
        row["choice"] = row["element_name"] or row["candidates"]
        samples = row["samples"]
        row["sample_text"] = "、".join(map(str, samples)) if isinstance(samples, list) else ""
    render_rows(
        rows,
        ["where", "path", "choice", "score", "sample_text"],
        title=msg("cli.fields.title_all" if show_all else "cli.fields.title_review", n=len(rows)),
    )


@app.command("map", help=msg("cli.map.help"))
def map_command(
    header: Annotated[str | None, typer.Argument(help=msg("cli.map.header"))] = None,
    element: Annotated[str | None, typer.Argument(help=msg("cli.map.element"))] = None,
    workspace: Workspace = None,
    form: Annotated[str, typer.Option("--form", help=msg("cli.map.form"))] = "*",
    local: Annotated[bool, typer.Option("--local", help=msg("cli.map.local"))] = False,
    accept_above: Annotated[
        float | None, typer.Option("--accept-above", help=msg("cli.map.accept_above"))
    ] = None,
    apply: Annotated[bool, typer.Option("--apply", help=msg("cli.map.apply"))] = False,
    export: Annotated[Path | None, typer.Option("--export", help=msg("cli.map.export"))] = None,
    import_file: Annotated[
        Path | None, typer.Option("--import", help=msg("cli.map.import"))
    ] = None,
) -> None:
    from yibiaotong import review
    from yibiaotong.errors import UsageError
    from yibiaotong.schema import load_schema
    from yibiaotong.storage import Store

    settings = _settings(workspace)
    schema = load_schema(settings.schema_extensions)
    out = console()
    with Store.open(settings.database) as store:
        if header is not None:
            if element is None and not local:
                raise UsageError(msg("cli.map.need_element"))
            decision = review.decide(
                store, schema, header, None if local else element, form_key=form
            )
            out.print(
                msg(
                    "cli.map.saved", header=decision.header_path, element=decision.element_id or "—"
                )
            )
        if accept_above is not None:
            decided = review.accept_above(store, accept_above)
            out.print(msg("cli.map.accepted", n=len(decided), score=accept_above))
        if import_file is not None:
            out.print(
                msg("cli.map.imported", n=review.import_decisions(store, schema, import_file))
            )
        if export is not None:
            out.print(
                msg("cli.map.exported", n=review.export_decisions(store, export), path=export)
            )
        files = review.files_to_reapply(store) if apply else []
    if apply:
        from yibiaotong.ingest import ingest_paths

        present = [p for p in files if p.exists()]
        for gone in sorted(set(files) - set(present)):
            out.print(msg("cli.map.file_gone", path=gone))
        if present:
            render_ingest(ingest_paths(present, settings, replace=True))
        out.print(msg("cli.map.applied", n=len(present)))


@app.command("findings", help=msg("cli.findings.help"))
def findings_command(
    workspace: Workspace = None,
    file: Annotated[str | None, typer.Option("--file", help=msg("cli.findings.file"))] = None,
    code: Annotated[list[str] | None, typer.Option("--code", help=msg("cli.findings.code"))] = None,
    severity: Annotated[
        str | None, typer.Option("--severity", help=msg("cli.findings.severity"))
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help=msg("cli.findings.limit"))] = 200,
    as_json: Json = False,
) -> None:
    from yibiaotong.review import list_findings
    from yibiaotong.schema import load_schema
    from yibiaotong.storage import Store

    settings = _settings(workspace)
    schema = load_schema(settings.schema_extensions)
    with Store.open(settings.database, read_only=True) as store:
        rows = list_findings(
            store,
            schema,
            file=file,
            codes=code or (),
            severity=severity,
            limit=None if as_json else limit,
        )
    if as_json:
        emit_json(rows)
    else:
        render_findings(rows, limit)


schema_app = typer.Typer(help=msg("cli.schema.help"), no_args_is_help=False)
app.add_typer(schema_app, name="schema")


@schema_app.callback(invoke_without_command=True)
def schema_show(
    ctx: typer.Context,
    ledger: Annotated[str | None, typer.Option("--ledger", help=msg("cli.schema.ledger"))] = None,
    extension: Annotated[
        list[Path] | None, typer.Option("--extension", help=msg("cli.schema.extension"))
    ] = None,
    as_json: Json = False,
) -> None:
    """显示台账目录：台账、数据元及其别名。"""
    if ctx.invoked_subcommand is not None:
        return
    from yibiaotong.schema import describe_schema, load_schema

    rows = describe_schema(load_schema(extension or ()))
    if ledger:
        rows = [r for r in rows if r.get("ledger") == ledger or r.get("ledger_id") == ledger]
    if as_json:
        emit_json(rows)
        return
    render_rows(rows, None, title=msg("cli.schema.title", n=len(rows)))


@schema_app.command("lint", help=msg("cli.schema.lint_help"))
def schema_lint(
    files: Annotated[list[Path], typer.Argument(help=msg("cli.schema.lint_files"))],
    as_json: Json = False,
) -> None:
    from yibiaotong.schema import lint_schema

    findings = [f for path in files for f in lint_schema(path)]
    rows = [
        {
            "location": str(f.location),
            "code": f.code,
            "severity": f.severity.value,
            "message": f.message,
        }
        for f in findings
    ]
    if as_json:
        emit_json(rows)
    elif rows:
        render_findings(rows, len(rows))
    else:
        console().print(msg("cli.schema.lint_clean", n=len(files)))
    if any(f.severity.value == "error" for f in findings):
        raise typer.Exit(1)


@app.command("demo", help=msg("cli.demo.help"))
def demo_command(
    folder: Annotated[Path, typer.Option("--dir", help=msg("cli.demo.dir"))] = Path("ybt-demo"),
) -> None:
    from yibiaotong.cli.render import ingest_progress
    from yibiaotong.demo import run_demo, sample_county
    from yibiaotong.ingest import collect_paths

    out = console()
    with ingest_progress(len(collect_paths([sample_county()])), quiet=False) as advance:
        result = run_demo(folder, progress=advance)
    out.print(msg("cli.demo.workspace", folder=result.workspace, county=result.county))
    render_ingest(result.ingest)
    totals = result.export.totals()
    out.print(msg("cli.demo.exported", out=result.export.out, **totals))
    from yibiaotong.report.render_terminal import render_terminal

    render_terminal(result.report, out)
    out.print(msg("cli.demo.report", path=result.report_files["html"]))
    out.print(msg("cli.demo.next", folder=result.workspace))


ledger_app = typer.Typer(help=msg("cli.ledger.help"), no_args_is_help=False)
app.add_typer(ledger_app, name="ledger")


def _open_read(workspace: Path | None) -> Any:
    from yibiaotong.schema import load_schema
    from yibiaotong.storage import Store

    settings = _settings(workspace)
    return (
        settings,
        load_schema(settings.schema_extensions),
        Store.open(settings.database, read_only=True),
    )


@ledger_app.callback(invoke_without_command=True)
def ledger_list(ctx: typer.Context, workspace: Workspace = None, as_json: Json = False) -> None:
    """列出全部台账及其记录数。"""
    if ctx.invoked_subcommand is not None:
        return
    from yibiaotong.ledgers import ledger_counts

    _s, schema, opened = _open_read(workspace)
    with opened as store:
        rows = ledger_counts(store, schema)
    if as_json:
        emit_json(rows)
        return
    render_rows(
        rows,
        ["ledger", "name", ("entity", msg("cli.columns.kind")), "records"],
        title=msg("cli.ledger.title", n=sum(1 for r in rows if r["records"])),
    )


@ledger_app.command("show", help=msg("cli.ledger.show_help"))
def ledger_show(
    ledger: Annotated[str, typer.Argument(help=msg("cli.ledger.ledger"))],
    workspace: Workspace = None,
    limit: Annotated[int, typer.Option("--limit", help=msg("cli.ledger.limit"))] = 20,
    as_json: Json = False,
) -> None:
    from yibiaotong.ledgers import ledger_records

    _s, schema, opened = _open_read(workspace)
    with opened as store:
        columns, records = ledger_records(store, schema, ledger, limit=limit)
    if as_json:
        emit_json(records)
        return
    spec: list[str | tuple[str, str]] = ["entity"]
    spec += [(c, schema.elements[c].name if c in schema.elements else c) for c in columns]
    render_rows(
        records,
        spec,
        title=msg("cli.ledger.show_title", name=schema.ledgers[ledger].name, n=len(records)),
    )


@ledger_app.command("explain", help=msg("cli.ledger.explain_help"))
def ledger_explain(
    entity: Annotated[str, typer.Argument(help=msg("cli.ledger.entity"))],
    element: Annotated[str | None, typer.Argument(help=msg("cli.ledger.element"))] = None,
    workspace: Workspace = None,
    as_json: Json = False,
) -> None:
    from yibiaotong.ledgers import explain_entity

    _s, schema, opened = _open_read(workspace)
    with opened as store:
        rows = explain_entity(store, schema, entity, element)
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        row["mark"] = "✓" if row["current"] else ""
    render_rows(
        rows,
        [
            "mark",
            "element_name",
            "value",
            "location",
            "department",
            "as_of",
            "finding",
            "reason",
        ],
        title=msg("cli.ledger.explain_title", entity=entity, n=len(rows)),
    )


@ledger_app.command("rows", help=msg("cli.ledger.rows_help"))
def ledger_rows(
    workspace: Workspace = None,
    file: Annotated[str | None, typer.Option("--file", help=msg("cli.findings.file"))] = None,
    as_json: Json = False,
) -> None:
    from yibiaotong.ledgers import row_links

    _s, _schema, opened = _open_read(workspace)
    with opened as store:
        rows = row_links(store, file=file)
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        row["links"] = "；".join(
            f"{e['kind']}:{e['entity']}（{e['relation']}）" for e in row["entities"]
        )
    render_rows(
        rows,
        ["file", "sheet", "row", "links"],
        title=msg("cli.ledger.rows_title", n=len(rows)),
    )


@app.command("conflicts", help=msg("cli.conflicts.help"))
def conflicts_command(
    workspace: Workspace = None,
    dept: Annotated[str | None, typer.Option("--dept", help=msg("cli.conflicts.dept"))] = None,
    ledger: Annotated[
        str | None, typer.Option("--ledger", help=msg("cli.conflicts.ledger"))
    ] = None,
    element: Annotated[
        str | None, typer.Option("--element", help=msg("cli.conflicts.element"))
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help=msg("cli.conflicts.out"))] = None,
    apply: Annotated[Path | None, typer.Option("--apply", help=msg("cli.conflicts.apply"))] = None,
    as_json: Json = False,
) -> None:
    from yibiaotong.ledgers import conflict_rows
    from yibiaotong.schema import load_schema
    from yibiaotong.storage import Store

    settings = _settings(workspace)
    schema = load_schema(settings.schema_extensions)
    if apply is not None:
        from yibiaotong.resolve import rebuild_ledgers
        from yibiaotong.verification import read_verified_values, store_verified_values

        verified = read_verified_values(apply)
        with Store.open(settings.database) as store:
            count = store_verified_values(store, verified, apply)
            rebuild_ledgers(store, schema)
        console().print(msg("cli.conflicts.applied", n=count))
        return
    with Store.open(settings.database, read_only=True) as store:
        rows = conflict_rows(store, schema, department=dept, ledger=ledger, element=element)
    if out is not None:
        from yibiaotong.verification import write_verification_workbook

        names = {lid: led.name for lid, led in schema.ledgers.items()}
        count = write_verification_workbook(rows, names, out, settings.county)
        console().print(msg("cli.conflicts.written", n=count, path=out))
    if as_json:
        emit_json(rows)
        return
    if out is None:
        for row in rows:
            row["competing"] = "；".join(
                f"{'✓' if v['chosen'] else ''}{v['value']}"
                f"（{v['department'] or '—'} {v['location']}）"
                for v in row["values"]
            )
        render_rows(
            rows,
            ["entity", "element_name", "competing"],
            title=msg("cli.conflicts.title", n=len(rows)),
        )

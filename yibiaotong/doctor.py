"""Workspace health check: does the database open, is every stored file whole, do the ledgers
match the stored data, is the workspace private? Each check says in Chinese what to do.

Checks run on a read-only connection, so they never change the workspace; the ledger check
rebuilds the ledgers inside a transaction that is always rolled back. ``repair`` fixes what can
be fixed safely: permissions, incomplete files (removed, to be imported again), ledgers.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from yibiaotong.errors import WorkspaceError
from yibiaotong.messages import msg
from yibiaotong.settings import CONFIG_NAME, Settings
from yibiaotong.storage import (
    EXTENSION_FOLDER,
    SCHEMA_VERSION,
    DatabaseError,
    Store,
    encryption_extension,
    is_encrypted,
)

OK, INFO, WARNING, ERROR, SKIPPED = "ok", "info", "warning", "error", "skipped"
STORED_TABLES = (
    "ybt_meta",
    "files",
    "forms",
    "form_columns",
    "form_rows",
    "observations",
    "findings",
    "decisions",
    "value_decisions",
)
LEDGER_TABLES = ("entities", "row_entities", "ledger_values", "conflicts")
_PRIVATE_FILE, _PRIVATE_FOLDER = 0o600, 0o700
_MAX_NAMES = 5


@dataclass(frozen=True, slots=True)
class Check:
    """One check's verdict: ``status`` is ok | info | warning | error | skipped."""

    check: str
    status: str
    message: str
    advice: str = ""


@dataclass(slots=True)
class DoctorReport:
    workspace: str
    checks: list[Check] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not any(c.status in {WARNING, ERROR} for c in self.checks)

    def counts(self) -> dict[str, int]:
        return {
            status: sum(c.status == status for c in self.checks)
            for status in (OK, INFO, WARNING, ERROR, SKIPPED)
        }


def check_workspace(
    settings: Settings, *, repair: bool = False, wait_seconds: float = 0.0
) -> DoctorReport:
    """Run every check on the settings' workspace; with ``repair``, fix what is safe to fix."""
    folder = settings.require_workspace()
    database = settings.database
    report = DoctorReport(workspace=str(folder))
    report.checks.append(_check_presence(folder, database))
    if report.checks[-1].status == ERROR:
        return report
    if repair:
        report.repairs += _repair_permissions(folder, database)
        report.repairs += _repair_incomplete(database, wait_seconds)
    report.checks.append(_check_permissions(folder, database))
    report.checks.append(_check_encryption(database))
    if not _check_database(report, database, wait_seconds):
        return report
    if any(c.status == ERROR for c in report.checks):  # rebuilding from broken data says nothing
        report.checks.append(Check("ledgers", SKIPPED, msg("doctor.ledgers.after_repair")))
        return report
    report.checks.append(_check_ledgers(settings, wait_seconds))
    if repair and report.checks[-1].status == WARNING:
        report.repairs.append(_rebuild(settings, wait_seconds))
        report.checks[-1] = _check_ledgers(settings, wait_seconds)
    return report


# -- the folder --------------------------------------------------------------------------------


def _check_presence(folder: Path, database: Path) -> Check:
    if not (folder / CONFIG_NAME).is_file():
        return Check(
            "workspace",
            ERROR,
            msg("doctor.workspace.no_config", folder=folder),
            msg("doctor.workspace.no_config_advice"),
        )
    if not database.is_file():
        return Check(
            "workspace",
            ERROR,
            msg("doctor.workspace.no_database"),
            msg("doctor.workspace.no_database_advice"),
        )
    return Check("workspace", OK, msg("doctor.workspace.ok", folder=folder))


def _private_paths(folder: Path, database: Path) -> Iterator[tuple[Path, int]]:
    """Every path that holds workspace data, with the mode it should have at most."""
    yield folder, _PRIVATE_FOLDER
    yield database, _PRIVATE_FILE
    for extra in (database.with_name(database.name + ".wal"), folder / CONFIG_NAME):
        if extra.exists():
            yield extra, _PRIVATE_FILE
    if (folder / EXTENSION_FOLDER).exists():
        yield folder / EXTENSION_FOLDER, _PRIVATE_FOLDER


def _too_open(path: Path, allowed: int) -> int | None:
    mode = stat.S_IMODE(path.stat().st_mode)
    return mode if mode & ~allowed & 0o077 else None


def _check_permissions(folder: Path, database: Path) -> Check:
    if os.name != "posix":
        return Check("permissions", SKIPPED, msg("doctor.permissions.not_posix"))
    loose = [
        msg("doctor.permissions.item", path=path.name or str(path), mode=f"{mode:o}")
        for path, allowed in _private_paths(folder, database)
        if (mode := _too_open(path, allowed)) is not None
    ]
    if loose:
        return Check(
            "permissions",
            WARNING,
            msg("doctor.permissions.loose", items="、".join(loose)),
            msg("doctor.permissions.advice"),
        )
    return Check("permissions", OK, msg("doctor.permissions.ok"))


def _repair_permissions(folder: Path, database: Path) -> list[str]:
    if os.name != "posix":
        return []
    repaired = []
    for path, allowed in _private_paths(folder, database):
        mode = _too_open(path, allowed)
        if mode is not None:
            os.chmod(path, mode & allowed)
            repaired.append(msg("doctor.repaired.permissions", path=path.name, mode=f"{allowed:o}"))
    return repaired


def _check_encryption(database: Path) -> Check:
    if not is_encrypted(database):
        return Check(
            "encryption", INFO, msg("doctor.encryption.plain"), msg("doctor.encryption.advice")
        )
    if encryption_extension() is None:
        return Check(
            "encryption",
            WARNING,
            msg("doctor.encryption.read_only"),
            msg("doctor.encryption.install"),
        )
    return Check("encryption", OK, msg("doctor.encryption.ok"))


# -- the database ------------------------------------------------------------------------------


def _check_database(report: DoctorReport, database: Path, wait_seconds: float) -> bool:
    """Open read-only and run the structural checks; False when the database cannot be read."""
    try:
        with Store.open(database, read_only=True, wait_seconds=wait_seconds) as store:
            report.checks.append(Check("opens", OK, msg("doctor.opens.ok")))
            checks = (_check_schema, _check_blocks, _check_forms, _check_references, _check_audit)
            for check in checks:
                try:
                    report.checks.append(check(store))
                except DatabaseError as error:  # a table not shaped as this ybt expects
                    report.checks.append(_unreadable(check.__name__.removeprefix("_check_"), error))
                if report.checks[-1].status == ERROR and check in (_check_schema, _check_blocks):
                    return False
    except WorkspaceError as error:
        report.checks.append(Check("opens", ERROR, str(error), msg("doctor.opens.advice")))
        return False
    return True


def _unreadable(check: str, error: BaseException) -> Check:
    detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    return Check(
        check, ERROR, msg("doctor.query_failed", detail=detail), msg("doctor.blocks.advice")
    )


def _tables(store: Store) -> set[str]:
    names = store.frame(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()"
    )
    return set(names["table_name"].to_list()) if not names.is_empty() else set()


def _check_schema(store: Store) -> Check:
    missing = [t for t in STORED_TABLES if t not in _tables(store)]
    if missing:
        return Check(
            "schema",
            ERROR,
            msg("doctor.schema.missing", tables="、".join(missing)),
            msg("doctor.schema.missing_advice"),
        )
    version = store.scalar("SELECT value FROM ybt_meta WHERE key = 'schema_version'")
    if version != SCHEMA_VERSION:
        return Check(
            "schema",
            ERROR,
            msg("doctor.schema.version", found=version or "—", expected=SCHEMA_VERSION),
            msg("doctor.schema.version_advice"),
        )
    return Check("schema", OK, msg("doctor.schema.ok", version=version))


def _check_blocks(store: Store) -> Check:
    tables = sorted(_tables(store) & {*STORED_TABLES, *LEDGER_TABLES})
    rows = 0
    for table in tables:
        try:
            rows += store.scan_table(table)
        except WorkspaceError as error:
            return Check("blocks", ERROR, error.message, msg("doctor.blocks.advice"))
    return Check("blocks", OK, msg("doctor.blocks.ok", tables=len(tables), rows=rows))


# Forms that are not whole: no file, no columns, or fewer/more rows stored than counted.
_INCOMPLETE_FORMS = """
SELECT f.form_id, coalesce(fi.name, '?') AS name
FROM forms f
LEFT JOIN files fi USING (file_id)
LEFT JOIN (SELECT form_id, count(*) AS n FROM form_rows GROUP BY form_id) r USING (form_id)
WHERE fi.file_id IS NULL
   OR NOT EXISTS (SELECT 1 FROM form_columns c WHERE c.form_id = f.form_id)
   OR coalesce(r.n, 0) <> f.data_rows
ORDER BY f.form_id
"""
_FILES_WITHOUT_FORMS = "SELECT name FROM files WHERE file_id NOT IN (SELECT file_id FROM forms)"
# Rows that point at something that is not there, per table.
_ORPHANS = {
    "observations": """
        SELECT count(*) FROM observations o
        WHERE NOT EXISTS (SELECT 1 FROM form_rows r
                          WHERE r.form_id = o.form_id AND r.row_no = o.row_no)
           OR NOT EXISTS (SELECT 1 FROM form_columns c
                          WHERE c.form_id = o.form_id AND c.col_index = o.col_index)""",
    "form_rows": "SELECT count(*) FROM form_rows WHERE form_id NOT IN (SELECT form_id FROM forms)",
    "form_columns": (
        "SELECT count(*) FROM form_columns WHERE form_id NOT IN (SELECT form_id FROM forms)"
    ),
    "findings": """
        SELECT count(*) FROM findings
        WHERE (form_id IS NOT NULL AND form_id NOT IN (SELECT form_id FROM forms))
           OR (file_id IS NOT NULL AND file_id NOT IN (SELECT file_id FROM files))""",
}


def _check_forms(store: Store) -> Check:
    incomplete = store.frame(_INCOMPLETE_FORMS)
    lonely = store.frame(_FILES_WITHOUT_FORMS)
    names = sorted({*incomplete["name"].to_list(), *lonely["name"].to_list()})
    count = incomplete.height + lonely.height
    if count:
        return Check(
            "forms",
            ERROR,
            msg("doctor.forms.incomplete", n=count, files=_names(names)),
            msg("doctor.forms.advice"),
        )
    totals = store.frame(
        "SELECT (SELECT count(*) FROM files) AS files, (SELECT count(*) FROM forms) AS forms, "
        "(SELECT count(*) FROM form_rows) AS form_rows"
    ).row(0, named=True)
    return Check(
        "forms",
        OK,
        msg(
            "doctor.forms.ok",
            files=totals["files"],
            forms=totals["forms"],
            rows=totals["form_rows"],
        ),
    )


def _check_references(store: Store) -> Check:
    orphans = {table: int(store.scalar(sql) or 0) for table, sql in _ORPHANS.items()}
    total = sum(orphans.values())
    if total:
        detail = "、".join(f"{table} {n}" for table, n in orphans.items() if n)
        return Check(
            "references",
            ERROR,
            msg("doctor.references.orphans", n=total, detail=detail),
            msg("doctor.forms.advice"),
        )
    cells = int(store.scalar("SELECT count(*) FROM observations") or 0)
    return Check("references", OK, msg("doctor.references.ok", n=cells))


def _check_audit(store: Store) -> Check:
    """The export audit log's hash chain is unbroken (an entry edited or removed outside ybt
    breaks it); absent until the first export."""
    if "export_log" not in _tables(store):
        return Check("audit", SKIPPED, msg("doctor.audit.none"))
    from yibiaotong.export import export_log

    entries = export_log(store)
    broken = [entry["entry"] for entry in entries if not entry["intact"]]
    if broken:
        return Check(
            "audit",
            ERROR,
            msg("doctor.audit.broken", entry=min(broken), n=len(entries)),
            msg("doctor.audit.advice"),
        )
    return Check("audit", OK, msg("doctor.audit.ok", n=len(entries)))


def _names(names: list[str]) -> str:
    shown = "、".join(names[:_MAX_NAMES])
    more = len(names) - _MAX_NAMES
    return shown + (msg("doctor.more", n=more) if more > 0 else "")


def _repair_incomplete(database: Path, wait_seconds: float) -> list[str]:
    """Remove forms that are not whole and rows that point nowhere; name the files to import
    again. Nothing to do (or a workspace that cannot be opened for writing) repairs nothing."""
    repaired: list[str] = []
    try:
        with Store.open(database, wait_seconds=wait_seconds) as store, store.transaction():
            incomplete = store.frame(_INCOMPLETE_FORMS)
            lonely = store.frame(_FILES_WITHOUT_FORMS)
            names = sorted({*incomplete["name"].to_list(), *lonely["name"].to_list()})
            if not incomplete.is_empty():
                store.delete_forms(incomplete["form_id"].to_list())
            orphans = sum(int(store.scalar(sql) or 0) for sql in _ORPHANS.values())
            if orphans or not lonely.is_empty():
                _delete_orphans(store)
    except (WorkspaceError, DatabaseError):  # the checks that follow say why
        return []
    if names:
        repaired.append(msg("doctor.repaired.forms", files=_names(names)))
    if orphans:
        repaired.append(msg("doctor.repaired.orphans", n=orphans))
    return repaired


def _delete_orphans(store: Store) -> None:
    run = store.connection.execute
    run("DELETE FROM form_rows WHERE form_id NOT IN (SELECT form_id FROM forms)")
    run("DELETE FROM form_columns WHERE form_id NOT IN (SELECT form_id FROM forms)")
    run(
        "DELETE FROM observations o WHERE NOT EXISTS (SELECT 1 FROM form_rows r "
        "WHERE r.form_id = o.form_id AND r.row_no = o.row_no) OR NOT EXISTS (SELECT 1 "
        "FROM form_columns c WHERE c.form_id = o.form_id AND c.col_index = o.col_index)"
    )
    run(
        "DELETE FROM findings WHERE (form_id IS NOT NULL AND form_id NOT IN "
        "(SELECT form_id FROM forms)) OR (file_id IS NOT NULL AND file_id NOT IN "
        "(SELECT file_id FROM files))"
    )
    run("DELETE FROM files WHERE file_id NOT IN (SELECT file_id FROM forms)")


# -- the ledgers -------------------------------------------------------------------------------


def _check_ledgers(settings: Settings, wait_seconds: float) -> Check:
    """Rebuild the ledgers in a rolled-back transaction and compare with the stored ones."""
    try:
        with Store.open(settings.database, wait_seconds=wait_seconds) as store:
            present = _tables(store)
            stored = int(store.scalar("SELECT count(*) FROM forms") or 0)
            missing = [t for t in LEDGER_TABLES if t not in present]
            if missing:
                if not stored:
                    return Check("ledgers", SKIPPED, msg("doctor.ledgers.empty"))
                return Check(
                    "ledgers",
                    WARNING,
                    msg("doctor.ledgers.missing", tables="、".join(missing)),
                    msg("doctor.ledgers.advice"),
                )
            changed = _rebuild_difference(store, settings)
    except WorkspaceError as error:
        return Check("ledgers", SKIPPED, str(error), msg("doctor.opens.advice"))
    if changed:
        return Check(
            "ledgers",
            WARNING,
            msg("doctor.ledgers.stale", n=changed),
            msg("doctor.ledgers.advice"),
        )
    return Check("ledgers", OK, msg("doctor.ledgers.ok"))


def _rebuild_difference(store: Store, settings: Settings) -> int:
    """Rows a rebuild would add or remove across the ledger tables (0: consistent)."""
    from yibiaotong.resolve import rebuild_ledgers
    from yibiaotong.schema import load_schema

    schema = load_schema(settings.schema_extensions)
    changed = 0
    with store.rehearsal():
        for table in LEDGER_TABLES:
            store.connection.execute(f"CREATE TEMP TABLE doctor_{table} AS SELECT * FROM {table}")
        rebuild_ledgers(store, schema)
        for table in LEDGER_TABLES:
            changed += _difference(store.scalar, table)
    return changed


def _difference(scalar: Callable[[str], object], table: str) -> int:
    try:
        added = scalar(f"SELECT count(*) FROM (FROM {table} EXCEPT ALL FROM doctor_{table})")
        removed = scalar(f"SELECT count(*) FROM (FROM doctor_{table} EXCEPT ALL FROM {table})")
    except DatabaseError:  # columns changed shape: certainly not what a rebuild gives
        return max(1, int(str(scalar(f"SELECT count(*) FROM doctor_{table}")) or 0))
    return int(str(added)) + int(str(removed))


def _rebuild(settings: Settings, wait_seconds: float) -> str:
    from yibiaotong.resolve import rebuild_ledgers
    from yibiaotong.schema import load_schema

    with Store.open(settings.database, wait_seconds=wait_seconds) as store:
        rebuild_ledgers(store, load_schema(settings.schema_extensions))
    return msg("doctor.repaired.ledgers")

"""The DuckDB workspace: files, forms, columns, observations, findings and mapping decisions.

DuckDB is imported here and nowhere else. One input file is stored in one transaction, so a file
that fails halfway (or a process killed halfway) leaves nothing behind. The database file is
private to its owner (0600 in a 0700 folder) and may be encrypted at rest (AES-GCM by DuckDB,
written only with the signed httpfs extension loaded: see docs/security.md).
"""

from __future__ import annotations

import datetime as dt
import getpass
import importlib.util
import json
import os
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import psutil  # type: ignore[import-untyped]

from yibiaotong.errors import WorkspaceError
from yibiaotong.messages import msg
from yibiaotong.settings import CONFIG_NAME, DATABASE_NAME, DEFAULT_CONFIG

if TYPE_CHECKING:  # polars is imported where frames are made: `ybt report` never needs it
    import polars as pl
    from polars._typing import PolarsDataType

SCHEMA_VERSION = "1"
KEY_ENVIRONMENT = "YBT_WORKSPACE_KEY"
MIN_KEY_LENGTH = 10
EXTENSION_FOLDER = ".duckdb-extensions"  # inside the workspace: extensions this workspace loads
_EXTENSION_PACKAGE = "duckdb_extension_httpfs"
_CATALOG = "ws"  # the attached name of an encrypted workspace
_LOCK_RETRY_SECONDS = 0.25
_LOCK_HOLDER = re.compile(r"\(PID (\d+)\)")
# The main header of a DuckDB file: "DUCK" at byte 8, flags at byte 20; flag bit 0 = encrypted.
_MAGIC_AT, _FLAGS_AT, _ENCRYPTED_FLAG = 8, 20, 1

# Callers catch this instead of importing DuckDB.
DatabaseError = duckdb.Error
# Asks the person at the terminal for the workspace key: (database, confirm) → key.
KeyPrompt = Callable[[Path, bool], str]
_key_prompt: KeyPrompt | None = None

_DDL = """
CREATE TABLE IF NOT EXISTS ybt_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE SEQUENCE IF NOT EXISTS seq_file START 1;
CREATE SEQUENCE IF NOT EXISTS seq_form START 1;
CREATE SEQUENCE IF NOT EXISTS seq_finding START 1;
CREATE TABLE IF NOT EXISTS files (
    file_id INTEGER PRIMARY KEY DEFAULT nextval('seq_file'),
    sha256 VARCHAR NOT NULL UNIQUE,
    path VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    encoding VARCHAR,
    size_bytes BIGINT NOT NULL,
    ingested_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS forms (
    form_id INTEGER PRIMARY KEY DEFAULT nextval('seq_form'),
    file_id INTEGER NOT NULL,
    sheet VARCHAR NOT NULL,
    sheet_index INTEGER NOT NULL,
    form_key VARCHAR NOT NULL,
    department VARCHAR,
    title VARCHAR,
    meta JSON,
    header_first INTEGER NOT NULL,
    header_last INTEGER NOT NULL,
    data_rows INTEGER NOT NULL,
    template BOOLEAN NOT NULL,
    as_of DATE,
    confidence DOUBLE NOT NULL,
    total_rows VARCHAR,
    footer_rows VARCHAR,
    layout_json JSON  -- title/meta/header cells, merges and footers, so export can redraw the form
);
CREATE TABLE IF NOT EXISTS form_columns (
    form_id INTEGER NOT NULL,
    col_index INTEGER NOT NULL,
    letter VARCHAR NOT NULL,
    header VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    match_text VARCHAR NOT NULL,
    required BOOLEAN NOT NULL,
    unit VARCHAR,
    element_id VARCHAR,
    method VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    status VARCHAR NOT NULL,
    candidates JSON,
    cell_kind VARCHAR,  -- how the form wrote this column's cells: text | number | date
    PRIMARY KEY (form_id, col_index)
);
CREATE TABLE IF NOT EXISTS form_rows (
    form_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    PRIMARY KEY (form_id, row_no)
);
CREATE TABLE IF NOT EXISTS observations (
    form_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    col_index INTEGER NOT NULL,
    element_id VARCHAR,
    raw VARCHAR,
    value VARCHAR,
    finding VARCHAR
);
CREATE TABLE IF NOT EXISTS findings (
    finding_id INTEGER PRIMARY KEY DEFAULT nextval('seq_finding'),
    file_id INTEGER,
    form_id INTEGER,
    file_name VARCHAR NOT NULL,
    sheet VARCHAR,
    row_no INTEGER,
    col_index INTEGER,
    location VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    element_id VARCHAR,
    raw VARCHAR
);
CREATE TABLE IF NOT EXISTS value_decisions (
    entity_id VARCHAR NOT NULL,
    element_id VARCHAR NOT NULL,
    value VARCHAR NOT NULL,         -- the value a department verified (核查清单)
    decided_by VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    PRIMARY KEY (entity_id, element_id)
);
CREATE TABLE IF NOT EXISTS decisions (
    form_key VARCHAR NOT NULL,      -- '*' for a decision that applies to every form
    header_path VARCHAR NOT NULL,   -- normalised header path
    element_id VARCHAR,             -- NULL: keep the column as a form-local field
    decided_by VARCHAR NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    PRIMARY KEY (form_key, header_path)
);
"""


@dataclass(frozen=True, slots=True)
class Decision:
    """An accepted mapping: this header (in one form, or anywhere) holds that element."""

    form_key: str
    header_path: str
    element_id: str | None
    decided_by: str = "user"


def init_workspace(
    folder: Path, county: str = "", *, encrypt: bool = False, key: str | None = None
) -> Path:
    """Create a workspace folder with its config file and an empty database; return the folder.

    With ``encrypt`` the database is encrypted with ``key`` (else YBT_WORKSPACE_KEY, else the
    registered prompt); refused, before anything is created, when secure encryption is
    unavailable.
    """
    folder = folder.resolve()
    if (folder / CONFIG_NAME).exists():
        raise WorkspaceError(msg("storage.exists"), str(folder))
    database = folder / DATABASE_NAME
    if encrypt:
        if encryption_extension() is None:
            raise WorkspaceError(msg("storage.encryption_unavailable"))
        key = _checked_key(key if key is not None else workspace_key(database, confirm=True))
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    config = folder / CONFIG_NAME
    config.write_text(DEFAULT_CONFIG.format(county=county), encoding="utf-8")
    os.chmod(config, 0o600)
    store_context = (
        Store._open_encrypted(database, read_only=False, key=key, create=True)
        if encrypt and key is not None
        else Store.open(database)
    )
    with store_context:
        pass
    _make_private(database)
    return folder


# -- encryption ------------------------------------------------------------------------------


def is_encrypted(database: Path) -> bool:
    """Whether the DuckDB file at ``database`` is encrypted (read from its main header)."""
    try:
        with database.open("rb") as stream:
            head = stream.read(_FLAGS_AT + 8)
    except OSError:
        return False
    if head[_MAGIC_AT : _MAGIC_AT + 4] != b"DUCK" or len(head) < _FLAGS_AT + 8:
        return False
    return bool(int.from_bytes(head[_FLAGS_AT:], "little") & _ENCRYPTED_FLAG)


def encryption_extension() -> Path | None:
    """The signed httpfs extension file for this DuckDB, from the optional PyPI package.

    Located without importing the package (find_spec runs no code of a top-level package).
    """
    spec = importlib.util.find_spec(_EXTENSION_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = (
            Path(folder) / "extensions" / f"v{duckdb.__version__}" / "httpfs.duckdb_extension"
        )
        if candidate.is_file():
            return candidate
    return None


def set_key_prompt(prompt: KeyPrompt | None) -> None:
    """Register how to ask for a workspace key when YBT_WORKSPACE_KEY is not set (the CLI)."""
    global _key_prompt  # noqa: PLW0603 - one prompt per process, installed by the CLI edge
    _key_prompt = prompt


def workspace_key(database: Path, *, confirm: bool = False) -> str:
    """The key of an encrypted workspace: YBT_WORKSPACE_KEY, else the registered prompt, else
    a question at the terminal (asked once per process), else an error saying what to set.

    Read here rather than carried in Settings, so the key never sits in an object that may be
    printed or logged.
    """
    key = os.environ.get(KEY_ENVIRONMENT)
    if key:
        return key
    if _key_prompt is not None:
        return _key_prompt(database, confirm)
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise WorkspaceError(
            msg("storage.key_needed", variable=KEY_ENVIRONMENT), str(database.parent)
        )
    set_key_prompt(_terminal_prompt())
    assert _key_prompt is not None
    return _key_prompt(database, confirm)


def _terminal_prompt() -> KeyPrompt:
    remembered: list[str] = []

    def ask(database: Path, confirm: bool) -> str:
        if remembered:
            return remembered[0]
        key = getpass.getpass(msg("storage.key_prompt") + "：")
        if confirm and getpass.getpass(msg("storage.key_confirm") + "：") != key:
            raise WorkspaceError(msg("storage.key_mismatch"), str(database.parent))
        remembered.append(key)
        return key

    return ask


def _checked_key(key: str) -> str:
    if len(key) < MIN_KEY_LENGTH:
        raise WorkspaceError(msg("storage.key_too_short", length=MIN_KEY_LENGTH))
    return key


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_key(key: str) -> str:
    """The key's UTF-8 bytes as the literal DuckDB reads into a BLOB: printable ASCII as is,
    every other byte (and quote and backslash) as \\xHH, so any passphrase can be used."""
    plain = set(range(0x20, 0x7F)) - {ord("'"), ord("\\")}
    return "'" + "".join(chr(b) if b in plain else f"\\x{b:02X}" for b in key.encode()) + "'"


def _load_extension(connection: duckdb.DuckDBPyConnection, folder: Path, *, required: bool) -> None:
    """Load the signed httpfs extension, installing it from its file into ``folder`` first.

    Signature checks stay on (allow_unsigned_extensions is off in the connection config).
    """
    try:
        connection.execute("LOAD httpfs")
        return
    except duckdb.Error:
        pass
    source = encryption_extension()
    if source is None:
        if required:
            raise WorkspaceError(msg("storage.encryption_unavailable"))
        return
    folder.mkdir(mode=0o700, exist_ok=True)
    try:
        connection.execute(f"INSTALL {_sql_text(str(source))}")
        connection.execute("LOAD httpfs")
    except duckdb.Error as error:
        if required:
            raise WorkspaceError(
                msg("storage.extension_failed", detail=_first_line(error))
            ) from error


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__


def _make_private(database: Path) -> None:
    """Owner-only permissions on the database and its write-ahead log (where POSIX applies)."""
    if os.name != "posix":
        return
    for path in (database, database.with_name(database.name + ".wal")):
        try:
            if path.exists() and path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
        except OSError:  # not ours to change: doctor reports it
            pass


# -- opening ---------------------------------------------------------------------------------


class Store:
    """An open workspace database."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path) -> None:
        self.connection = connection
        self.path = path
        self.encrypted = False
        self._rehearsing = False
        self._depth = 0  # nested transaction() blocks join the outermost one
        self._buffered: dict[str, list[pl.DataFrame]] | None = None

    @classmethod
    @contextmanager
    def open(
        cls,
        database: Path,
        *,
        read_only: bool = False,
        key: str | None = None,
        wait_seconds: float = 0.0,
    ) -> Iterator[Store]:
        """Open the workspace database; an encrypted one with ``key`` (see workspace_key).

        While another process holds the database, retry for up to ``wait_seconds``, then fail
        with a message naming that process.
        """
        if read_only and not database.exists():
            raise WorkspaceError(msg("storage.missing_database"), str(database))
        if is_encrypted(database):
            opened = cls._open_encrypted(
                database,
                read_only=read_only,
                key=key if key is not None else workspace_key(database),
                wait_seconds=wait_seconds,
            )
        else:
            opened = cls._open_plain(database, read_only=read_only, wait_seconds=wait_seconds)
        with opened as store:
            yield store

    @classmethod
    @contextmanager
    def _open_plain(
        cls, database: Path, *, read_only: bool, wait_seconds: float = 0.0
    ) -> Iterator[Store]:
        connection = _retry_while_locked(
            database,
            wait_seconds,
            lambda: duckdb.connect(str(database), read_only=read_only),
        )
        with cls._serving(connection, database, read_only=read_only) as store:
            yield store

    @classmethod
    @contextmanager
    def _open_encrypted(
        cls,
        database: Path,
        *,
        read_only: bool,
        key: str,
        wait_seconds: float = 0.0,
        create: bool = False,
    ) -> Iterator[Store]:
        def attach() -> duckdb.DuckDBPyConnection:
            connection = duckdb.connect(
                ":memory:",
                config={
                    "extension_directory": str(database.parent / EXTENSION_FOLDER),
                    "autoinstall_known_extensions": False,
                    "autoload_known_extensions": False,
                    "allow_unsigned_extensions": False,
                    "temp_directory": str(database) + ".tmp",
                },
            )
            try:
                _load_extension(
                    connection, database.parent / EXTENSION_FOLDER, required=not read_only
                )
                options = f"ENCRYPTION_KEY {_sql_key(key)}" + (", READ_ONLY" if read_only else "")
                connection.execute(f"ATTACH {_sql_text(str(database))} AS {_CATALOG} ({options})")
                connection.execute(f"USE {_CATALOG}")
                connection.execute("SET temp_file_encryption = true")
            except BaseException:
                connection.close()
                raise
            return connection

        if create and database.exists():
            raise WorkspaceError(msg("storage.exists"), str(database.parent))
        connection = _retry_while_locked(database, wait_seconds, attach, key=key)
        with cls._serving(connection, database, read_only=read_only) as store:
            store.encrypted = True
            yield store

    @classmethod
    @contextmanager
    def _serving(
        cls, connection: duckdb.DuckDBPyConnection, database: Path, *, read_only: bool
    ) -> Iterator[Store]:
        store = cls(connection, database)
        try:
            if not read_only:
                store._migrate()
                _make_private(database)
            yield store
        finally:
            connection.close()

    def _migrate(self) -> None:
        self.connection.execute(_DDL)
        self.connection.execute(
            "INSERT OR IGNORE INTO ybt_meta VALUES ('schema_version', ?), ('pseudonym_key', ?)",
            [SCHEMA_VERSION, secrets.token_hex(32)],
        )

    def pseudonym_key(self) -> bytes:
        """This workspace's random secret for keyed hashes of personal keys (entity ids), so an
        id cannot be turned back into an ID number by hashing every possible one."""
        value = self.scalar("SELECT value FROM ybt_meta WHERE key = 'pseudonym_key'")
        if value is None:  # a workspace only ever opened read-only since it was created
            raise WorkspaceError(msg("storage.no_pseudonym_key"), str(self.path))
        return bytes.fromhex(str(value))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: anything raised inside rolls the whole transaction back."""
        if self._rehearsing or self._depth:  # inside the rehearsal's or an outer transaction
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.connection.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield
            self.flush_appends()
        except BaseException:
            self._buffered = None if self._buffered is None else {}
            self.connection.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0
        self.connection.execute("COMMIT")

    @contextmanager
    def batched_appends(self) -> Iterator[None]:
        """Inside, ``append`` collects frames per table and writes each table once: at the end,
        before any delete, and before the transaction commits. For storing many small forms."""
        self._buffered = {}
        try:
            yield
            self.flush_appends()
        finally:
            self._buffered = None

    def flush_appends(self) -> None:
        if not self._buffered:
            return
        import polars as pl

        buffered, self._buffered = self._buffered, {}
        for table, frames in buffered.items():
            self._insert(table, pl.concat(frames, how="diagonal_relaxed"))

    @contextmanager
    def rehearsal(self) -> Iterator[Store]:
        """Writes made inside are seen inside and always rolled back (doctor's trial rebuild)."""
        self.connection.execute("BEGIN TRANSACTION")
        self._rehearsing = True
        try:
            yield self
        finally:
            self._rehearsing = False
            self.connection.execute("ROLLBACK")

    def scan_table(self, table: str) -> int:
        """Read every value of ``table``, so DuckDB verifies each block's checksum; row count.

        A damaged block raises WorkspaceError.
        """
        try:
            row = self.connection.execute(
                f"SELECT count(*), bit_xor(hash(t)) FROM {table} AS t"
            ).fetchone()
        except duckdb.Error as error:
            raise WorkspaceError(
                msg("storage.damaged", table=table, detail=_first_line(error)), str(self.path)
            ) from error
        return 0 if row is None else int(row[0])

    # -- queries -----------------------------------------------------------------------------

    def frame(self, sql: str, parameters: Sequence[Any] = ()) -> pl.DataFrame:
        return self.connection.execute(sql, list(parameters)).pl()

    def scalar(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        row = self.connection.execute(sql, list(parameters)).fetchone()
        return None if row is None else row[0]

    def file_by_hash(self, sha256: str) -> tuple[int, str] | None:
        row = self.connection.execute(
            "SELECT file_id, path FROM files WHERE sha256 = ?", [sha256]
        ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def forms_by_key(self, form_keys: Sequence[str]) -> pl.DataFrame:
        if not form_keys:
            import polars as pl

            return pl.DataFrame()
        return self.frame(
            "SELECT f.form_id, f.form_key, f.file_id, fi.path, f.data_rows FROM forms f "
            "JOIN files fi USING (file_id) WHERE f.form_key IN (SELECT unnest(?))",
            [list(form_keys)],
        )

    # -- writes ------------------------------------------------------------------------------

    def reserve_ids(self, sequence: str, count: int) -> list[int]:
        """``count`` fresh ids of ``seq_file`` or ``seq_form`` in one statement, so a batch of
        files can be inserted table by table rather than row by row."""
        if sequence not in {"seq_file", "seq_form"} or count <= 0:
            return []
        rows = self.connection.execute(f"SELECT nextval('{sequence}') FROM range(?)", [count])
        return [int(value) for (value,) in rows.fetchall()]

    def insert_file(
        self,
        file_id: int,
        sha256: str,
        path: Path,
        kind: str,
        encoding: str | None,
        size_bytes: int,
    ) -> None:
        """One file row under an id from reserve_ids (appended, so batched_appends can group it)."""
        record = {
            "file_id": file_id,
            "sha256": sha256,
            "path": str(path),
            "name": path.name,
            "kind": kind,
            "encoding": encoding,
            "size_bytes": size_bytes,
            "ingested_at": _now(),
        }
        self.append("files", _one_row(record, _file_columns()))

    def insert_form(self, form_id: int, file_id: int, record: dict[str, Any]) -> None:
        """One form row under an id from reserve_ids."""
        row = {
            "form_id": form_id,
            "file_id": file_id,
            **{key: record[key] for key in _FORM_FIELDS},
            "meta": json.dumps(record["meta"], ensure_ascii=False),
            "total_rows": json.dumps(record["total_rows"]),
            "footer_rows": json.dumps(record["footer_rows"]),
            "layout_json": json.dumps(record["layout"], ensure_ascii=False, default=str),
        }
        self.append("forms", _one_row(row, _form_columns()))

    def append(self, table: str, frame: pl.DataFrame) -> None:
        """Bulk-append a polars frame whose columns are a subset of the table's, by name."""
        if frame.is_empty():
            return
        if self._buffered is not None:
            self._buffered.setdefault(table, []).append(frame)
            return
        self._insert(table, frame)

    def _insert(self, table: str, frame: pl.DataFrame) -> None:
        columns = ", ".join(frame.columns)
        arrow = frame.to_arrow()  # noqa: F841 - scanned by DuckDB below by its variable name
        self.connection.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM arrow")

    def delete_forms(self, form_ids: Sequence[int]) -> None:
        """Remove forms with everything hanging off them, and files left without forms."""
        self.flush_appends()
        ids = list(form_ids)
        for table in ("observations", "form_rows", "form_columns", "findings", "forms"):
            self.connection.execute(
                f"DELETE FROM {table} WHERE form_id IN (SELECT unnest(?))", [ids]
            )
        self.connection.execute(
            "DELETE FROM findings WHERE form_id IS NULL AND file_id NOT IN "
            "(SELECT file_id FROM forms)"
        )
        self.connection.execute(
            "DELETE FROM files WHERE file_id NOT IN (SELECT file_id FROM forms)"
        )

    # -- what the ledgers were built from ----------------------------------------------------

    def data_stamp(self) -> str:
        """The stored forms and verified values the ledgers derive from, in a few numbers: any
        ingest, replacement or verification changes it."""
        row = self.connection.execute(
            "SELECT (SELECT count(*) FROM forms), (SELECT max(form_id) FROM forms), "
            "(SELECT count(*) FROM value_decisions), (SELECT max(decided_at) FROM value_decisions)"
        ).fetchone()
        return "|".join("" if part is None else str(part) for part in row or ())

    def mark_ledgers_built(self) -> None:
        """Record that the ledgers now match the data (inside the rebuild's transaction)."""
        self.connection.execute(
            "INSERT OR REPLACE INTO ybt_meta VALUES ('ledgers_built_from', ?)", [self.data_stamp()]
        )

    def ledgers_outdated(self) -> bool:
        """Whether data changed since the ledgers were last built: an ingest killed between
        storing its files and rebuilding leaves them so, and the next ingest must rebuild."""
        built = self.scalar("SELECT value FROM ybt_meta WHERE key = 'ledgers_built_from'")
        if built is None:
            return bool(self.scalar("SELECT count(*) FROM forms"))
        return str(built) != self.data_stamp()

    def decisions(self) -> list[Decision]:
        rows = self.connection.execute(
            "SELECT form_key, header_path, element_id, decided_by FROM decisions"
        ).fetchall()
        return [Decision(r[0], r[1], r[2], r[3]) for r in rows]

    def save_decision(self, decision: Decision) -> None:
        self.connection.execute(
            "INSERT OR REPLACE INTO decisions VALUES (?, ?, ?, ?, ?)",
            [
                decision.form_key,
                decision.header_path,
                decision.element_id,
                decision.decided_by,
                _now(),
            ],
        )


_FORM_FIELDS = (
    "sheet",
    "sheet_index",
    "form_key",
    "department",
    "title",
    "header_first",
    "header_last",
    "data_rows",
    "template",
    "as_of",
    "confidence",
)


def _one_row(record: dict[str, Any], schema: dict[str, PolarsDataType]) -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame([record], schema=schema)


def _file_columns() -> dict[str, PolarsDataType]:
    import polars as pl

    return {
        "file_id": pl.Int32,
        "sha256": pl.String,
        "path": pl.String,
        "name": pl.String,
        "kind": pl.String,
        "encoding": pl.String,
        "size_bytes": pl.Int64,
        "ingested_at": pl.Datetime("us"),
    }


def _form_columns() -> dict[str, PolarsDataType]:
    import polars as pl

    return {
        "form_id": pl.Int32,
        "file_id": pl.Int32,
        "sheet": pl.String,
        "sheet_index": pl.Int32,
        "form_key": pl.String,
        "department": pl.String,
        "title": pl.String,
        "header_first": pl.Int32,
        "header_last": pl.Int32,
        "data_rows": pl.Int32,
        "template": pl.Boolean,
        "as_of": pl.Date,
        "confidence": pl.Float64,
        "meta": pl.String,
        "total_rows": pl.String,
        "footer_rows": pl.String,
        "layout_json": pl.String,
    }


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _retry_while_locked(
    database: Path,
    wait_seconds: float,
    connect: Callable[[], duckdb.DuckDBPyConnection],
    *,
    key: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """Connect; while another process holds the file, retry until ``wait_seconds`` have passed."""
    deadline = time.monotonic() + max(0.0, wait_seconds)
    while True:
        try:
            return connect()
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise _cannot_open(database, error, key) from error
            if time.monotonic() >= deadline:
                raise _locked(database, str(error), wait_seconds) from error
            time.sleep(_LOCK_RETRY_SECONDS)
        except duckdb.Error as error:
            raise _cannot_open(database, error, key) from error


def _locked(database: Path, detail: str, waited: float) -> WorkspaceError:
    holder = _lock_holder(detail)
    if waited > 0:
        text = msg("storage.locked_after_wait", seconds=f"{waited:g}", holder=holder)
    else:
        text = msg("storage.locked", holder=holder)
    return WorkspaceError(text, str(database.parent))


def _lock_holder(detail: str) -> str:
    """ "ybt（进程号 1234）" from DuckDB's lock message, as far as it can be told."""
    found = _LOCK_HOLDER.search(detail)
    if found is None:
        return msg("storage.holder_unknown")
    pid = int(found.group(1))
    program = msg("storage.holder_other")
    try:
        command = " ".join(psutil.Process(pid).cmdline())
        if "yibiaotong" in command or "ybt" in command:
            program = "ybt"
        else:
            program = psutil.Process(pid).name() or program
    except psutil.Error:  # gone, or not ours to inspect: the number still helps
        pass
    return msg("storage.holder", program=program, pid=pid)


def _cannot_open(database: Path, error: duckdb.Error, key: str | None) -> WorkspaceError:
    text = str(error)
    if "encryption key" in text.lower() or "encrypted database" in text.lower():
        return WorkspaceError(msg("storage.wrong_key"), str(database.parent))
    detail = _first_line(error)
    if key:  # never echo a key, whatever DuckDB put in its message
        for form in (_sql_key(key)[1:-1], key):
            detail = detail.replace(form, "***")
    return WorkspaceError(msg("storage.cannot_open", detail=detail), str(database))

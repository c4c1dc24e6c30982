"""The DuckDB workspace: files, forms, columns, observations, findings and mapping decisions.

DuckDB is imported here and nowhere else. One input file is stored in one transaction, so a file
that fails halfway leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from yibiaotong.errors import WorkspaceError
from yibiaotong.messages import msg
from yibiaotong.settings import CONFIG_NAME, DATABASE_NAME, DEFAULT_CONFIG

SCHEMA_VERSION = "1"

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


def init_workspace(folder: Path, county: str = "") -> Path:
    """Create a workspace folder with its config file and an empty database; return the folder."""
    folder = folder.resolve()
    if (folder / CONFIG_NAME).exists():
        raise WorkspaceError(msg("storage.exists"), str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    config = folder / CONFIG_NAME
    config.write_text(DEFAULT_CONFIG.format(county=county), encoding="utf-8")
    with Store.open(folder / DATABASE_NAME):
        pass
    os.chmod(folder / DATABASE_NAME, 0o600)
    return folder


class Store:
    """An open workspace database."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path) -> None:
        self.connection = connection
        self.path = path

    @classmethod
    @contextmanager
    def open(cls, database: Path, *, read_only: bool = False) -> Iterator[Store]:
        if read_only and not database.exists():
            raise WorkspaceError(msg("storage.missing_database"), str(database))
        try:
            connection = duckdb.connect(str(database), read_only=read_only)
        except duckdb.IOException as error:
            if "lock" in str(error).lower():
                raise WorkspaceError(msg("storage.locked"), str(database.parent)) from error
            raise WorkspaceError(
                msg("storage.cannot_open", detail=str(error)), str(database)
            ) from error
        store = cls(connection, database)
        try:
            if not read_only:
                store._migrate()
            yield store
        finally:
            connection.close()

    def _migrate(self) -> None:
        self.connection.execute(_DDL)
        self.connection.execute(
            "INSERT OR IGNORE INTO ybt_meta VALUES ('schema_version', ?)", [SCHEMA_VERSION]
        )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: anything raised inside rolls the whole transaction back."""
        self.connection.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

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
            return pl.DataFrame()
        return self.frame(
            "SELECT f.form_id, f.form_key, f.file_id, fi.path, f.data_rows FROM forms f "
            "JOIN files fi USING (file_id) WHERE f.form_key IN (SELECT unnest(?))",
            [list(form_keys)],
        )

    # -- writes ------------------------------------------------------------------------------

    def insert_file(
        self, sha256: str, path: Path, kind: str, encoding: str | None, size_bytes: int
    ) -> int:
        row = self.connection.execute(
            "INSERT INTO files (sha256, path, name, kind, encoding, size_bytes, ingested_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING file_id",
            [sha256, str(path), path.name, kind, encoding, size_bytes, _now()],
        ).fetchone()
        assert row is not None
        return int(row[0])

    def insert_form(self, file_id: int, record: dict[str, Any]) -> int:
        row = self.connection.execute(
            "INSERT INTO forms (file_id, sheet, sheet_index, form_key, department, title, meta, "
            "header_first, header_last, data_rows, template, as_of, confidence, total_rows, "
            "footer_rows, layout_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING form_id",
            [
                file_id,
                record["sheet"],
                record["sheet_index"],
                record["form_key"],
                record["department"],
                record["title"],
                json.dumps(record["meta"], ensure_ascii=False),
                record["header_first"],
                record["header_last"],
                record["data_rows"],
                record["template"],
                record["as_of"],
                record["confidence"],
                json.dumps(record["total_rows"]),
                json.dumps(record["footer_rows"]),
                json.dumps(record["layout"], ensure_ascii=False, default=str),
            ],
        ).fetchone()
        assert row is not None
        return int(row[0])

    def append(self, table: str, frame: pl.DataFrame) -> None:
        """Bulk-append a polars frame whose columns are a subset of the table's, by name."""
        if frame.is_empty():
            return
        columns = ", ".join(frame.columns)
        arrow = frame.to_arrow()  # noqa: F841 - scanned by DuckDB below by its variable name
        self.connection.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM arrow")

    def delete_forms(self, form_ids: Sequence[int]) -> None:
        """Remove forms with everything hanging off them, and files left without forms."""
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


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)

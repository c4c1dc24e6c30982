"""The export audit log: every generated form is recorded — when, by whom, which form and
department, which elements (and masks), how many rows, where the file went and its hash.

The table is only ever appended to. Each entry carries a hash chained to the previous entry's,
so an entry edited or deleted afterwards shows as a break in the chain (`ybt export --log`).
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from yibiaotong.storage import Store

# Belongs with the other tables in storage.py eventually; created here when export first runs.
EXPORT_LOG_DDL = """
CREATE SEQUENCE IF NOT EXISTS seq_export_log START 1;
CREATE TABLE IF NOT EXISTS export_log (
    entry_id INTEGER PRIMARY KEY DEFAULT nextval('seq_export_log'),
    run_id VARCHAR NOT NULL,          -- one `ybt export` run
    exported_at TIMESTAMP NOT NULL,
    exported_by VARCHAR NOT NULL,     -- operating-system user
    department VARCHAR,
    form_key VARCHAR NOT NULL,
    form_title VARCHAR NOT NULL,
    elements VARCHAR[] NOT NULL,      -- the element ids the file contains
    masks JSON NOT NULL,              -- element → mask style, for masked elements
    row_count INTEGER NOT NULL,
    file_format VARCHAR NOT NULL,
    output_path VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,          -- of the written file
    chain VARCHAR NOT NULL            -- sha256 of the previous entry's chain and this entry
);
"""
_FIELDS = (
    "run_id",
    "exported_at",
    "exported_by",
    "department",
    "form_key",
    "form_title",
    "elements",
    "masks",
    "row_count",
    "file_format",
    "output_path",
    "sha256",
)

_FRAME_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "exported_at": pl.Datetime("us"),
    "exported_by": pl.String(),
    "department": pl.String(),
    "form_key": pl.String(),
    "form_title": pl.String(),
    "elements": pl.List(pl.String()),
    "masks": pl.String(),
    "row_count": pl.Int32(),
    "file_format": pl.String(),
    "output_path": pl.String(),
    "sha256": pl.String(),
    "chain": pl.String(),
}


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """One generated file, as the audit log keeps it."""

    run_id: str
    exported_at: dt.datetime
    department: str | None
    form_key: str
    form_title: str
    elements: tuple[str, ...]
    masks: dict[str, str]
    row_count: int
    file_format: str
    output_path: str
    sha256: str
    exported_by: str = ""


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (containers, services)
        return "?"


def ensure_log(store: Store) -> None:
    store.connection.execute(EXPORT_LOG_DDL)


def record_exports(store: Store, records: Sequence[ExportRecord]) -> None:
    """Append entries in one statement, each chained to the one before."""
    if not records:
        return
    ensure_log(store)
    with store.transaction():
        previous = store.scalar("SELECT chain FROM export_log ORDER BY entry_id DESC LIMIT 1")
        rows = []
        for record in records:
            values = _values(record)
            previous = _chain(previous or "", values)
            rows.append([*values, previous])
        frame = pl.DataFrame(rows, schema=_FRAME_SCHEMA, orient="row")
        store.append("export_log", frame)


def _values(record: ExportRecord) -> list[Any]:
    return [
        record.run_id,
        record.exported_at.replace(microsecond=0),
        record.exported_by or current_user(),
        record.department,
        record.form_key,
        record.form_title,
        list(record.elements),
        json.dumps(record.masks, ensure_ascii=False, sort_keys=True),
        record.row_count,
        record.file_format,
        record.output_path,
        record.sha256,
    ]


def _chain(previous: str, values: Sequence[Any]) -> str:
    text = json.dumps([previous, *values], ensure_ascii=False, default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def export_log(store: Store, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Every entry, newest first, each marked whether the chain up to it is intact."""
    exists = store.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'export_log'"
    )
    if not exists:
        return []
    frame = store.frame(
        f"SELECT entry_id, {', '.join(_FIELDS)}, chain FROM export_log ORDER BY entry_id"
    )
    entries: list[dict[str, Any]] = []
    previous = ""
    intact = True
    for row in frame.iter_rows(named=True):
        values = [row[name] for name in _FIELDS]
        values[_FIELDS.index("elements")] = list(row["elements"])
        values[_FIELDS.index("masks")] = row["masks"]
        intact = intact and _chain(previous, values) == row["chain"]
        previous = row["chain"]
        entries.append(
            {
                "entry": row["entry_id"],
                "run": row["run_id"],
                "exported_at": row["exported_at"].isoformat(sep=" "),
                "exported_by": row["exported_by"],
                "department": row["department"],
                "form_key": row["form_key"],
                "form": row["form_title"],
                "elements": list(row["elements"]),
                "masks": json.loads(row["masks"]),
                "rows": row["row_count"],
                "format": row["file_format"],
                "path": row["output_path"],
                "sha256": row["sha256"],
                "intact": intact,
            }
        )
    entries.reverse()
    return entries[:limit] if limit is not None else entries

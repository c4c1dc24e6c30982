"""How the report reads the workspace: aggregates computed by DuckDB, returned as plain tuples.

Every figure is a GROUP BY, COUNT DISTINCT or join in SQL that returns a few rows (one per form,
ledger, element …), never one per observation; tuples rather than frames, since the results
are small and converting them would cost more than computing them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from yibiaotong.storage import Store


def rows(store: Store, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """The result rows of one query."""
    return store.connection.execute(sql, list(parameters)).fetchall()


def count(store: Store, sql: str, parameters: Sequence[Any] = ()) -> int:
    """The single number one query returns (0 for NULL)."""
    row = store.connection.execute(sql, list(parameters)).fetchone()
    return 0 if row is None or row[0] is None else int(row[0])


# A temporary table: its name, the SELECT that fills it, and that query's parameters.
Scratch = tuple[str, str, Sequence[Any]]


@contextmanager
def scratch_tables(store: Store, tables: Sequence[Scratch]) -> Iterator[None]:
    """Temporary tables the next queries share, dropped afterwards; they live in the
    connection's own temporary catalogue, so a read-only workspace allows them."""
    made: list[str] = []
    try:
        for name, select, parameters in tables:
            store.connection.execute(
                f"CREATE OR REPLACE TEMP TABLE {name} AS {select}", list(parameters)
            )
            made.append(name)
        yield
    finally:
        for name in reversed(made):
            store.connection.execute(f"DROP TABLE IF EXISTS temp.{name}")


# A list parameter, written in SQL as TEXTS or NUMBERS and passed as listed(values). DuckDB
# binds a list parameter slowly (0.1–0.2 ms per item: a tenth of a second for 1,000 ids, tens
# of seconds for 50,000 strings); the same values as one JSON text take about a millisecond.
TEXTS = "from_json(?, '[\"VARCHAR\"]')"
NUMBERS = "from_json(?, '[\"BIGINT\"]')"


def listed(values: Iterable[str | int]) -> str:
    """The parameter for TEXTS or NUMBERS."""
    return json.dumps(list(values), ensure_ascii=False)


def text_pairs(first: Sequence[str], second: Sequence[str]) -> tuple[str, Sequence[Any]]:
    """A SELECT of two text columns (first, second) zipped from two equal-length lists, with
    its parameters."""
    select = f"SELECT unnest({TEXTS}) AS first, unnest({TEXTS}) AS second"
    return select, [listed(first), listed(second)]


# Observations counted by form, element, usable or not and finding: every figure about cells
# (who collected an element, valid key cells, cells per form) reads this instead of scanning
# all observations again.
CELLS = "report_cells"
_CELL_COUNTS = """
SELECT form_id, element_id, value IS NOT NULL AS usable, finding, count(*) AS cells
FROM observations GROUP BY ALL
"""


@contextmanager
def cell_counts(store: Store) -> Iterator[None]:
    """The CELLS table for the queries inside; made once when calls nest."""
    exists = count(
        store,
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?",
        [CELLS],
    )
    if exists:
        yield
        return
    with scratch_tables(store, [(CELLS, _CELL_COUNTS, ())]):
        yield

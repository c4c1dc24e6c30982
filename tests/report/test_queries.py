"""The report's SQL on small hand-made workspaces whose answers are known by construction:
person linkage (rows, addresses, grids through houses), key holdings per ledger, the helpers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from yibiaotong.keys import normalise_address
from yibiaotong.messages import msg
from yibiaotong.report import queries
from yibiaotong.report.figures import _form_summaries, _ledger_groups, _ledger_records
from yibiaotong.report.quality import person_linkage
from yibiaotong.schema import Schema, load_schema
from yibiaotong.storage import Store

# The tables resolution writes, with the columns the report reads.
_LEDGER_TABLES = """
CREATE TABLE entities (entity_id VARCHAR, kind VARCHAR, key_kind VARCHAR, key_value VARCHAR);
CREATE TABLE row_entities (form_id INTEGER, row_no INTEGER, entity_id VARCHAR, kind VARCHAR,
    relation VARCHAR, evidence VARCHAR);
CREATE TABLE ledger_values (ledger_id VARCHAR, entity_id VARCHAR, element_id VARCHAR,
    value VARCHAR);
"""
NORTH = "青山旗北苑社区3号楼2单元501室"
SOUTH = "青山旗南苑社区1栋1单元101室"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "ybt.duckdb") as opened:
        opened.connection.execute(_LEDGER_TABLES)
        yield opened


def _insert(store: Store, table: str, rows: list[tuple[Any, ...]]) -> None:
    marks = ", ".join("?" * len(rows[0]))
    store.connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def test_person_linkage_counts_rows_addresses_and_grids_through_houses(store: Store) -> None:
    # The addresses below differ in writing but not once normalised: that is what P2 and P3
    # are linked by.
    assert normalise_address("青山旗南苑社区1号楼1单元101") == normalise_address(SOUTH)
    assert normalise_address("青山旗北苑社区3栋2单元501") == normalise_address(NORTH)
    _insert(
        store,
        "entities",
        [
            *((f"P{n}", "person", "id_number", f"id{n}") for n in range(1, 8) if n != 6),
            ("P6", "person", "row", "sha:0:9"),  # no usable 身份证号: not counted
            ("H1", "house", "house_code", "F-301"),
            ("H2", "house", "house_address", SOUTH),
            ("H3", "house", "house_code", "F-302"),
            ("G1", "grid", "grid_name", "第一网格"),
        ],
    )
    _insert(
        store,
        "row_entities",
        [
            (1, 1, "P1", "person", "self", "key"),  # P1 and H1 in one row
            (1, 1, "H1", "house", "house", "key"),
            (1, 2, "H1", "house", "self", "key"),  # H1 and G1 in one row: H1 is gridded
            (1, 2, "G1", "grid", "grid", "key"),
            (1, 3, "P2", "person", "self", "key"),  # P2 and G1 in one row
            (1, 3, "G1", "grid", "grid", "key"),
            (1, 4, "P5", "person", "self", "key"),  # P5 and H3 (no grid) in one row
            (1, 4, "H3", "house", "house", "key"),
            (1, 5, "P7", "person", "self", "key"),  # P7 and G1 in one row
            (1, 5, "G1", "grid", "grid", "key"),
            (1, 6, "P6", "person", "self", "key"),  # unidentified, with a house and a grid
            (1, 6, "H1", "house", "house", "key"),
        ],
    )
    _insert(
        store,
        "ledger_values",
        [
            ("house", "H1", "house_address", NORTH),
            ("person", "P2", "current_address", "青山旗南苑社区1号楼1单元101"),  # = H2
            ("person", "P3", "current_address", "青山旗北苑社区3栋2单元501"),  # = H1: grid too
            ("person", "P4", "current_address", "青山旗东苑社区9栋9单元909室"),  # no house
        ],
    )
    link = person_linkage(store)
    # with a house: P1 (row), P2 (address → H2), P3 (address → H1), P5 (row)
    # with a grid: P1 (through H1), P2 (row), P3 (through H1 by address), P7 (row)
    assert (link.persons, link.unidentified_rows) == (6, 1)
    assert (link.with_house, link.with_grid, link.with_both) == (4, 4, 3)
    leftovers = queries.count(
        store, "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name LIKE 'report_%'"
    )
    assert leftovers == 0


def test_key_holdings_come_from_ledger_values_and_from_the_rows(store: Store) -> None:
    _insert(
        store,
        "ledger_values",
        [
            ("person", "P1", "id_number", "id1"),
            ("person", "P2", "name", "王二"),  # P2's 身份证号 is only in its row
            ("insurance", "P1", "insurance_type", "01"),
            ("insurance", "P1", "insured_year", "2024"),
            ("insurance", "P2", "insurance_type", "02"),
            ("subsidy", "R1", "subsidy_item", "高龄补贴"),
            ("subsidy", "R1", "payment_month", "2024-05"),
            ("subsidy", "R2", "subsidy_item", "高龄补贴"),
        ],
    )
    _insert(
        store,
        "row_entities",
        [
            (1, 2, "P2", "person", "self", "key"),
            (1, 5, "R1", "record", "self", "key"),
            (1, 6, "R2", "record", "self", "key"),
        ],
    )
    _insert(
        store,
        "observations",
        [
            (1, 2, 3, "id_number", "id2", "id2", None),
            (1, 5, 3, "id_number", "id5", "id5", None),
            (1, 6, 3, "id_number", "12345", None, "id-format"),  # not usable: not held
        ],
    )
    records = _ledger_records(store, load_schema(), ["person", "insurance", "subsidy"])
    assert records["person"].count == 2
    assert records["person"].by_element == {"id_number": 2}
    assert records["person"].complete == 2
    assert records["insurance"].count == 2
    assert records["insurance"].by_element == {
        "id_number": 2,
        "insurance_type": 2,
        "insured_year": 1,
    }
    assert records["insurance"].complete == 1
    assert records["subsidy"].count == 2
    assert records["subsidy"].by_element == {"id_number": 1, "subsidy_item": 2, "payment_month": 1}
    assert records["subsidy"].complete == 1


def test_ledgers_with_many_key_elements_split_into_masks_that_fit() -> None:
    ledgers = {f"l{n}": SimpleNamespace(key=(f"e{n}", "shared")) for n in range(70)}
    schema = cast(Schema, SimpleNamespace(ledgers=ledgers))
    groups = _ledger_groups(schema, list(ledgers))
    assert [len(group) for group in groups] == [61, 9]  # 61 own keys + "shared" = 62 bits
    assert [ledger for group in groups for ledger in group] == [f"l{n}" for n in range(70)]


def test_list_parameters_and_text_pairs_keep_any_text(store: Store) -> None:
    texts = ['引号"与\\反斜杠', "逗号,分号;", "换行\n", ""]
    select, parameters = queries.text_pairs(texts, [t.upper() for t in texts])
    assert queries.rows(store, select, parameters) == [(t, t.upper()) for t in texts]
    found = queries.rows(
        store, f"SELECT unnest({queries.NUMBERS}) * 2", [queries.listed([1, 2, 3])]
    )
    assert found == [(2,), (4,), (6,)]


def test_cell_counts_nest_and_leave_nothing_behind(store: Store) -> None:
    _insert(
        store,
        "observations",
        [
            (1, 2, 3, "id_number", "id2", "id2", None),
            (1, 3, 3, "id_number", "x", None, "id-format"),
            (1, 3, 4, None, "备注", "备注", None),
        ],
    )

    def cells() -> list[tuple[Any, ...]]:
        return queries.rows(
            store,
            f"SELECT element_id, usable, finding, cells FROM {queries.CELLS} ORDER BY ALL",
        )

    expected = [
        ("id_number", False, "id-format", 1),
        ("id_number", True, None, 1),
        (None, True, None, 1),
    ]
    with queries.cell_counts(store):
        with queries.cell_counts(store):
            assert cells() == expected
        assert cells() == expected  # the inner block did not drop the outer one's table
    assert not queries.count(
        store, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [queries.CELLS]
    )


def test_form_summaries_describe_each_form_by_its_latest_instance(store: Store) -> None:
    for file_id, name in ((1, "低保名册-3月.xlsx"), (2, "低保名册-4月.xlsx"), (3, "旧名册.xls")):
        store.connection.execute(
            "INSERT INTO files VALUES (?, ?, ?, ?, 'xlsx', NULL, 1, now())",
            [file_id, f"sha{file_id}", name, name],
        )
    key = "民政|低保名册|Sheet1"
    for form_id, file_id, department, as_of, rows, template in (
        (10, 2, None, "2024-04-30", 7, False),  # the latest: its department is unknown
        (11, 1, "民政", "2024-03-31", 5, True),
        (12, 3, "民政", None, 2, True),  # undated: counts as the oldest
        (13, 1, "民政", "2024-03-31", 1, True),  # same date as 11, ingested later
    ):
        store.connection.execute(
            "INSERT INTO forms (form_id, file_id, sheet, sheet_index, form_key, department, "
            "header_first, header_last, data_rows, template, as_of, confidence) "
            "VALUES (?, ?, 'Sheet1', 0, ?, ?, 1, 2, ?, ?, ?, 1.0)",
            [form_id, file_id, key, department, rows, template, as_of],
        )
    (summary,) = _form_summaries(store).values()
    assert summary.latest_form_id == 10
    assert summary.department == msg("report.unknown_department")
    assert summary.files == ("旧名册.xls", "低保名册-3月.xlsx", "低保名册-4月.xlsx")
    assert (summary.periods, summary.rows, summary.template) == (4, 15, False)

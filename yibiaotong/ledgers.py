"""Reading the ledgers: record counts, records (masked), where a value came from, row links,
and conflicts between departments."""

from __future__ import annotations

from typing import Any

from yibiaotong.errors import UsageError
from yibiaotong.messages import msg
from yibiaotong.model import CellRef
from yibiaotong.resolve import ledger_counts
from yibiaotong.schema import Element, Schema
from yibiaotong.storage import Store
from yibiaotong.values import mask_value

__all__ = [
    "conflict_rows",
    "explain_entity",
    "ledger_counts",
    "ledger_records",
    "masked",
    "row_links",
]


def masked(element: Element | None, value: str | None, *, reveal: bool = False) -> str | None:
    """A value as it may be shown: sensitive and personal values masked unless revealed."""
    if value is None or element is None or reveal:
        return value
    if element.sensitivity not in {"personal", "sensitive"} or element.mask == "none":
        return value
    return mask_value(value, element.mask)


def ledger_records(
    store: Store, schema: Schema, ledger_id: str, *, limit: int = 50, reveal: bool = False
) -> tuple[list[str], list[dict[str, Any]]]:
    """The records of one ledger, one row per entity, one column per element (masked)."""
    if ledger_id not in schema.ledgers:
        known = "、".join(schema.ledgers)
        raise UsageError(msg("ledgers.unknown_ledger", ledger=ledger_id, known=known))
    frame = store.frame(
        "SELECT entity_id, element_id, value FROM ledger_values WHERE ledger_id = ? "
        "AND entity_id IN (SELECT DISTINCT entity_id FROM ledger_values WHERE ledger_id = ? "
        "ORDER BY entity_id LIMIT ?) ORDER BY entity_id",
        [ledger_id, ledger_id, limit],
    )
    order = [e.id for e in schema.ledger_elements(ledger_id)]
    present = set(frame["element_id"].to_list()) if not frame.is_empty() else set()
    columns = [e for e in order if e in present] + sorted(present - set(order))
    records: dict[str, dict[str, Any]] = {}
    for entity, element_id, value in frame.iter_rows():
        record = records.setdefault(entity, {"entity": entity})
        record[element_id] = masked(schema.elements.get(element_id), value, reveal=reveal)
    return columns, list(records.values())


def explain_entity(
    store: Store, schema: Schema, entity: str, element: str | None = None, *, reveal: bool = False
) -> list[dict[str, Any]]:
    """Every observation behind an entity's values, the current one marked, with the reason."""
    known = store.scalar("SELECT count(*) FROM entities WHERE entity_id = ?", [entity])
    if not known:
        raise UsageError(msg("ledgers.unknown_entity", entity=entity))
    parameters: list[object] = [entity]
    clause = ""
    if element is not None:
        clause = "AND o.element_id = ?"
        parameters.append(element)
    frame = store.frame(
        f"""
        WITH attached AS (
            SELECT re.form_id, re.row_no FROM row_entities re WHERE re.entity_id = ?
        )
        SELECT o.element_id, o.value, o.raw, o.finding, o.form_id, o.row_no, o.col_index,
               f.sheet, f.department, f.as_of, fi.name AS file_name,
               (lv.form_id IS NOT NULL) AS current, lv.from_source
        FROM observations o JOIN attached USING (form_id, row_no)
        JOIN forms f USING (form_id) JOIN files fi USING (file_id)
        LEFT JOIN ledger_values lv ON lv.entity_id = ? AND lv.element_id = o.element_id
             AND lv.form_id = o.form_id AND lv.row_no = o.row_no AND lv.col_index = o.col_index
        WHERE o.element_id IS NOT NULL {clause}
        ORDER BY o.element_id, current DESC, f.as_of DESC NULLS LAST, fi.name, o.row_no
        """,
        [parameters[0], entity, *parameters[1:]],
    )
    rows = []
    for row in frame.iter_rows(named=True):
        definition = schema.elements.get(row["element_id"])
        rows.append(
            {
                "element": row["element_id"],
                "element_name": definition.name if definition else row["element_id"],
                "value": masked(definition, row["value"], reveal=reveal),
                "raw": masked(definition, row["raw"], reveal=reveal),
                "finding": row["finding"],
                "location": str(
                    CellRef(row["file_name"], row["sheet"], row["row_no"], row["col_index"])
                ),
                "department": row["department"],
                "as_of": row["as_of"],
                "current": bool(row["current"]),
                "reason": _reason(row, definition),
            }
        )
    return rows


def _reason(row: dict[str, Any], definition: Element | None) -> str:
    if not row["current"]:
        return ""
    if row["from_source"] and definition is not None:
        return msg("ledgers.reason_source", source=definition.source or "")
    if row["as_of"] is not None:
        return msg("ledgers.reason_latest", as_of=row["as_of"])
    return msg("ledgers.reason_ingested")


def row_links(store: Store, *, file: str | None = None) -> list[dict[str, Any]]:
    """For every stored form row: file, sheet, row number and the entities it refers to."""
    clause, parameters = ("WHERE fi.name LIKE ?", [f"%{file}%"]) if file else ("", [])
    frame = store.frame(
        f"""
        SELECT fi.name AS file, f.sheet, fr.row_no, f.form_key,
               list(re.entity_id ORDER BY re.relation <> 'self', re.kind) AS entities,
               list(re.kind ORDER BY re.relation <> 'self', re.kind) AS kinds,
               list(re.relation ORDER BY re.relation <> 'self', re.kind) AS relations,
               list(re.evidence ORDER BY re.relation <> 'self', re.kind) AS evidence
        FROM form_rows fr JOIN forms f USING (form_id) JOIN files fi USING (file_id)
        LEFT JOIN row_entities re USING (form_id, row_no)
        {clause}
        GROUP BY ALL ORDER BY fi.name, f.sheet, fr.row_no
        """,
        parameters,
    )
    return [
        {
            "file": r["file"],
            "sheet": r["sheet"],
            "row": r["row_no"],
            "form_key": r["form_key"],
            "entities": [
                {"entity": e, "kind": k, "relation": rel, "evidence": ev}
                for e, k, rel, ev in zip(
                    r["entities"], r["kinds"], r["relations"], r["evidence"], strict=True
                )
                if e is not None
            ],
        }
        for r in frame.iter_rows(named=True)
    ]


def conflict_rows(
    store: Store,
    schema: Schema,
    *,
    department: str | None = None,
    ledger: str | None = None,
    element: str | None = None,
    reveal: bool = False,
) -> list[dict[str, Any]]:
    """Conflicts: per entity and element, every competing value with its cell and department."""
    clauses, parameters = [], []
    for column, wanted in (
        ("department", department),
        ("ledger_id", ledger),
        ("element_id", element),
    ):
        if wanted:
            clauses.append(f"{column} = ?")
            parameters.append(wanted)
    where = (
        f"WHERE (entity_id, element_id) IN (SELECT entity_id, element_id FROM conflicts "
        f"WHERE {' AND '.join(clauses)})"
        if clauses
        else ""
    )
    frame = store.frame(
        f"SELECT * FROM conflicts {where} "
        "ORDER BY ledger_id, element_id, entity_id, chosen DESC, file_name, row_no",
        parameters,
    )
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for row in frame.iter_rows(named=True):
        definition = schema.elements.get(row["element_id"])
        item = grouped.setdefault(
            (row["entity_id"], row["element_id"]),
            {
                "ledger": row["ledger_id"],
                "entity": row["entity_id"],
                "element": row["element_id"],
                "element_name": definition.name if definition else row["element_id"],
                "values": [],
            },
        )
        item["values"].append(
            {
                "value": masked(definition, row["value"], reveal=reveal),
                "location": str(
                    CellRef(row["file_name"], row["sheet"], row["row_no"], row["col_index"])
                ),
                "department": row["department"],
                "as_of": row["as_of"],
                "chosen": row["chosen"],
            }
        )
    return list(grouped.values())

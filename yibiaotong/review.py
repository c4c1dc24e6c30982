"""Review of header matches and findings: what the clerk looks at after an ingest."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from yibiaotong.errors import UsageError
from yibiaotong.matching import match_key, path_key
from yibiaotong.messages import msg
from yibiaotong.schema import Schema
from yibiaotong.storage import Decision, Store
from yibiaotong.values import mask_value


def list_columns(
    store: Store, schema: Schema, *, include_all: bool = False
) -> list[dict[str, object]]:
    """Columns of stored forms: all of them, or only those waiting for review."""
    where = "" if include_all else "WHERE c.status = 'review'"
    frame = store.frame(
        f"""
        SELECT fi.name AS file, f.sheet, f.form_key, f.department, c.letter, c.header, c.path,
               c.match_text, c.element_id, c.method, c.score, c.status, c.candidates
        FROM form_columns c JOIN forms f USING (form_id) JOIN files fi USING (file_id)
        {where}
        ORDER BY c.score DESC, fi.name, f.sheet, c.col_index
        """
    )
    rows = []
    for row in frame.iter_rows(named=True):
        element = schema.elements.get(row["element_id"] or "")
        candidates = json.loads(row["candidates"] or "[]")
        rows.append(
            {
                "file": row["file"],
                "sheet": row["sheet"],
                "form_key": row["form_key"],
                "department": row["department"],
                "column": row["letter"],
                "header": row["header"],
                "path": row["path"],
                "element": row["element_id"],
                "element_name": element.name if element else None,
                "method": row["method"],
                "score": round(float(row["score"]), 3),
                "status": row["status"],
                "candidates": [
                    {**c, "name": schema.elements[c["element"]].name}
                    for c in candidates
                    if c["element"] in schema.elements
                ],
            }
        )
    return rows


def decide(
    store: Store,
    schema: Schema,
    header: str,
    element: str | None,
    *,
    form_key: str = "*",
) -> Decision:
    """Record that ``header`` (in one form, or anywhere) holds ``element`` (None: keep local)."""
    if element is not None and element not in schema.elements:
        raise UsageError(msg("review.unknown_element", element=element))
    parts = [p for p in header.split("/") if p.strip()]
    decision = Decision(
        form_key=form_key, header_path=path_key(parts) or match_key(header), element_id=element
    )
    store.save_decision(decision)
    return decision


def accept_above(store: Store, score: float) -> list[Decision]:
    """Accept the best candidate of every review column whose best score is at least ``score``."""
    decided = []
    for row in store.frame(
        "SELECT f.form_key, c.match_text, c.candidates "
        "FROM form_columns c JOIN forms f USING (form_id) "
        "WHERE c.status = 'review'"
    ).iter_rows(named=True):
        candidates = json.loads(row["candidates"] or "[]")
        if candidates and candidates[0]["score"] >= score:
            decision = Decision(row["form_key"], row["match_text"], candidates[0]["element"])
            store.save_decision(decision)
            decided.append(decision)
    return decided


def files_to_reapply(store: Store) -> list[Path]:
    """Stored files whose columns are affected by a decision, so they can be ingested again."""
    frame = store.frame(
        """
        SELECT DISTINCT fi.path FROM form_columns c JOIN forms f USING (form_id)
        JOIN files fi USING (file_id) JOIN decisions d
          ON d.header_path = c.match_text AND (d.form_key = f.form_key OR d.form_key = '*')
        WHERE c.element_id IS DISTINCT FROM d.element_id OR c.method <> 'decision'
        ORDER BY 1
        """
    )
    return [Path(p) for p in frame["path"].to_list()]


def export_decisions(store: Store, target: Path) -> int:
    """Write the accepted decisions to a YAML file that can be versioned and applied elsewhere."""
    import yaml

    decisions = store.decisions()
    document = {
        "format": "ybt-decisions/1",
        "decisions": [
            {"form": d.form_key, "header": d.header_path, "element": d.element_id}
            for d in decisions
        ],
    }
    target.write_text(
        yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return len(decisions)


def import_decisions(store: Store, schema: Schema, source: Path) -> int:
    """Load decisions written by export_decisions (e.g. from another county's workspace)."""
    import yaml

    try:
        document = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise UsageError(msg("review.bad_decisions", detail=str(error)), str(source)) from error
    items = document.get("decisions") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise UsageError(msg("review.bad_decisions", detail="decisions"), str(source))
    for item in items:
        element = item.get("element")
        if element is not None and element not in schema.elements:
            raise UsageError(msg("review.unknown_element", element=element), str(source))
        store.save_decision(Decision(str(item["form"]), str(item["header"]), element, "import"))
    return len(items)


_SENSITIVE_MASKS = {"id_number": "id_middle", "phone": "phone_middle", "account": "account_tail"}


def list_findings(
    store: Store,
    schema: Schema,
    *,
    file: str | None = None,
    codes: Sequence[str] = (),
    severity: str | None = None,
    limit: int | None = None,
) -> list[dict[str, object]]:
    """Findings with their cell addresses; personal values are masked."""
    clauses: list[str] = []
    parameters: list[object] = []
    if file:
        clauses.append("file_name LIKE ?")
        parameters.append(f"%{file}%")
    if codes:
        clauses.append("code IN (SELECT unnest(?))")
        parameters.append(list(codes))
    if severity:
        clauses.append("severity = ?")
        parameters.append(severity)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    tail = f"LIMIT {int(limit)}" if limit else ""
    frame = store.frame(
        f"SELECT location, code, severity, message, element_id, raw FROM findings {where} "
        f"ORDER BY file_name, sheet, row_no, col_index {tail}",
        parameters,
    )
    return [
        {**row, "raw": _masked(schema, row["element_id"], row["raw"])}
        for row in frame.iter_rows(named=True)
    ]


def _masked(schema: Schema, element_id: str | None, raw: str | None) -> str | None:
    if raw is None or element_id is None or element_id not in schema.elements:
        return raw
    element = schema.elements[element_id]
    style = _SENSITIVE_MASKS.get(element.type, element.mask)
    if element.sensitivity in {"personal", "sensitive"} and style != "none":
        return mask_value(raw, style)
    return raw


def findings_summary(store: Store) -> pl.DataFrame:
    return store.frame(
        "SELECT code, severity, count(*) AS n FROM findings GROUP BY ALL ORDER BY n DESC"
    )

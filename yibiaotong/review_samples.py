"""Sample values for reviewing header matches: a few values per column, personal data masked.

A clerk judging "does this column hold 联系电话?" needs to see what the column holds; the
samples show it without showing whole ID numbers, phone numbers, names or addresses.
"""

from __future__ import annotations

import json
import re
from typing import Any

from yibiaotong.review import list_columns
from yibiaotong.schema import Element, Schema
from yibiaotong.storage import Store
from yibiaotong.values import mask_value

SAMPLES_PER_COLUMN = 3

# The mask for a personal or sensitive element that declares none (the schema leaves names and
# addresses unmasked in exports, where the department needs them; a review sheet does not).
_TYPE_MASKS = {
    "id_number": "id_middle",
    "phone": "phone_middle",
    "account": "account_tail",
    "name": "name_partial",
    "address": "address_partial",
}
# Public codes that look like long numbers but name no person.
_PUBLIC_TYPES = frozenset({"uscc", "admin_code"})
# Values that are personal whatever the column claims to be.
_VALUE_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\d{17}[\dXx]$|^\d{15}$"), "id_middle"),
    (re.compile(r"^(\+?86)?1[3-9]\d{9}$"), "phone_middle"),
    (re.compile(r"^\d{10,}$"), "account_tail"),
)


def masked_sample(value: str, element: Element | None, element_type: str | None = None) -> str:
    """A value as a review may show it: masked by its element, or, for a column without one, by
    the type guessed for it (a name, an address) and by its look (an ID number is masked in any
    column)."""
    if element is not None and element.sensitivity in {"personal", "sensitive"}:
        style = element.mask if element.mask != "none" else _TYPE_MASKS.get(element.type)
        if style is not None:
            return mask_value(value, style)
    if element is None and element_type in _TYPE_MASKS:
        return mask_value(value, _TYPE_MASKS[element_type])
    if element is not None and element.type in _PUBLIC_TYPES:
        return value
    compact = re.sub(r"[\s-]", "", value)
    for pattern, style in _VALUE_MASKS:
        if pattern.match(compact):
            return mask_value(compact, style)
    return value


def column_samples(
    store: Store,
    schema: Schema,
    *,
    include_all: bool = False,
    per_column: int = SAMPLES_PER_COLUMN,
) -> dict[tuple[str, str], list[str]]:
    """(form_key, column letter) → the first distinct values of that stored column, masked.

    A review column has no element yet; its best candidate decides the mask, and values that
    look like ID numbers, phones or accounts are masked in any case.
    """
    where = "" if include_all else "WHERE c.status = 'review'"
    frame = store.frame(
        f"""
        WITH picked AS (
            SELECT c.form_id, c.col_index, f.form_key, c.letter, c.element_id, c.candidates
            FROM form_columns c JOIN forms f USING (form_id) {where}
        ), firsts AS (
            SELECT o.form_id, o.col_index, o.raw, min(o.row_no) AS first_row
            FROM observations o JOIN picked USING (form_id, col_index)
            WHERE o.raw IS NOT NULL
            GROUP BY ALL
        )
        SELECT p.form_key, p.letter, p.element_id, p.candidates, s.raw
        FROM firsts s JOIN picked p USING (form_id, col_index)
        QUALIFY row_number() OVER (PARTITION BY s.form_id, s.col_index ORDER BY s.first_row) <= ?
        ORDER BY p.form_key, p.letter, s.first_row
        """,
        [per_column],
    )
    samples: dict[tuple[str, str], list[str]] = {}
    for form_key, letter, element_id, candidates, raw in frame.iter_rows():
        element = schema.elements.get(element_id or _best_candidate(candidates))
        samples.setdefault((form_key, letter), []).append(masked_sample(str(raw), element))
    return samples


def _best_candidate(candidates: str | None) -> str:
    listed: list[dict[str, Any]] = json.loads(candidates or "[]")
    return str(listed[0]["element"]) if listed else ""


def review_columns(
    store: Store,
    schema: Schema,
    *,
    include_all: bool = False,
    min_score: float | None = None,
    per_column: int = SAMPLES_PER_COLUMN,
) -> list[dict[str, object]]:
    """`review.list_columns` (sorted by score, with candidates), only columns scoring at least
    ``min_score``, each with a few masked sample values under "samples"."""
    rows = list_columns(store, schema, include_all=include_all)
    if min_score is not None:
        rows = [row for row in rows if _score(row) >= min_score]
    samples = column_samples(store, schema, include_all=include_all, per_column=per_column)
    return [
        {**row, "samples": samples.get((str(row["form_key"]), str(row["column"])), [])}
        for row in rows
    ]


def _score(row: dict[str, object]) -> float:
    score = row.get("score")
    return float(score) if isinstance(score, int | float) else 0.0

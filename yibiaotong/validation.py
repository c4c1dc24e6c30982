"""Row- and form-level validation, declared as a pandera schema generated from the ledger schema.

Cell-level checks (checksums, formats, code lists) happen while normalising (values.py); this
stage checks what needs a whole row or the whole column: required cells (`*` headers), rows that
repeat the same person or organisation, and ID numbers that disagree with the 性别/出生日期 columns.
pandera is imported here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandera.polars as pa
import polars as pl

from yibiaotong.layout import FormLayout
from yibiaotong.matching import ColumnMatch
from yibiaotong.messages import msg
from yibiaotong.model import CellRef, CellValue, Finding, Severity
from yibiaotong.schema import Schema
from yibiaotong.values import cell_text

# Keys whose joint repetition inside one form means the same entity was listed twice. All
# present keys together: a homestead roster may list one owner (id_number) for two houses.
_UNIQUE_KEYS = ("id_number", "uscc", "house_code", "house_address", "account_no")
_ID_CHECKS = ("id-sex-mismatch", "id-birth-mismatch")


def validate_form(
    layout: FormLayout,
    matches: Sequence[ColumnMatch],
    cells: Mapping[int, Sequence[CellValue]],
    values: Mapping[str, pl.Series],
    schema: Schema,
    location: CellRef,
) -> list[Finding]:
    """Findings for required cells, repeated entities and ID/sex/birth-date disagreements."""
    if not layout.data_rows:
        return []
    frame, columns_of = _frame(layout, matches, cells, values)
    contract = _contract(layout, matches, values)
    try:
        contract.validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as errors:
        failures = errors.failure_cases
    return _findings(failures, frame, columns_of, schema, location)


def _frame(
    layout: FormLayout,
    matches: Sequence[ColumnMatch],
    cells: Mapping[int, Sequence[CellValue]],
    values: Mapping[str, pl.Series],
) -> tuple[pl.DataFrame, dict[str, int]]:
    data: dict[str, Any] = {"row_no": list(layout.data_rows)}
    data_columns = [m.index for m in matches if m.status != "layout"]
    columns_of: dict[str, int] = {"first_data_column": min(data_columns, default=0)}
    for column in layout.columns:
        if column.required:
            name = f"required_{column.index}"
            data[name] = [cell_text(v) for v in cells[column.index]]
            columns_of[name] = column.index
    for match in matches:
        if match.element is not None and match.status == "accepted" and match.element in values:
            data[match.element] = values[match.element]
            columns_of.setdefault(match.element, match.index)
    frame = pl.DataFrame(data, strict=False)
    keys = [k for k in _UNIQUE_KEYS if k in frame.columns]
    if keys:  # null when any key is unusable: a row with a damaged key repeats nothing
        frame = frame.with_columns(entity_key=pl.concat_str(keys, separator="|"))
    return frame, columns_of


def _contract(
    layout: FormLayout, matches: Sequence[ColumnMatch], values: Mapping[str, pl.Series]
) -> pa.DataFrameSchema:
    columns: dict[str, pa.Column] = {
        f"required_{c.index}": pa.Column(str, nullable=False, required=False)
        for c in layout.columns
        if c.required
    }
    keys = [k for k in _UNIQUE_KEYS if k in values]
    if keys:
        columns["entity_key"] = pa.Column(str, nullable=True, unique=True, required=False)
    checks = []
    if "id_number" in values and "sex" in values:
        checks.append(pa.Check(_sex_agrees, name="id-sex-mismatch"))
    if "id_number" in values and "birth_date" in values:
        checks.append(pa.Check(_birth_agrees, name="id-birth-mismatch"))
    return pa.DataFrameSchema(columns, checks=checks, strict=False, coerce=False)


def _sex_agrees(data: pa.PolarsData) -> pl.LazyFrame:
    digit = pl.col("id_number").str.slice(16, 1).cast(pl.Int32, strict=False)
    expected = pl.when(digit % 2 == 1).then(pl.lit("1")).otherwise(pl.lit("2"))
    usable = pl.col("id_number").str.len_chars() == 18
    sex = pl.col("sex")
    return data.lazyframe.select(
        (~usable | sex.is_null() | ~sex.is_in(["1", "2"]) | (sex == expected)).fill_null(True)
    )


def _birth_agrees(data: pa.PolarsData) -> pl.LazyFrame:
    from_id = pl.col("id_number").str.slice(6, 8)
    stated = pl.col("birth_date").str.replace_all("-", "")
    usable = pl.col("id_number").str.len_chars() == 18
    # A year-month 出生年月 (YYYY-MM) is compared on its 6 digits only.
    agrees = from_id.str.starts_with(stated)
    return data.lazyframe.select(
        (~usable | pl.col("birth_date").is_null() | agrees).fill_null(True)
    )


def _findings(
    failures: pl.DataFrame,
    frame: pl.DataFrame,
    columns_of: Mapping[str, int],
    schema: Schema,
    location: CellRef,
) -> list[Finding]:
    found: list[Finding] = []
    row_numbers = frame["row_no"].to_list()
    first_seen: set[str] = set()
    for failure in failures.sort("index", nulls_last=True).iter_rows(named=True):
        index = failure["index"]
        if index is None:
            continue
        row = row_numbers[index]
        check = str(failure["check"])
        column_name = failure["column"]
        if check == "not_nullable":
            code, element = "required-missing", None
            col_index = columns_of.get(str(column_name))
        elif check == "field_uniqueness":
            if failure["failure_case"] is None:  # blank or unusable keys repeat nothing
                continue
            value = str(failure["failure_case"])
            if value not in first_seen:
                first_seen.add(value)
                continue
            # A repeated row is pointed at by its first data cell, like a clerk would mark it.
            code, element = "duplicate-row", None
            col_index = columns_of.get("first_data_column")
        elif check in _ID_CHECKS:
            code, element = check, "id_number"
            col_index = columns_of.get("sex" if check == "id-sex-mismatch" else "birth_date")
        else:
            continue
        found.append(
            Finding(
                code=code,
                severity=Severity.WARNING if code != "required-missing" else Severity.ERROR,
                message=msg(f"validation.{code}"),
                location=CellRef(location.file, location.sheet, row, col_index),
                element=element,
            )
        )
    return found

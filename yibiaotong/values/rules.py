"""What a column's values must be: the element type and its constraints, from the schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from yibiaotong.errors import SchemaError
from yibiaotong.messages import msg

if TYPE_CHECKING:
    from yibiaotong.schema import CodeList

ELEMENT_TYPES: tuple[str, ...] = (
    "text",
    "name",
    "integer",
    "decimal",
    "date",
    "year_month",
    "flag",
    "code",
    "id_number",
    "uscc",
    "phone",
    "admin_code",
    "address",
    "account",
)


@dataclass(frozen=True)
class ColumnRules:
    """The element type of a column plus optional code list, pattern and bounds.

    ``pattern`` is a Python regular expression the whole normalised value must match;
    ``minimum``/``maximum`` bound integer and decimal values; ``date_1904`` says the workbook
    counts Excel serial dates from 1904.
    """

    type: str
    code_list: CodeList | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    date_1904: bool = False

    def __post_init__(self) -> None:
        if self.type not in ELEMENT_TYPES:
            raise SchemaError(
                msg("values.error.unknown_type", type=self.type, types="、".join(ELEMENT_TYPES))
            )
        if self.type == "code" and self.code_list is None:
            raise SchemaError(msg("values.error.code_list_missing"))

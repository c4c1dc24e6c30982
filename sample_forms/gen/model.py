"""Declarations of the sample forms (columns, records, layouts, workbooks) and planned sheets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

# A cell as it will be stored: text, number, a real date cell (dt.date), or empty.
Cell = str | int | float | dt.date | None


@dataclass(frozen=True)
class Fmt:
    """How a canonical value is written into a cell; ``trait`` names the layout trait it shows."""

    name: str
    write: Callable[[object], Cell]
    trait: str | None = None
    date_format: str | None = None  # number format of a real date cell


@dataclass(frozen=True)
class Column:
    header: str  # the leaf header exactly as written in the sheet
    element: str | None  # schema element id; None for serial and form-local columns
    source: str | None = None  # key into Record.values when it differs from the element
    fmt: Fmt | None = None
    group: tuple[str, ...] = ()  # group headers above the leaf, outermost first
    kind: str | None = None  # "serial" | "local" | None
    variant: str | None = None  # "unusual" for rare header spellings
    width: float | None = None

    @property
    def key(self) -> str | None:
        return self.source or self.element

    @property
    def required(self) -> bool:
        return "*" in self.header

    @property
    def path(self) -> list[str]:
        return [*self.group, self.header]


@dataclass
class Record:
    """One data row's truth: entity keys, values by element id (or local key), role persons."""

    keys: dict[str, str]
    values: dict[str, object]
    roles: dict[str, str] = field(default_factory=dict)
    group: str = ""  # rows with the same group get a 小计 row when the layout asks for one


@dataclass(frozen=True)
class Layout:
    origin: tuple[int, int] = (0, 0)  # (row, column) where the form's top-left cell sits
    title_rows: int = 1  # 0, 1 or 2
    subtitle: str = ""  # the second title line when title_rows == 2
    meta: str | None = "unit-date"  # None, "unit-date", "unit-asof", "split", "asof-only"
    blank_rows: int = 0  # empty rows scattered inside the data
    totals: str | None = None  # None, "total", "subtotal"
    sum_keys: tuple[str, ...] = ()  # Record.values keys summed in 合计/小计 rows
    footer: tuple[str, ...] = ()  # footer lines (填表人 …, 注：…)
    header_height: int | None = None  # force extra header rows (3-row headers)


@dataclass
class FormSpec:
    form_id: str
    department: str  # short department name, e.g. 民政
    title: str
    columns: list[Column]
    records: list[Record]
    sheet: str = "Sheet1"
    layout: Layout = field(default_factory=Layout)
    as_of: dt.date = dt.date(2026, 10, 31)
    unit_name: str = ""  # 填报单位
    template: bool = False
    duplicates: int = 0  # how many records to write twice (planted duplicate-row)
    notes: tuple[str, ...] = ()  # extra traits declared by the catalogue


@dataclass
class ExtraSheet:
    """A sheet that is not a form: a hidden code dictionary or a 填表说明."""

    name: str
    role: str  # "hidden" | "instructions"
    lines: list[list[str]]


@dataclass
class WorkbookSpec:
    folder: str  # department folder under county/
    filename: str
    kind: str  # xlsx | xls | csv
    sheets: list[FormSpec | ExtraSheet]
    encoding: str | None = None  # csv only: "gbk" | "utf-8-sig"

    @property
    def path(self) -> str:
        return f"county/{self.folder}/{self.filename}"


@dataclass
class PlacedColumn:
    column: Column
    index: int  # 0-based sheet column
    header_row: int  # 0-based row of the leaf header cell (top-left of its merge)


@dataclass
class PlacedRow:
    row: int  # 0-based sheet row
    record: Record
    duplicate_of: int | None = None


@dataclass
class FormPlan:
    spec: FormSpec
    columns: list[PlacedColumn]
    header_rows: list[int]
    data_rows: list[PlacedRow]
    total_rows: list[int]
    footer_rows: list[int]
    blank_rows: list[int]
    title_rows: list[int]
    meta_rows: list[int]
    traits: list[str] = field(default_factory=list)
    planted: list[dict[str, object]] = field(default_factory=list)

    def column_for(self, element: str) -> PlacedColumn | None:
        for placed in self.columns:
            if placed.column.element == element:
                return placed
        return None


@dataclass
class SheetPlan:
    name: str
    role: str  # form | hidden | instructions
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    styles: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    form: FormPlan | None = None

    def put(self, row: int, column: int, value: Cell, style: str = "data") -> None:
        self.cells[(row, column)] = value
        self.styles[(row, column)] = style


@dataclass
class WorkbookPlan:
    spec: WorkbookSpec
    sheets: list[SheetPlan]

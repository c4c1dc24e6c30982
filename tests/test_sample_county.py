"""The committed sample county agrees with its manifest, read back as a user's tools would."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import python_calamine
import yaml

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_forms"
MANIFEST = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))
FORMS = MANIFEST["forms"]
SCHEMA = yaml.safe_load((ROOT / "schemas" / "default.yaml").read_text(encoding="utf-8"))

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ID_CODES = {"id-checksum", "id-format", "id-precision-lost", "id-legacy-15"}
ID_ELEMENTS = {"id_number", *(f"{role['id']}_id_number" for role in SCHEMA["roles"])}
Value = Any
Form = dict[str, Any]


def id_is_valid(text: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", text):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(text, ID_WEIGHTS, strict=False))
    return "10X98765432"[total % 11] == text[17]


def uscc_is_valid(text: str) -> bool:
    if len(text) != 18 or any(char not in USCC_ALPHABET for char in text):
        return False
    total = sum(USCC_ALPHABET.index(char) * pow(3, i, 31) for i, char in enumerate(text[:17]))
    return USCC_ALPHABET[(31 - total % 31) % 31] == text[17]


def test_checksums_match_published_examples() -> None:
    assert uscc_is_valid("91350100M000100Y43")
    assert not uscc_is_valid("91350100M000100Y44")
    assert id_is_valid("11010519491231002X")
    assert not id_is_valid("110105194912310021")


# ---- reading the files back (not with the generator) -------------------------------------------
@cache
def grid(file: str, sheet: str) -> tuple[tuple[Value, ...], ...]:
    path = SAMPLE / file
    if path.suffix == ".csv":
        encoding = next(f["encoding"] for f in MANIFEST["files"] if f["file"] == file)
        text = path.read_bytes().decode(encoding)
        return tuple(tuple(row) for row in csv.reader(io.StringIO(text)))
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return tuple(tuple(row) for row in rows)


def position(cell: str) -> tuple[int, int]:
    match = re.fullmatch(r"([A-Z]+)(\d+)", cell)
    assert match, cell
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)) - 1, column - 1


def value_at(form: Form, cell: str) -> Value:
    rows = grid(str(form["file"]), str(form["sheet"]))
    row, column = position(cell)
    if row >= len(rows) or column >= len(rows[row]):
        return None
    value = rows[row][column]
    return None if value == "" else value


def text(value: Value) -> str:
    """A cell as text: integral floats without '.0', full-width digits folded."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def row_is_empty(rows: tuple[tuple[Value, ...], ...], row: int) -> bool:
    return row >= len(rows) or all(value in ("", None) for value in rows[row])


def planted_cells(form: Form) -> dict[str, Form]:
    return {str(entry["cell"]): entry for entry in form["planted"]}


def data_cells(form: Form, elements: set[str]) -> Iterator[tuple[str, Form]]:
    for column in form["columns"]:
        if column["element"] in elements:
            for row in form["data_rows"]:
                yield f"{column['letter']}{row}", column


# ---- the manifest matches the files ------------------------------------------------------------
def test_county_size_and_spread() -> None:
    population = MANIFEST["population"]
    assert 2000 <= population["persons"] <= 3200
    assert 800 <= population["households"] <= 1000
    assert population["organisations"] >= 100
    assert len(FORMS) >= 95
    assert len({form["department"] for form in FORMS}) >= 15
    assert sum(form["template"] for form in FORMS) >= 8
    size = sum(path.stat().st_size for path in (SAMPLE / "county").rglob("*") if path.is_file())
    assert size < 15_000_000


def test_every_listed_file_exists_with_its_sheets() -> None:
    listed = {entry["file"] for entry in MANIFEST["files"]}
    on_disk = {str(p.relative_to(SAMPLE)) for p in (SAMPLE / "county").rglob("*") if p.is_file()}
    assert listed == on_disk
    for entry in MANIFEST["files"]:
        path = SAMPLE / entry["file"]
        if entry["kind"] == "csv":
            raw = path.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf") == (entry["encoding"] == "utf-8-sig")
            raw.decode(entry["encoding"])  # strict: the declared encoding really fits
            assert [s["name"] for s in entry["sheets"]] == [path.stem]
            continue
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        assert workbook.sheet_names == [s["name"] for s in entry["sheets"]]
        hidden = {m.name for m in workbook.sheets_metadata if m.visible != m.visible.Visible}
        assert hidden == {s["name"] for s in entry["sheets"] if s["role"] == "hidden"}
    form_sheets = {(form["file"], form["sheet"]) for form in FORMS}
    listed_forms = {
        (entry["file"], sheet["name"])
        for entry in MANIFEST["files"]
        for sheet in entry["sheets"]
        if sheet["role"] == "form"
    }
    assert form_sheets == listed_forms


@pytest.mark.parametrize("form", FORMS, ids=[form["form_id"] for form in FORMS])
def test_header_cells_hold_the_manifest_headers(form: Form) -> None:
    for column in form["columns"]:
        assert value_at(form, column["header_cell"]) == column["header"]
        assert column["path"][-1] == column["header"]
        row, _ = position(column["header_cell"])
        assert row + 1 in form["header_rows"]
        for group in column["path"][:-1]:
            assert group in {v for r in form["header_rows"] for v in _row(form, r)}


def _row(form: Form, row: int) -> tuple[Value, ...]:
    rows = grid(str(form["file"]), str(form["sheet"]))
    return rows[row - 1] if row - 1 < len(rows) else ()


@pytest.mark.parametrize("form", FORMS, ids=[form["form_id"] for form in FORMS])
def test_rows_after_the_header_are_exactly_data_totals_and_footers(form: Form) -> None:
    rows = grid(str(form["file"]), str(form["sheet"]))
    first = max(form["header_rows"])
    occupied = {r + 1 for r in range(first, len(rows)) if not row_is_empty(rows, r)}
    expected = set(form["data_rows"]) | set(form["total_rows"]) | set(form["footer_rows"])
    assert occupied == expected
    for blank in form["blank_rows"]:
        assert row_is_empty(rows, blank - 1)
    assert len(form["entities"]) == len(form["data_rows"])
    if form["template"]:
        assert form["data_rows"] == []
    for total in form["total_rows"]:
        assert any("计" in text(v) for v in rows[total - 1])


def test_every_column_element_exists_in_the_schema() -> None:
    elements = {element["id"] for element in SCHEMA["elements"]}
    elements |= {f"{role['id']}_{e}" for role in SCHEMA["roles"] for e in role["elements"]}
    for form in FORMS:
        for column in form["columns"]:
            if column["kind"] == "element":
                assert column["element"] in elements, (form["form_id"], column["header"])
            else:
                assert column["element"] is None
                assert column["kind"] in {"serial", "local"}
    unusual = [c for form in FORMS for c in form["columns"] if c.get("variant") == "unusual"]
    assert len(unusual) >= 5


# ---- keys: valid everywhere except where the manifest plants a problem --------------------------
def test_every_id_is_valid_except_the_planted_cells() -> None:
    checked = 0
    for form in FORMS:
        planted = planted_cells(form)
        for cell, _ in data_cells(form, ID_ELEMENTS):
            value = value_at(form, cell)
            if cell in planted:
                assert planted[cell]["code"] in ID_CODES | {"required-missing", "duplicate-row"}
                if planted[cell]["code"] in ID_CODES:
                    assert not (isinstance(value, str) and id_is_valid(value))
                continue
            if value is None:
                continue
            assert isinstance(value, str), (form["form_id"], cell, value)
            assert id_is_valid(value), (form["form_id"], cell, value)
            checked += 1
    assert checked > 5000


def test_every_uscc_is_valid_except_the_planted_cells() -> None:
    checked = 0
    for form in FORMS:
        planted = planted_cells(form)
        for cell, _ in data_cells(form, {"uscc"}):
            value = text(value_at(form, cell))
            if cell in planted:
                assert planted[cell]["code"] == "uscc-checksum"
                assert not uscc_is_valid(value)
            else:
                assert uscc_is_valid(value), (form["form_id"], cell, value)
                checked += 1
    assert checked > 100


def _code_labels(element: str) -> set[str]:
    definition = next(e for e in SCHEMA["elements"] if e["id"] == element)
    codes = SCHEMA["code_lists"][definition["code_list"]]["codes"]
    return {str(c[key]) for c in codes for key in ("code", "label")} | {
        str(alias) for c in codes for alias in c.get("aliases", [])
    }


def _sex_of_cell(value: Value) -> str:
    return {"1": "男", "2": "女"}.get(text(value).split("-")[-1], text(value).split("-")[-1])


DATE_PATTERNS = (
    r"(\d{4})-(\d{1,2})-(\d{1,2})",
    r"(\d{4})/(\d{1,2})/(\d{1,2})",
    r"(\d{4})\.(\d{1,2})\.(\d{1,2})",
    r"(\d{4})年(\d{1,2})月(\d{1,2})日",
    r"(\d{4})(\d{2})(\d{2})",
)


def _date_of_cell(value: Value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    for pattern in DATE_PATTERNS:
        match = re.fullmatch(pattern, text(value))
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def _id_in_row(form: Form, cell: str) -> str:
    row, _ = position(cell)
    column = next(c for c in form["columns"] if c["element"] == "id_number")
    value = value_at(form, f"{column['letter']}{row + 1}")
    assert isinstance(value, str)
    assert id_is_valid(value)
    return value


def _id_checksum(form: Form, entry: Form, value: Value) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\d{17}[\dX]", value) is not None


def _id_format(form: Form, entry: Form, value: Value) -> bool:
    return isinstance(value, str) and (len(value) != 18 or value.endswith("x"))


def _precision_lost(form: Form, entry: Form, value: Value) -> bool:
    return isinstance(value, float) or "E+" in text(value)


def _legacy(form: Form, entry: Form, value: Value) -> bool:
    return re.fullmatch(r"\d{15}", text(value)) is not None


def _phone_format(form: Form, entry: Form, value: Value) -> bool:
    return re.fullmatch(r"\d{10}|\d{12}", text(value)) is not None


def _required_missing(form: Form, entry: Form, value: Value) -> bool:
    return value is None and bool(_column(form, str(entry["cell"])).get("required"))


def _uscc(form: Form, entry: Form, value: Value) -> bool:
    return not uscc_is_valid(text(value))


def _date_format(form: Form, entry: Form, value: Value) -> bool:
    return value is not None and _date_of_cell(value) is None


def _code_unknown(form: Form, entry: Form, value: Value) -> bool:
    label = text(value).split("-", 1)[-1]
    return label not in _code_labels(str(entry["element"]))


def _sex_mismatch(form: Form, entry: Form, value: Value) -> bool:
    person_id = _id_in_row(form, str(entry["cell"]))
    return _sex_of_cell(value) != ("男" if int(person_id[16]) % 2 else "女")


def _birth_mismatch(form: Form, entry: Form, value: Value) -> bool:
    person_id = _id_in_row(form, str(entry["cell"]))
    birth = _date_of_cell(value)
    return birth is not None and birth.strftime("%Y%m%d") != person_id[6:14]


def _duplicate(form: Form, entry: Form, value: Value) -> bool:
    serial = {position(c["header_cell"])[1] for c in form["columns"] if c["kind"] == "serial"}
    this, other = _row(form, int(entry["row"])), _row(form, int(entry["duplicate_of_row"]))
    keep = [i for i in range(max(len(this), len(other))) if i not in serial]
    return [this[i] for i in keep] == [other[i] for i in keep]


PLANTED_CHECKS = {
    "id-checksum": _id_checksum,
    "id-format": _id_format,
    "id-precision-lost": _precision_lost,
    "id-legacy-15": _legacy,
    "account-precision-lost": lambda form, entry, value: isinstance(value, float),
    "phone-format": _phone_format,
    "required-missing": _required_missing,
    "uscc-checksum": _uscc,
    "date-format": _date_format,
    "code-unknown": _code_unknown,
    "id-sex-mismatch": _sex_mismatch,
    "id-birth-mismatch": _birth_mismatch,
    "duplicate-row": _duplicate,
}


def _column(form: Form, cell: str) -> Form:
    letter = re.sub(r"\d", "", cell)
    return next(c for c in form["columns"] if c["letter"] == letter)


def test_planted_cells_hold_the_planted_kind_of_value() -> None:
    seen: Counter[str] = Counter()
    for form in FORMS:
        for entry in form["planted"]:
            code = entry["code"]
            seen[code] += 1
            if code != "duplicate-row":
                assert _column(form, entry["cell"])["element"] == entry["element"]
            value = value_at(form, entry["cell"])
            assert PLANTED_CHECKS[code](form, entry, value), (form["form_id"], entry, value)
    for code in PLANTED_CHECKS:
        assert seen[code] >= 3, code


# ---- cross-form disagreements ------------------------------------------------------------------
def _normalised(element: str, value: Value) -> str:
    folded = text(value)
    if element == "phone":
        folded = folded.replace(" ", "").replace("-", "").removesuffix(".0")
    return "".join(folded.split())


def test_conflicts_refer_to_cells_that_hold_those_values() -> None:
    conflicts = MANIFEST["conflicts"]
    assert 30 <= len(conflicts) <= 50
    assert {c["element"] for c in conflicts} == {"phone", "current_address"}
    forms = {(form["file"], form["sheet"]): form for form in FORMS}
    for conflict in conflicts:
        element = conflict["element"]
        distinct = set()
        departments = set()
        for entry in conflict["values"]:
            form = forms[(entry["file"], entry["sheet"])]
            held = value_at(form, entry["cell"])
            assert _normalised(element, held) == _normalised(element, entry["value"])
            # the row names the person by an intact ID, so a tool can attribute the value
            role = entry["column_element"].removesuffix("_" + element)
            id_element = "id_number" if role == element else f"{role}_id_number"
            id_column = next(c for c in form["columns"] if c["element"] == id_element)
            row = position(entry["cell"])[0] + 1
            assert value_at(form, f"{id_column['letter']}{row}") == conflict["person"]
            distinct.add(_normalised(element, held))
            departments.add(form["department"])
            assert entry["cell"] not in planted_cells(form)
        assert len(distinct) >= 2, conflict["person"]
        assert len(departments) >= 2


def test_spellings_of_one_phone_are_not_conflicts() -> None:
    """Spaced, full-width and numeric phones occur, yet only planted persons disagree."""
    conflicted = {(c["person"], c["element"]) for c in MANIFEST["conflicts"]}
    spellings: dict[str, set[str]] = {}
    for form in FORMS:
        planted = planted_cells(form)
        phone_columns = [c for c in form["columns"] if c["element"] == "phone"]
        for column in phone_columns:
            for entity in form["entities"]:
                cell = f"{column['letter']}{entity['row']}"
                person = entity.get("person")
                if person is None or cell in planted or (person, "phone") in conflicted:
                    continue
                value = value_at(form, cell)
                if value is not None:
                    spellings.setdefault(person, set()).add(_normalised("phone", value))
    assert spellings
    assert all(len(found) == 1 for found in spellings.values())


# ---- regeneration ------------------------------------------------------------------------------
def _digest(root: Path) -> dict[str, str]:
    files = [p for p in (root / "county").rglob("*") if p.is_file()] + [root / "manifest.json"]
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.mark.slow
def test_regenerating_reproduces_the_committed_files(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(SAMPLE / "generate.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    assert _digest(tmp_path) == _digest(SAMPLE)

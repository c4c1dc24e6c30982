"""Ingest orchestration: read → locate → match → normalise and validate → store, one file at a time.

`prepare_file` is pure (a path in, plain data out) so it can run in a worker process; only
`store_prepared` touches the workspace, inside one transaction per file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from yibiaotong.errors import YbtError
from yibiaotong.layout import (
    FormLayout,
    HeaderColumn,
    SkippedSheet,
    detect_department,
    locate_forms,
)
from yibiaotong.matching import ColumnMatch, HeaderMatcher, match_key, path_key
from yibiaotong.messages import msg
from yibiaotong.model import CellRef, Finding, Severity, SheetGrid, Workbook
from yibiaotong.reading import ReadLimits, read_workbook
from yibiaotong.resolve import rebuild_ledgers
from yibiaotong.schema import Schema, load_schema
from yibiaotong.settings import Settings
from yibiaotong.storage import Decision, Store
from yibiaotong.validation import validate_form
from yibiaotong.values import ColumnRules, cell_text, normalise_column, normalise_text
from yibiaotong.workers import Prepared, Preparer, WorkerSetup, batches, prepare_in_workers

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".tsv", ".txt"}
SAMPLE_SIZE = 30
# Prepared files stored per transaction, bounded so a group's frames stay small in memory.
STORE_FILES = 16
STORE_CELLS = 200_000


@dataclass(frozen=True, slots=True)
class PreparedForm:
    """One located, matched and validated form, ready to store."""

    layout: FormLayout
    department: str | None
    form_key: str
    title: str
    as_of: dt.date | None
    matches: tuple[ColumnMatch, ...]
    observations: pl.DataFrame  # row_no, col_index, element_id, raw, value, finding
    findings: tuple[Finding, ...]
    drawing: dict[str, Any]  # the form's top block, merges and footers (see form_drawing)
    cell_kinds: dict[int, str]  # column index → text | number | date, as the form wrote them


@dataclass(frozen=True, slots=True)
class PreparedFile:
    path: Path
    sha256: str
    kind: str
    encoding: str | None
    size_bytes: int
    forms: tuple[PreparedForm, ...]
    skipped: tuple[SkippedSheet, ...]
    notes: tuple[str, ...]


@dataclass(slots=True)
class FileOutcome:
    """What happened to one input file, for the summary table and --json."""

    path: str
    status: str  # stored | unchanged | replaced | needs-replace | failed | no-form
    message: str = ""
    forms: int = 0
    rows: int = 0
    columns: int = 0
    mapped: int = 0
    review: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    skipped_sheets: list[str] = field(default_factory=list)


@dataclass(slots=True)
class IngestReport:
    files: list[FileOutcome] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return any(
            f.status in {"failed", "needs-replace", "no-form"}
            or f.review
            or f.findings.get("error")
            for f in self.files
        )

    def totals(self) -> dict[str, int]:
        sums = {
            "files": len(self.files),
            "forms": 0,
            "rows": 0,
            "columns": 0,
            "mapped": 0,
            "review": 0,
            "error": 0,
            "warning": 0,
            "info": 0,
            "failed": 0,
        }
        for outcome in self.files:
            for key in ("forms", "rows", "columns", "mapped", "review"):
                sums[key] += getattr(outcome, key)
            for severity, count in outcome.findings.items():
                sums[severity] += count
            sums["failed"] += outcome.status == "failed"
        return sums


def collect_paths(paths: Iterable[Path]) -> list[Path]:
    """Expand folders recursively into spreadsheet files, in a stable order; skip lock files."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SPREADSHEET_SUFFIXES
                and not p.name.startswith(("~$", ".~lock"))
            )
        else:
            found.append(path)
    return found


def prepare_file(
    path: Path,
    schema: Schema,
    matcher: HeaderMatcher,
    decisions: Sequence[Decision],
    *,
    department: str | None = None,
    header_rows: int | None = None,
    limits: ReadLimits | None = None,
) -> PreparedFile:
    """Read one file and turn every form in it into plain data (no workspace involved)."""
    (result,) = prepare_files(
        [path],
        schema,
        matcher,
        decisions,
        department=department,
        header_rows=header_rows,
        limits=limits,
    )
    if isinstance(result, YbtError):
        raise result
    return result


def prepare_files(
    paths: Sequence[Path],
    schema: Schema,
    matcher: HeaderMatcher,
    decisions: Sequence[Decision],
    *,
    department: str | None = None,
    header_rows: int | None = None,
    limits: ReadLimits | None = None,
    on_file: Callable[[int], None] | None = None,
) -> list[PreparedFile | YbtError]:
    """Prepare several files at once: each is read, located and matched on its own (a file that
    cannot be read gets its error, the others go on), then the cells of all their columns are
    normalised together, one engine call per set of rules rather than per column and file —
    the per-call cost, not the cells, dominates ordinary forms of a few hundred rows.

    ``on_file(i)`` is called before the i-th file is read, and with ``len(paths)`` once all are
    read, so a supervisor that has to kill a hung reader knows which file hung.
    """
    read: list[tuple[Workbook, list[_PendingForm], list[SkippedSheet]] | YbtError] = []
    for number, path in enumerate(paths):
        if on_file is not None:
            on_file(number)
        try:
            read.append(
                _read_and_match(path, schema, matcher, decisions, department, header_rows, limits)
            )
        except YbtError as error:
            read.append(error)
    if on_file is not None:
        on_file(len(paths))
    pending = [form for item in read if not isinstance(item, YbtError) for form in item[1]]
    columns = [column for form in pending for column in form.columns]
    results = iter(_normalise_together([(c.cells, c.rules) for c in columns]))
    out: list[PreparedFile | YbtError] = []
    for path, item in zip(paths, read, strict=True):
        if isinstance(item, YbtError):
            out.append(item)
            continue
        workbook, forms, skipped = item
        prepared = [
            _finish_form(workbook, form, [next(results) for _ in form.columns], schema)
            for form in forms
        ]
        out.append(
            PreparedFile(
                path=path,
                sha256=workbook.sha256,
                kind=workbook.kind,
                encoding=workbook.encoding,
                size_bytes=path.stat().st_size,
                forms=tuple(prepared),
                skipped=tuple(skipped),
                notes=workbook.notes,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class _PendingColumn:
    column: HeaderColumn
    match: ColumnMatch
    cells: list[Any]
    rules: ColumnRules


@dataclass(frozen=True, slots=True)
class _PendingForm:
    """A located and matched form whose cells still wait for normalisation."""

    layout: FormLayout
    department: str | None
    form_key: str
    title: str
    matches: list[ColumnMatch]
    cells: dict[int, list[Any]]
    columns: list[_PendingColumn]


def _read_and_match(
    path: Path,
    schema: Schema,
    matcher: HeaderMatcher,
    decisions: Sequence[Decision],
    department: str | None,
    header_rows: int | None,
    limits: ReadLimits | None,
) -> tuple[Workbook, list[_PendingForm], list[SkippedSheet]]:
    workbook = read_workbook(path, limits or ReadLimits())
    found = locate_forms(workbook, header_rows=header_rows)
    layouts = [located for located in found if isinstance(located, FormLayout)]
    skipped = [located for located in found if isinstance(located, SkippedSheet)]
    # Sheets name the form only when the workbook holds several forms (说明 sheets do not count).
    several = len(layouts) > 1
    forms = [
        _match_form(workbook, layout, schema, matcher, decisions, department, several)
        for layout in layouts
    ]
    return workbook, forms, skipped


def _match_form(
    workbook: Workbook,
    layout: FormLayout,
    schema: Schema,
    matcher: HeaderMatcher,
    decisions: Sequence[Decision],
    department: str | None,
    several: bool,
) -> _PendingForm:
    grid = workbook.sheets[layout.sheet_index].rows
    dept = detect_department(layout, workbook.path, department)
    title = layout.title or f"{workbook.path.stem}"
    form_key = make_form_key(dept, title, layout.sheet if several else "")
    by_column = list(zip(*(grid[row - 1] for row in layout.data_rows), strict=True))
    cells = {
        column.index: list(by_column[column.index]) if by_column else []
        for column in layout.columns
    }
    samples = {
        index: [t for t in (cell_text(v) for v in values[:200]) if t][:SAMPLE_SIZE]
        for index, values in cells.items()
    }
    matches = matcher.match_form(
        layout.columns, form_key=form_key, decisions=decisions, samples=samples
    )
    columns = [
        _PendingColumn(column, match, cells[column.index], _rules(match, schema))
        for column, match in zip(layout.columns, matches, strict=True)
        if match.status != "layout"
    ]
    return _PendingForm(layout, dept, form_key, title, matches, cells, columns)


def _finish_form(
    workbook: Workbook, form: _PendingForm, results: Sequence[pl.DataFrame], schema: Schema
) -> PreparedForm:
    layout = form.layout
    location = CellRef(workbook.path.name, layout.sheet)
    frames: list[pl.DataFrame] = []
    findings: list[Finding] = []
    values_by_element: dict[str, pl.Series] = {}
    for pending, result in zip(form.columns, results, strict=True):
        frame, column_findings = _observations(
            result, pending.column.index, pending.match, schema, layout, location
        )
        frames.append(frame)
        findings += column_findings
        if pending.match.element is not None and pending.match.status == "accepted":
            values_by_element.setdefault(pending.match.element, frame["value"])
    observations = (
        pl.concat(frames).filter(pl.col("raw").is_not_null()) if frames else _empty_observations()
    )
    findings += validate_form(layout, form.matches, form.cells, values_by_element, schema, location)
    return PreparedForm(
        layout=layout,
        department=form.department,
        form_key=form.form_key,
        title=form.title,
        as_of=_as_of(layout.meta),
        matches=tuple(form.matches),
        observations=observations,
        findings=tuple(findings),
        drawing=form_drawing(workbook.sheets[layout.sheet_index], layout),
        cell_kinds={index: _cell_kind(values) for index, values in form.cells.items()},
    )


def form_drawing(sheet: SheetGrid, layout: FormLayout) -> dict[str, Any]:
    """What export needs to redraw the form: the cells above the data, merges, footers."""
    first = min((c.index for c in layout.columns), default=0)
    last = max((c.index for c in layout.columns), default=0)
    top = layout.header_rows[1]
    return {
        "first_column": first,
        "last_column": last,
        "top_rows": [[cell_text(v) for v in sheet.rows[r][first : last + 1]] for r in range(top)],
        "merges": [
            [m.first_row, m.first_column, m.last_row, m.last_column]
            for m in sheet.merged
            if m.last_row < top
        ],
        "footer_rows": [
            [cell_text(v) for v in sheet.rows[r - 1][first : last + 1]] for r in layout.footer_rows
        ],
    }


def _cell_kind(values: Sequence[Any]) -> str:
    """How a column's cells were written: the most common kind, the first seen on a tie.
    Counted by type first, as this runs over every cell of a form."""
    counts: Counter[str] = Counter()
    for kind, count in Counter(map(type, values)).items():
        if kind is not type(None):
            counts[_KIND_OF.get(kind) or _kind_of_type(kind)] += count
    counts["text"] -= sum(1 for v in values if v.__class__ is str and v == "")
    counts = +counts  # drop kinds left at zero
    if len(counts) <= 1:
        return next(iter(counts), "text")
    first: dict[str, int] = {}
    for position, value in enumerate(values):
        if value is not None and value != "":
            first.setdefault(_KIND_OF.get(type(value)) or _kind_of_type(type(value)), position)
            if len(first) == len(counts):
                break
    return max(counts, key=lambda kind: (counts[kind], -first[kind]))


_KIND_OF = {str: "text", float: "number", int: "number", bool: "text", dt.date: "date"}


def _kind_of_type(kind: type) -> str:
    if issubclass(kind, dt.date):  # datetime is a date
        return "date"
    if issubclass(kind, int | float) and not issubclass(kind, bool):
        return "number"
    return "text"


def _rules(match: ColumnMatch, schema: Schema) -> ColumnRules:
    element = schema.elements.get(match.element) if match.element else None
    if element is None:
        return ColumnRules(type="text")
    code_list = schema.code_lists.get(element.code_list) if element.code_list else None
    return ColumnRules(
        type=element.type,
        code_list=code_list,
        pattern=element.pattern,
        minimum=element.minimum,
        maximum=element.maximum,
    )


def _normalise_together(columns: Sequence[tuple[list[Any], ColumnRules]]) -> list[pl.DataFrame]:
    """Normalise columns that share their rules in one call each: the per-call cost of the
    polars engine, not the cells, dominates small forms."""
    groups: dict[ColumnRules, list[int]] = {}
    for position, (_, rules) in enumerate(columns):
        groups.setdefault(rules, []).append(position)
    results: list[pl.DataFrame | None] = [None] * len(columns)
    for rules, positions in groups.items():
        joined = [value for position in positions for value in columns[position][0]]
        result = normalise_column(joined, rules)
        offset = 0
        for position in positions:
            size = len(columns[position][0])
            results[position] = result.slice(offset, size)
            offset += size
    return [r for r in results if r is not None]


def _observations(
    result: pl.DataFrame,
    col_index: int,
    match: ColumnMatch,
    schema: Schema,
    layout: FormLayout,
    location: CellRef,
) -> tuple[pl.DataFrame, list[Finding]]:
    element = schema.elements.get(match.element) if match.element else None
    rows = pl.Series("row_no", list(layout.data_rows), dtype=pl.Int32)
    frame = pl.DataFrame(
        {
            "row_no": rows,
            "col_index": pl.Series([col_index] * len(rows), dtype=pl.Int32),
            "element_id": pl.Series([element.id if element else None] * len(rows), dtype=pl.String),
            "raw": result["raw"],
            "value": result["value"],
            "finding": result["code"],
        }
    )
    flagged = pl.DataFrame({"row_no": rows}).hstack(result).filter(pl.col("code").is_not_null())
    findings = [
        Finding(
            code=item["code"],
            severity=Severity(item["severity"] or "warning"),
            message=_finding_message(item["code"], item["detail"]),
            location=CellRef(location.file, location.sheet, item["row_no"], col_index),
            element=element.id if element else None,
            raw=item["raw"],
        )
        for item in flagged.iter_rows(named=True)
    ]
    return frame, findings


def _finding_message(code: str, detail: str | None) -> str:
    key = f"ingest.finding.{code}"
    try:
        base = msg(key)
    except KeyError:
        base = code
    return f"{base}：{detail}" if detail else base


def _empty_observations() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "row_no": pl.Int32,
            "col_index": pl.Int32,
            "element_id": pl.String,
            "raw": pl.String,
            "value": pl.String,
            "finding": pl.String,
        }
    )


_PERIOD = re.compile(
    r"(\d{4}|[〇零一二三四五六七八九十]{4})\s*年(度)?|\d{1,2}\s*月(份)?|第?[一二三四1-4]\s*季度|[上下]半年|"
    r"\d{4}[-./]\d{1,2}([-./]\d{1,2})?|[（(]\s*[）)]"
)


def make_form_key(department: str | None, title: str, sheet: str) -> str:
    """A form's identity across periods: department + title without dates and periods."""
    stable = match_key(_PERIOD.sub("", normalise_text(title)))
    parts = [department or "?", stable or "?"]
    if sheet:
        parts.append(match_key(sheet))
    return "|".join(parts)


_DATE_LABELS = ("统计截止日期", "截止日期", "统计时间", "填报日期", "填表日期", "报送日期", "日期")
_DATE_TEXT = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})")


def _as_of(meta: dict[str, str] | Any) -> dt.date | None:
    """The form's as-of date from its meta lines (统计截止日期 first, then 填报日期)."""
    for label in _DATE_LABELS:
        for key, text in meta.items():
            if label in key:
                found = _DATE_TEXT.search(normalise_text(str(text)))
                if found:
                    try:
                        return dt.date(*(int(part) for part in found.groups()))
                    except ValueError:
                        continue
    return None


# -- storing ---------------------------------------------------------------------------------


@dataclass(slots=True)
class StoredKeys:
    """What a run already knows is stored, so that most files need no look-up query."""

    hashes: set[str]
    form_keys: set[str]

    @classmethod
    def load(cls, store: Store) -> StoredKeys:
        hashes = {
            str(h) for (h,) in store.connection.execute("SELECT sha256 FROM files").fetchall()
        }
        keys = {
            str(k) for (k,) in store.connection.execute("SELECT form_key FROM forms").fetchall()
        }
        return cls(hashes, keys)


@dataclass
class _Ids:
    """File and form ids reserved for a group of files (see Store.reserve_ids)."""

    files: Iterator[int]
    forms: Iterator[int]

    @classmethod
    def reserve(cls, store: Store, group: Sequence[PreparedFile]) -> _Ids:
        forms = sum(len(prepared.forms) for prepared in group)
        return cls(
            iter(store.reserve_ids("seq_file", len(group))),
            iter(store.reserve_ids("seq_form", forms)),
        )


def store_prepared(
    store: Store,
    prepared: PreparedFile,
    *,
    replace: bool,
    known: StoredKeys | None = None,
    ids: _Ids | None = None,
) -> FileOutcome:
    """Store one prepared file in one transaction; idempotent by content hash."""
    outcome = FileOutcome(path=str(prepared.path), status="stored")
    known = known or StoredKeys.load(store)
    if prepared.sha256 in known.hashes:
        outcome.status = "unchanged"
        outcome.message = msg("ingest.unchanged")
        return outcome
    if not prepared.forms:
        outcome.status = "no-form"
        outcome.message = "；".join(s.message for s in prepared.skipped) or msg("ingest.no_form")
        outcome.skipped_sheets = [s.sheet for s in prepared.skipped]
        return outcome
    if known.form_keys.isdisjoint(form.form_key for form in prepared.forms):
        previous = pl.DataFrame()
    else:
        previous = _earlier_versions(store, prepared.forms, prepared.path)
    if not previous.is_empty() and not replace:
        outcome.status = "needs-replace"
        outcome.message = msg("ingest.needs_replace", old=Path(previous["path"][0]).name)
        return outcome
    with store.transaction():
        if not previous.is_empty():
            store.delete_forms(previous["form_id"].to_list())
            outcome.status = "replaced"
            outcome.message = msg(
                "ingest.replaced",
                old=int(previous["data_rows"].sum()),
                new=sum(len(f.layout.data_rows) for f in prepared.forms),
            )
        ids = ids or _Ids.reserve(store, [prepared])
        file_id = next(ids.files)
        store.insert_file(
            file_id,
            prepared.sha256,
            prepared.path,
            prepared.kind,
            prepared.encoding,
            prepared.size_bytes,
        )
        for form in prepared.forms:
            _store_form(store, file_id, next(ids.forms), prepared.path, form, outcome)
    known.hashes.add(prepared.sha256)
    known.form_keys.update(form.form_key for form in prepared.forms)
    outcome.skipped_sheets = [s.sheet for s in prepared.skipped]
    # What the reader noticed (NUL bytes removed, a .xls that is really an HTML table …).
    outcome.message = "；".join([outcome.message, *prepared.notes]).strip("；")
    return outcome


_UNIT_LABELS = ("填报单位", "填表单位", "报送单位", "单位名称", "单位")


def filing_unit(meta: Mapping[str, str]) -> str:
    """Who filled the form (填报单位): the same form from another village is another submission."""
    for label in _UNIT_LABELS:
        for key, text in meta.items():
            if key.startswith(label) and text.strip():
                return match_key(re.sub(r"[（(]?盖章[）)]?", "", text))
    return ""


def _submitter(meta: Mapping[str, str], path: Path) -> str:
    """Who sent this form: its 填报单位, else the folder it came in (a region's counties each
    send the same 养老金认证名单 without naming themselves)."""
    return filing_unit(meta) or f"dir:{path.resolve().parent}"


def _earlier_versions(store: Store, forms: Sequence[PreparedForm], path: Path) -> pl.DataFrame:
    """Stored forms this file is a newer version of: same form, same submitter."""
    found = store.forms_by_key([form.form_key for form in forms])
    if found.is_empty():
        return found
    metas = store.frame(
        "SELECT form_id, meta FROM forms WHERE form_id IN (SELECT unnest(?))",
        [found["form_id"].to_list()],
    )
    stored_meta = {form_id: json.loads(meta) if meta else {} for form_id, meta in metas.rows()}
    wanted = {(form.form_key, _submitter(form.layout.meta, path)) for form in forms}
    keep = [
        (form_key, _submitter(stored_meta.get(form_id, {}), Path(stored_path))) in wanted
        for form_id, form_key, stored_path in found.select("form_id", "form_key", "path").rows()
    ]
    return found.filter(pl.Series(keep, dtype=pl.Boolean))


def _store_form(
    store: Store, file_id: int, form_id: int, path: Path, form: PreparedForm, outcome: FileOutcome
) -> None:
    layout = form.layout
    store.insert_form(
        form_id,
        file_id,
        {
            "sheet": layout.sheet,
            "sheet_index": layout.sheet_index,
            "form_key": form.form_key,
            "department": form.department,
            "title": form.title,
            "meta": dict(layout.meta),
            "header_first": layout.header_rows[0],
            "header_last": layout.header_rows[1],
            "data_rows": len(layout.data_rows),
            "template": layout.template,
            "as_of": form.as_of,
            "confidence": layout.confidence,
            "total_rows": list(layout.total_rows),
            "footer_rows": list(layout.footer_rows),
            "layout": form.drawing,
        },
    )
    store.append("form_columns", _columns_frame(form_id, form))
    store.append(
        "form_rows",
        pl.DataFrame({"row_no": list(layout.data_rows)}, schema={"row_no": pl.Int32}).with_columns(
            form_id=pl.lit(form_id, dtype=pl.Int32)
        ),
    )
    store.append(
        "observations", form.observations.with_columns(form_id=pl.lit(form_id, dtype=pl.Int32))
    )
    store.append("findings", _findings_frame(file_id, form_id, path, form.findings))
    outcome.forms += 1
    outcome.rows += len(layout.data_rows)
    data_columns = [m for m in form.matches if m.status != "layout"]
    outcome.columns += len(data_columns)
    outcome.mapped += sum(m.status == "accepted" for m in data_columns)
    outcome.review += sum(m.status == "review" for m in data_columns)
    for finding in form.findings:
        outcome.findings[finding.severity.value] = (
            outcome.findings.get(finding.severity.value, 0) + 1
        )


def _columns_frame(form_id: int, form: PreparedForm) -> pl.DataFrame:

    records = []
    for column, match in zip(form.layout.columns, form.matches, strict=True):
        records.append(
            {
                "form_id": form_id,
                "col_index": column.index,
                "letter": column.letter,
                "header": column.header,
                "path": "/".join(column.path),
                "match_text": path_key(column.path) or match_key(column.match_text),
                "required": column.required,
                "unit": column.unit,
                "element_id": match.element,
                "method": match.method,
                "score": match.score,
                "status": match.status,
                "candidates": json.dumps(
                    [
                        {"element": c.element, "score": c.score, "method": c.method}
                        for c in match.candidates
                    ],
                    ensure_ascii=False,
                ),
                "cell_kind": form.cell_kinds.get(column.index, "text"),
            }
        )
    return pl.DataFrame(records, infer_schema_length=None)


def _findings_frame(
    file_id: int, form_id: int | None, path: Path, findings: Sequence[Finding]
) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "file_id": file_id,
                "form_id": form_id,
                "file_name": path.name,
                "sheet": f.location.sheet if f.location else None,
                "row_no": f.location.row if f.location else None,
                "col_index": f.location.column if f.location else None,
                "location": str(f.location) if f.location else path.name,
                "code": f.code,
                "severity": f.severity.value,
                "message": f.message,
                "element_id": f.element,
                "raw": f.raw,
            }
            for f in findings
        ],
        schema={
            "file_id": pl.Int32,
            "form_id": pl.Int32,
            "file_name": pl.String,
            "sheet": pl.String,
            "row_no": pl.Int32,
            "col_index": pl.Int32,
            "location": pl.String,
            "code": pl.String,
            "severity": pl.String,
            "message": pl.String,
            "element_id": pl.String,
            "raw": pl.String,
        },
    )


# -- the whole run ---------------------------------------------------------------------------


def ingest_paths(
    paths: Sequence[Path],
    settings: Settings,
    *,
    department: str | None = None,
    header_rows: int | None = None,
    replace: bool = False,
    progress: Callable[[Path], None] | None = None,
) -> IngestReport:
    """Ingest files and folders into the workspace; one bad file never stops the others.

    Files whose content is already stored are recognised by hash before any parsing; the rest
    are parsed in worker processes (``settings.workers``; 0 parses in this process) and stored
    by this process alone, one transaction per file, in input order.
    """
    report = IngestReport()
    files = collect_paths(paths)
    with Store.open(settings.database, wait_seconds=settings.wait_seconds) as store:
        known = StoredKeys.load(store)
        pending: list[Path] = []
        for path in files:
            outcome = _unchanged(known, path)
            if outcome is None:
                pending.append(path)
            else:
                report.files.append(outcome)
                if progress is not None:
                    progress(path)
        setup = WorkerSetup(
            schema_extensions=settings.schema_extensions,
            accept_score=settings.accept_score,
            review_score=settings.review_score,
            decisions=tuple(store.decisions()),
            department=department,
            header_rows=header_rows,
            max_file_bytes=settings.max_file_mb * 2**20,
            memory_mb=settings.file_memory_mb,
        )
        group: list[PreparedFile] = []
        for item in _prepare_all(pending, setup, settings, progress):
            if item.result is None:
                report.files.append(FileOutcome(str(item.path), "failed", item.failure or ""))
                continue
            group.append(item.result)
            if len(group) >= STORE_FILES or _cells(group) >= STORE_CELLS:
                report.files += _store_group(store, group, replace=replace, known=known)
                group = []
        report.files += _store_group(store, group, replace=replace, known=known)
        stored = any(f.status in {"stored", "replaced"} for f in report.files)
        if stored or store.ledgers_outdated():  # also after a run killed before its rebuild
            rebuild_ledgers(store, load_schema(settings.schema_extensions))
    order = {str(path): i for i, path in enumerate(files)}
    report.files.sort(key=lambda outcome: order.get(outcome.path, len(order)))
    return report


def _store_group(
    store: Store, group: Sequence[PreparedFile], *, replace: bool, known: StoredKeys
) -> list[FileOutcome]:
    """Store prepared files in one transaction with one insert per table: committing and
    inserting file by file cost more than the cells of an ordinary form. Each file is still
    whole or absent: a failure rolls the group back and ends the run, as for a single file."""
    if not group:
        return []
    with store.transaction(), store.batched_appends():
        ids = _Ids.reserve(store, group)
        return [
            store_prepared(store, prepared, replace=replace, known=known, ids=ids)
            for prepared in group
        ]


def _cells(group: Sequence[PreparedFile]) -> int:
    return sum(form.observations.height for prepared in group for form in prepared.forms)


def _unchanged(known: StoredKeys, path: Path) -> FileOutcome | None:
    try:
        digest = file_sha256(path)
    except OSError:
        return None  # the reader will report it properly
    if digest not in known.hashes:
        return None
    return FileOutcome(str(path), "unchanged", msg("ingest.unchanged"))


def file_sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _prepare_all(
    files: Sequence[Path],
    setup: WorkerSetup,
    settings: Settings,
    progress: Callable[[Path], None] | None,
) -> Iterator[Prepared]:
    if not files:
        return
    if settings.workers > 0:
        yield from prepare_in_workers(
            files,
            setup,
            workers=settings.workers,
            timeout_seconds=settings.file_timeout_seconds,
            on_start=progress,
        )
        return
    preparer = Preparer(setup)
    for batch in batches(files):
        if progress is not None:
            for path in batch:
                progress(path)
        results = preparer.run(batch)
        for path, result in zip(batch, results, strict=True):
            if isinstance(result, YbtError):
                yield Prepared(path, None, result.message)
            else:
                yield Prepared(path, result, None)

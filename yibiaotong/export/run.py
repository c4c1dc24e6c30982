"""One export run: choose the forms, fill each from the ledgers, write one folder per
department, and record every file in the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from yibiaotong.errors import UsageError
from yibiaotong.export.audit import ExportRecord, current_user, record_exports
from yibiaotong.export.masks import mask_policy
from yibiaotong.export.sheet import ExportContext, FormSheet, build_form_sheet
from yibiaotong.export.snapshot import (
    StoredForm,
    forget_cells,
    load_cells,
    load_forms,
    load_snapshot,
)
from yibiaotong.export.writers import FORMATS, render_form, render_workbook
from yibiaotong.layout.department import department_in
from yibiaotong.messages import msg
from yibiaotong.schema import Schema
from yibiaotong.settings import Settings
from yibiaotong.storage import Store

EXPORTS_FOLDER = "exports"
_CELLS_BATCH = 16  # files whose stored cells are loaded together (memory: a few workbooks)
_FILE_NAME_BAD = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True, slots=True)
class ExportOptions:
    departments: tuple[str, ...] = ()  # 民政 / 民政局 …; empty: every department
    forms: tuple[str, ...] = ()  # form_key, or part of a title or file name
    out: Path | None = None  # default: <workspace>/exports/<time>
    file_format: str = "xlsx"
    masks: tuple[str, ...] = ()  # --mask options
    as_of: dt.date | None = None  # the period titles show; default: the latest data


@dataclass(frozen=True, slots=True)
class FormResult:
    """One generated file."""

    form_key: str
    department: str | None
    title: str
    path: str
    sheet: str  # the worksheet holding the form in the written file
    rows: int
    listed: int
    added: int
    left: list[int]
    unplaced: int
    values: int
    from_others: int
    changed: int
    cells: int
    elements: list[str]
    masks: dict[str, str]
    main_ledger: str | None


@dataclass(frozen=True, slots=True)
class ExportSummary:
    run_id: str
    out: str
    as_of: str
    file_format: str
    forms: list[FormResult] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        keys = ("rows", "listed", "added", "unplaced", "values", "from_others", "changed", "cells")
        totals = Counter({key: sum(getattr(f, key) for f in self.forms) for key in keys})
        totals["forms"] = len(self.forms)
        totals["departments"] = len({f.department for f in self.forms})
        totals["left"] = sum(len(f.left) for f in self.forms)
        return dict(totals)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "out": self.out,
            "as_of": self.as_of,
            "format": self.file_format,
            "forms": [asdict(form) for form in self.forms],
            "totals": self.totals(),
        }


def export_forms(
    store: Store,
    schema: Schema,
    settings: Settings,
    options: ExportOptions,
    progress: Callable[[int, int, StoredForm], None] | None = None,
) -> ExportSummary:
    """Write every chosen form, filled from the ledgers, to ``<out>/<department>/``.

    ``progress(done, total, form)`` is called after each form."""
    if options.file_format not in FORMATS:
        raise UsageError(
            msg("export.bad_format", format=options.file_format, formats="、".join(FORMATS))
        )
    stored = load_forms(store)
    chosen = select_forms(stored, options.departments, options.forms)
    policy = mask_policy(schema, options.masks, settings.workspace)
    elements = {element for form in chosen for element in form.elements}
    snapshot = load_snapshot(store, chosen, elements, cells=False)
    now = dt.datetime.now().replace(microsecond=0)
    context = ExportContext(
        county=settings.county,
        as_of=options.as_of or snapshot.latest_as_of or now.date(),
        generated_at=now,
        forms={form.form_id: form for form in stored},
    )
    out = options.out or settings.require_workspace() / EXPORTS_FOLDER / now.strftime(
        "%Y%m%d-%H%M%S"
    )
    summary = ExportSummary(
        uuid.uuid4().hex[:12], str(out), context.as_of.isoformat(), options.file_format
    )
    records: list[ExportRecord] = []
    files = _files(chosen, options.file_format)
    try:
        for number, (relative, forms) in enumerate(files):
            if number % _CELLS_BATCH == 0:  # the stored cells of the next few files, one query
                batch = [
                    form for _, group in files[number : number + _CELLS_BATCH] for form in group
                ]
                load_cells(store, snapshot, batch)
            target = _prepare(out / relative.parent, relative.name)
            sheets = [build_form_sheet(f, snapshot, schema, policy, context) for f in forms]
            forget_cells(snapshot, forms)
            if options.file_format == "xlsx":
                render_workbook(sheets, target)
            else:
                render_form(sheets[0], target, options.file_format)
            os.chmod(target, 0o600)  # generated forms hold personal data
            for form, sheet in zip(forms, sheets, strict=True):
                result = _result(form, sheet, target)
                records.append(_record(summary, result, now))
                summary.forms.append(result)
                if progress is not None:
                    progress(len(summary.forms), len(chosen), form)
    finally:
        record_exports(store, records)  # every file written is logged, even if a later one fails
    return summary


def _result(form: StoredForm, sheet: FormSheet, target: Path) -> FormResult:
    return FormResult(
        form_key=form.form_key,
        department=form.department,
        title=sheet.title,
        path=str(target),
        sheet=sheet.sheet_name,
        rows=len(sheet.rows),
        listed=sheet.stats.listed,
        added=sheet.stats.added,
        left=list(sheet.stats.left),
        unplaced=sheet.stats.unplaced,
        values=sheet.stats.values,
        from_others=sheet.stats.from_others,
        changed=sheet.stats.changed,
        cells=len(sheet.rows) * len(sheet.columns),
        elements=list(sheet.elements),
        masks=sheet.masks,
        main_ledger=sheet.main_ledger,
    )


def select_forms(
    forms: Sequence[StoredForm], departments: Sequence[str], wanted: Sequence[str]
) -> list[StoredForm]:
    """The forms of the given departments matching any of ``wanted`` (all when empty)."""
    chosen = list(forms)
    if departments:
        names = {department_in(d) or d.strip() for d in departments}
        chosen = [f for f in chosen if f.department in names]
        if not chosen:
            known = "、".join(sorted({f.department or "?" for f in forms}))
            raise UsageError(msg("export.no_department", departments="、".join(names), known=known))
    if wanted:
        chosen = [f for f in chosen if any(_matches(f, text) for text in wanted)]
        if not chosen:
            raise UsageError(msg("export.no_form", forms="、".join(wanted)))
    if not chosen:
        raise UsageError(msg("export.nothing"))
    return chosen


def _matches(form: StoredForm, text: str) -> bool:
    text = text.strip()
    return bool(text) and (
        text == form.form_key
        or text in form.title
        or text in form.file_name
        or text in form.form_key
    )


def _folder(form: StoredForm) -> str:
    return _safe_name(form.department or msg("export.unknown_department"))


def _files(forms: Sequence[StoredForm], file_format: str) -> list[tuple[Path, list[StoredForm]]]:
    """Where each form goes: ``<department>/<the department's own file name>``. An xlsx keeps
    the forms one workbook held together (its sheets); a CSV holds one form, so a workbook of
    several forms becomes ``<name>-<sheet>.csv``. Names are made unique per folder."""
    groups: dict[tuple[str | None, str, int], list[StoredForm]] = {}
    for form in forms:
        apart = form.form_id if file_format == "csv" else 0
        groups.setdefault((form.department, form.file_name, apart), []).append(form)
    per_file = Counter((f.department, f.file_name) for f in forms)
    taken: set[Path] = set()
    files: list[tuple[Path, list[StoredForm]]] = []
    for members in groups.values():
        first = members[0]
        stem = Path(first.file_name).stem
        if file_format == "csv" and per_file[(first.department, first.file_name)] > 1:
            stem = f"{stem}-{first.sheet}"
        folder, stem = Path(_folder(first)), _safe_name(stem)
        relative, counter = folder / f"{stem}.{file_format}", 1
        while relative in taken:
            counter += 1
            relative = folder / f"{stem}（{counter}）.{file_format}"
        taken.add(relative)
        files.append((relative, members))
    return files


def _safe_name(text: str) -> str:
    return _FILE_NAME_BAD.sub("_", text).strip(" .") or "_"


def _prepare(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / name


def _record(summary: ExportSummary, result: FormResult, when: dt.datetime) -> ExportRecord:
    return ExportRecord(
        run_id=summary.run_id,
        exported_at=when,
        department=result.department,
        form_key=result.form_key,
        form_title=result.title,
        elements=tuple(result.elements),
        masks=result.masks,
        row_count=result.rows,
        file_format=summary.file_format,
        output_path=result.path,
        sha256=_sha256(Path(result.path)),
        exported_by=current_user(),
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

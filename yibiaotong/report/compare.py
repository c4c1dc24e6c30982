"""What changed since a previous report (its JSON): forms added or removed, figures, findings."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from yibiaotong.errors import UsageError
from yibiaotong.messages import msg
from yibiaotong.report.figures import (
    REPORT_FORMAT,
    CountChange,
    FigureChange,
    FormRef,
    Report,
    ReportChanges,
)
from yibiaotong.report.quality import code_label


def load_previous_report(path: Path) -> dict[str, Any]:
    """A previous JSON report, checked to be one; unreadable files are a usage error."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        detail = type(error).__name__
        raise UsageError(msg("report.changes.unreadable", detail=detail), str(path)) from error
    if not isinstance(document, dict) or document.get("format") != REPORT_FORMAT:
        raise UsageError(msg("report.changes.wrong_format", expected=REPORT_FORMAT), str(path))
    return document


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _delta(before: float | None, after: float | None) -> float | None:
    if before is None or after is None:
        return None
    return round(after - before, 6)


def _figure_changes(previous: Mapping[str, Any], current: Report) -> tuple[FigureChange, ...]:
    old = previous.get("figures") or {}
    changes = []
    for figure in current.figures:
        entry = old.get(figure.key) if isinstance(old, Mapping) else None
        before = _number(entry.get("value")) if isinstance(entry, Mapping) else None
        after = figure.value
        if before == after or (
            before is not None and after is not None and abs(after - before) < 1e-9
        ):
            continue
        changes.append(
            FigureChange(
                figure.key, figure.label, figure.kind, before, after, _delta(before, after)
            )
        )
    return tuple(changes)


def _form_refs(previous: Mapping[str, Any]) -> dict[str, FormRef]:
    refs = {}
    for entry in previous.get("forms") or []:
        if isinstance(entry, Mapping) and isinstance(entry.get("form_key"), str):
            refs[entry["form_key"]] = FormRef(
                entry["form_key"], str(entry.get("department", "")), str(entry.get("title", ""))
            )
    return refs


def _finding_changes(previous: Mapping[str, Any], current: Report) -> tuple[CountChange, ...]:
    before: Counter[str] = Counter()
    quality = previous.get("quality")
    entries = quality.get("findings") if isinstance(quality, Mapping) else None
    for entry in entries or []:
        if isinstance(entry, Mapping) and isinstance(entry.get("code"), str):
            before[entry["code"]] += int(entry.get("count") or 0)
    after: Counter[str] = Counter()
    for finding in current.quality.findings:
        after[finding.code] += finding.count
    return tuple(
        CountChange(code, code_label(code), before[code], after[code], after[code] - before[code])
        for code in sorted(set(before) | set(after), key=lambda c: (-after[c], c))
        if before[code] != after[code]
    )


def compare_reports(previous_json: Mapping[str, Any], current: Report) -> ReportChanges:
    """The differences between a previous report (as its JSON data) and the current one."""
    if previous_json.get("format") != REPORT_FORMAT:
        raise UsageError(msg("report.changes.wrong_format", expected=REPORT_FORMAT))
    old_forms = _form_refs(previous_json)
    new_forms = {f.form_key: FormRef(f.form_key, f.department, f.title) for f in current.forms}
    return ReportChanges(
        previous_generated_at=str(previous_json.get("generated_at", "")),
        forms_added=tuple(new_forms[k] for k in sorted(set(new_forms) - set(old_forms))),
        forms_removed=tuple(old_forms[k] for k in sorted(set(old_forms) - set(new_forms))),
        figures=_figure_changes(previous_json, current),
        findings=_finding_changes(previous_json, current),
    )

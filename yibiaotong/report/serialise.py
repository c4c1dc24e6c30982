"""The JSON form of a report: every figure, machine-readable, with stable keys
(schemas/report.schema.json)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from yibiaotong.report.figures import Report

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "report.schema.json"


def _plain(value: Any) -> Any:
    """Dataclass output with tuples as lists, so the document is plain JSON data."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def report_to_json(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data (stable keys; figures keyed by their stable id)."""
    quality = report.quality
    return {
        "format": report.format,
        "county": report.county,
        "title": report.title,
        "generated_at": report.generated_at,
        "schema": {"name": report.schema_name, "version": report.schema_version},
        "figures": {
            f.key: _plain({k: v for k, v in dataclasses.asdict(f).items() if k != "key"})
            for f in report.figures
        },
        "forms": _plain([dataclasses.asdict(f) for f in report.forms]),
        "departments": _plain([dataclasses.asdict(d) for d in report.departments]),
        "ledgers": _plain([dataclasses.asdict(ledger) for ledger in report.ledgers]),
        "unmapped_fields": _plain([dataclasses.asdict(u) for u in report.unmapped]),
        "quality": {
            "severity_totals": quality.severity_totals(),
            "findings": _plain([dataclasses.asdict(f) for f in quality.findings]),
            "conflicts_by_element": _plain(
                [dataclasses.asdict(c) for c in quality.conflicts_by_element]
            ),
            "conflicts_by_department": _plain(
                [dataclasses.asdict(c) for c in quality.conflicts_by_department]
            ),
            "key_validity": _plain([dataclasses.asdict(k) for k in quality.key_validity]),
            "problem_forms": _plain([dataclasses.asdict(p) for p in quality.problem_forms]),
            "linkage": dataclasses.asdict(quality.linkage),
        },
        "changes": None if report.changes is None else _plain(dataclasses.asdict(report.changes)),
    }


def report_json_text(report: Report) -> str:
    return json.dumps(report_to_json(report), ensure_ascii=False, indent=2) + "\n"


def report_json_schema() -> dict[str, Any]:
    """The committed JSON Schema the JSON report validates against."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema

"""Export: every department gets its own form back, filled from the ledgers.

``export_forms`` runs a whole export; ``build_form_sheet`` fills one form (plain data) and
``render_form`` writes it as xlsx or CSV; ``export_log`` reads the audit log.
"""

from __future__ import annotations

from yibiaotong.export.audit import EXPORT_LOG_DDL, ExportRecord, export_log, record_exports
from yibiaotong.export.masks import MASKS_FILE, MaskPolicy, mask_policy
from yibiaotong.export.run import (
    ExportOptions,
    ExportSummary,
    FormResult,
    export_forms,
    select_forms,
)
from yibiaotong.export.scope import Scope, ScopeRow, form_scope, main_ledger
from yibiaotong.export.sheet import ExportContext, FormSheet, SheetColumn, build_form_sheet
from yibiaotong.export.snapshot import LedgerSnapshot, StoredForm, load_forms, load_snapshot
from yibiaotong.export.writers import FORMATS, render_form, render_workbook

__all__ = [
    "EXPORT_LOG_DDL",
    "FORMATS",
    "MASKS_FILE",
    "ExportContext",
    "ExportOptions",
    "ExportRecord",
    "ExportSummary",
    "FormResult",
    "FormSheet",
    "LedgerSnapshot",
    "MaskPolicy",
    "Scope",
    "ScopeRow",
    "SheetColumn",
    "StoredForm",
    "build_form_sheet",
    "export_forms",
    "export_log",
    "form_scope",
    "load_forms",
    "load_snapshot",
    "main_ledger",
    "mask_policy",
    "record_exports",
    "render_form",
    "render_workbook",
    "select_forms",
]

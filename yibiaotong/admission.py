"""Admission review of a new form (报表准入): is every column already in the ledgers?

`check_form` reads a proposed form exactly as ingest would (`prepare_file`), judges every column
against the schema and the workspace's ledgers, and gives a verdict with its reasons. Nothing is
written to the workspace. `register_form` admits the form: it is stored as a registered form
(a template when it has no rows) and its new columns are proposed as a schema extension file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import polars as pl

from yibiaotong.errors import UsageError
from yibiaotong.ingest import (
    FileOutcome,
    PreparedFile,
    PreparedForm,
    prepare_file,
    store_prepared,
)
from yibiaotong.layout import HeaderColumn
from yibiaotong.matching import ColumnMatch, HeaderMatcher, match_key
from yibiaotong.messages import msg
from yibiaotong.reading import ReadLimits
from yibiaotong.resolve import rebuild_ledgers
from yibiaotong.review_samples import masked_sample
from yibiaotong.schema import Element, Schema, normalise_label
from yibiaotong.settings import Settings
from yibiaotong.storage import Store

# Verdicts, from best to worst, and the exit status `ybt check` gives for each.
DIRECT = "direct"  # 可由台账直接生成
PARTIAL = "partial"  # 部分预填
COLLECT = "collect"  # 需新增采集
VERDICTS = (DIRECT, PARTIAL, COLLECT)
EXIT_CODES = {DIRECT: 0, PARTIAL: 1, COLLECT: 3}

# Column statuses.
KNOWN = "known"  # 已有: an element of the schema (with ledger data, or not yet)
SIMILAR = "similar"  # 相近: close to existing elements, probably a duplicate under another name
NEW = "new"  # 新增: genuinely new data
LAYOUT = "layout"  # 序号 and other columns without data
NOTE = "note"  # 备注: free text the filler writes as needed; neither prefilled nor new data
STATUSES = (KNOWN, SIMILAR, NEW, LAYOUT, NOTE)

# A form is "mostly new" when at least this share of its data columns is new data.
MOSTLY_NEW_SHARE = 0.5
# A prefilled column this incomplete in its ledger still needs filling for many rows.
WEAK_COMPLETENESS = 0.5
# An existing form sharing this share of the new form's known elements is listed as overlapping;
# from SAME_FORM_SHARE on, the reasons suggest using that form instead.
OVERLAP_SHARE = 0.8
SAME_FORM_SHARE = 0.9
MIN_OVERLAP_ELEMENTS = 3
SAMPLES_PER_COLUMN = 3
NOTE_HEADERS = frozenset({"备注", "备注说明", "附注", "说明", "其他说明", "情况说明"})


# ---------------------------------------------------------------------------------------------
# The report: plain frozen data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CandidateElement:
    """An existing element a similar column may really be."""

    element: str
    name: str
    ledger: str
    ledger_name: str
    score: float
    method: str
    completeness: float | None


@dataclass(frozen=True, slots=True)
class ProposedElement:
    """A new element the schema would need for a new column (a schema extension entry)."""

    id: str
    name: str
    ledger: str
    ledger_name: str | None  # None: a ledger of its own, proposed with the elements
    type: str
    sensitivity: str
    source: str | None
    unit: str | None
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ColumnAdmission:
    """The judgement on one column of the proposed form."""

    letter: str
    col_index: int
    header: str  # the header path joined by '/'
    status: str  # known | similar | new | layout | note
    status_label: str  # 已有 | 相近 | 新增 | 版式列 | 备注列
    prefilled: bool  # ybt can fill this column from the ledgers
    element: str | None = None
    element_name: str | None = None
    ledger: str | None = None
    ledger_name: str | None = None
    source: str | None = None  # 数源部门 declared in the schema
    completeness: float | None = None  # share of the ledger's records with a value
    records: int | None = None  # records in the element's ledger
    filled: int | None = None  # records with a value for the element
    forms: int = 0  # stored forms already collecting the element
    departments: tuple[str, ...] = ()  # departments of those forms
    method: str = ""
    score: float = 0.0
    candidates: tuple[CandidateElement, ...] = ()
    proposed: ProposedElement | None = None
    samples: tuple[str, ...] = ()  # a few values from the form itself, masked


@dataclass(frozen=True, slots=True)
class OverlappingForm:
    """A stored form that already collects most of the new form's known elements."""

    form_key: str
    title: str
    department: str | None
    template: bool
    shared: int  # known elements of the new form this form also has
    of: int  # known elements of the new form


@dataclass(frozen=True, slots=True)
class FormAdmission:
    """The verdict on one form (one sheet) of the proposed file."""

    sheet: str
    title: str
    department: str | None
    form_key: str
    template: bool
    data_rows: int
    verdict: str  # direct | partial | collect
    verdict_label: str
    data_columns: int  # columns that hold data (layout and note columns excluded)
    prefilled: int
    known: int
    similar: int
    new: int
    ledger: str | None  # the ledger new elements would extend
    ledger_name: str | None
    columns: tuple[ColumnAdmission, ...]
    overlapping: tuple[OverlappingForm, ...]
    reasons: tuple[str, ...]

    @property
    def proposed(self) -> tuple[ProposedElement, ...]:
        return tuple(c.proposed for c in self.columns if c.proposed is not None)


@dataclass(frozen=True, slots=True)
class AdmissionReport:
    """The whole check of one file: one judgement per form, and the file's verdict (the worst)."""

    file: str
    workspace: bool  # ledger data was consulted (False: judged by the schema alone)
    verdict: str
    verdict_label: str
    exit_code: int
    forms: tuple[FormAdmission, ...]
    skipped: tuple[str, ...]  # sheets that hold no form, with the reason


@dataclass(frozen=True, slots=True)
class Registration:
    """What `register_form` did: the check, the stored form and the extension file written."""

    report: AdmissionReport
    outcome: FileOutcome
    extension: Path | None
    proposed: int


def report_as_data(report: AdmissionReport) -> dict[str, Any]:
    """The report as JSON-ready data (what `ybt check --json` prints)."""
    data: dict[str, Any] = json.loads(json.dumps(asdict(report), ensure_ascii=False, default=str))
    return data


# ---------------------------------------------------------------------------------------------
# What the workspace already holds
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LedgerFacts:
    """Counts read once from the workspace for judging every column of a form."""

    records: Mapping[str, int]  # ledger → records
    filled: Mapping[tuple[str, str], int]  # (ledger, element) → records with a value
    collecting: Mapping[str, tuple[int, tuple[str, ...]]]  # element → (forms, departments)
    form_elements: Mapping[str, tuple[str, str | None, bool, frozenset[str]]]


def ledger_facts(store: Store) -> LedgerFacts:
    """Read the counts the check needs: records per ledger, values per element, forms."""
    records = {
        str(ledger): int(count)
        for ledger, count in store.frame(
            "SELECT ledger_id, count(DISTINCT entity_id) FROM ledger_values GROUP BY 1"
        ).iter_rows()
    }
    filled = {
        (str(ledger), str(element)): int(count)
        for ledger, element, count in store.frame(
            "SELECT ledger_id, element_id, count(DISTINCT entity_id) FROM ledger_values "
            "GROUP BY 1, 2"
        ).iter_rows()
    }
    columns = store.frame(
        "SELECT f.form_key, f.title, f.department, f.template, c.element_id "
        "FROM form_columns c JOIN forms f USING (form_id) "
        "WHERE c.status = 'accepted' AND c.element_id IS NOT NULL"
    )
    forms: dict[str, tuple[str, str | None, bool, set[str]]] = {}
    for form_key, title, department, template, element in columns.iter_rows():
        entry = forms.setdefault(form_key, (title or "", department, bool(template), set()))
        entry[3].add(element)
    collecting: dict[str, tuple[int, tuple[str, ...]]] = {}
    per_element: dict[str, list[tuple[str, str | None]]] = {}
    for form_key, (_title, department, _template, elements) in forms.items():
        for element in elements:
            per_element.setdefault(element, []).append((form_key, department))
    for element, holders in per_element.items():
        departments = sorted({d for _, d in holders if d})
        collecting[element] = (len(holders), tuple(departments))
    return LedgerFacts(
        records=records,
        filled=filled,
        collecting=collecting,
        form_elements={
            key: (title, dept, template, frozenset(elements))
            for key, (title, dept, template, elements) in forms.items()
        },
    )


# ---------------------------------------------------------------------------------------------
# The check
# ---------------------------------------------------------------------------------------------


def check_form(
    path: Path,
    store: Store | None,
    schema: Schema,
    settings: Settings,
    *,
    department: str | None = None,
) -> AdmissionReport:
    """Judge every form in ``path`` against the ledgers; nothing is written anywhere.

    Without a store the form is judged by the schema alone: a column whose element is known
    counts as prefilled, and the reasons say that the ledgers were not consulted.
    """
    prepared = _prepare(path, store, schema, settings, department)
    return _judge_file(prepared, store, schema, settings.review_score)


def _prepare(
    path: Path,
    store: Store | None,
    schema: Schema,
    settings: Settings,
    department: str | None,
) -> PreparedFile:
    if not path.is_file():
        raise UsageError(msg("admission.missing", path=path))
    matcher = HeaderMatcher(schema, settings.accept_score, settings.review_score)
    decisions = store.decisions() if store is not None else []
    prepared = prepare_file(
        path,
        schema,
        matcher,
        decisions,
        department=department,
        limits=ReadLimits(max_file_bytes=settings.max_file_mb * 2**20),
    )
    if not prepared.forms:
        reasons = "；".join(s.message for s in prepared.skipped) or msg("admission.no_form_found")
        raise UsageError(msg("admission.no_form", reasons=reasons), path.name)
    return prepared


def _judge_file(
    prepared: PreparedFile, store: Store | None, schema: Schema, review_score: float
) -> AdmissionReport:
    facts = ledger_facts(store) if store is not None else None
    forms = tuple(_judge_form(form, schema, facts, review_score) for form in prepared.forms)
    verdict = max((form.verdict for form in forms), key=VERDICTS.index)
    return AdmissionReport(
        file=prepared.path.name,
        workspace=facts is not None,
        verdict=verdict,
        verdict_label=msg(f"admission.verdict.{verdict}"),
        exit_code=EXIT_CODES[verdict],
        forms=forms,
        skipped=tuple(s.message for s in prepared.skipped),
    )


def _judge_form(
    form: PreparedForm, schema: Schema, facts: LedgerFacts | None, review_score: float
) -> FormAdmission:
    samples = _form_samples(form)
    judged = [
        _judge_column(column, match, schema, facts, samples.get(column.index, ()), review_score)
        for column, match in zip(form.layout.columns, form.matches, strict=True)
    ]
    ledger = _extended_ledger(judged, schema) or _own_ledger_id(form.form_key)
    judged = _with_proposals(judged, form, schema, ledger, samples)
    counted = [c for c in judged if c.status in {KNOWN, SIMILAR, NEW}]
    tally = Counter(c.status for c in counted)
    prefilled = sum(c.prefilled for c in counted)
    verdict = _verdict(len(counted), prefilled, tally[NEW])
    overlapping = _overlapping(judged, form.form_key, facts)
    ledger_name = schema.ledgers[ledger].name if ledger in schema.ledgers else None
    return FormAdmission(
        sheet=form.layout.sheet,
        title=form.title,
        department=form.department,
        form_key=form.form_key,
        template=form.layout.template,
        data_rows=len(form.layout.data_rows),
        verdict=verdict,
        verdict_label=msg(f"admission.verdict.{verdict}"),
        data_columns=len(counted),
        prefilled=prefilled,
        known=tally[KNOWN],
        similar=tally[SIMILAR],
        new=tally[NEW],
        ledger=ledger if tally[NEW] else None,
        ledger_name=ledger_name if tally[NEW] else None,
        columns=tuple(judged),
        overlapping=overlapping,
        reasons=tuple(
            _reasons(verdict, judged, prefilled, len(counted), ledger_name, overlapping, facts)
        ),
    )


def _verdict(data_columns: int, prefilled: int, new: int) -> str:
    if data_columns and prefilled == data_columns:
        return DIRECT
    if prefilled == 0 or new >= MOSTLY_NEW_SHARE * data_columns:
        return COLLECT
    return PARTIAL


def _form_samples(form: PreparedForm) -> dict[int, list[str]]:
    """The first few distinct raw values of every column, in row order (not yet masked)."""
    found: dict[int, list[str]] = {}
    observations = form.observations.filter(pl.col("raw").is_not_null()).sort("row_no")
    for col_index, raw in observations.select("col_index", "raw").iter_rows():
        values = found.setdefault(int(col_index), [])
        if raw not in values and len(values) < SAMPLES_PER_COLUMN:
            values.append(str(raw))
    return found


def _judge_column(
    column: HeaderColumn,
    match: ColumnMatch,
    schema: Schema,
    facts: LedgerFacts | None,
    samples: Sequence[str],
    review_score: float,
) -> ColumnAdmission:
    """已有, 相近 (candidates scoring at least the review score), 新增; or layout or note."""
    header = "/".join(column.path) or column.header
    base: dict[str, Any] = {
        "letter": column.letter,
        "col_index": column.index,
        "header": header,
        "method": match.method,
        "score": round(match.score, 4),
    }
    if match.status == "layout":
        return ColumnAdmission(status=LAYOUT, status_label=_label(LAYOUT), prefilled=False, **base)
    element = schema.elements.get(match.element or "") if match.status == "accepted" else None
    if element is not None:
        return _known_column(element, schema, facts, samples, base)
    candidates = tuple(
        _candidate(schema, facts, c.element, c.score, c.method)
        for c in match.candidates
        if c.element in schema.elements and c.score >= review_score
    )
    if candidates:
        closest = schema.elements[candidates[0].element]
        return ColumnAdmission(
            status=SIMILAR,
            status_label=_label(SIMILAR),
            prefilled=False,
            candidates=candidates,
            samples=tuple(masked_sample(value, closest) for value in samples),
            **base,
        )
    status = NOTE if match_key(column.match_text or column.header) in NOTE_HEADERS else NEW
    # A new column's samples are masked once its type is guessed (see _with_proposals).
    shown = tuple(masked_sample(value, None) for value in samples)
    return ColumnAdmission(
        status=status, status_label=_label(status), prefilled=False, samples=shown, **base
    )


def _known_column(
    element: Element,
    schema: Schema,
    facts: LedgerFacts | None,
    samples: Sequence[str],
    base: dict[str, Any],
) -> ColumnAdmission:
    ledger = schema.ledgers.get(element.ledger)
    records = filled = None
    completeness = None
    forms: int = 0
    departments: tuple[str, ...] = ()
    if facts is not None:
        records = facts.records.get(element.ledger, 0)
        filled = facts.filled.get((element.ledger, element.id), 0)
        completeness = round(filled / records, 4) if records else 0.0
        forms, departments = facts.collecting.get(element.id, (0, ()))
    return ColumnAdmission(
        status=KNOWN,
        status_label=_label(KNOWN),
        prefilled=facts is None or bool(filled),
        element=element.id,
        element_name=element.name,
        ledger=element.ledger,
        ledger_name=ledger.name if ledger else None,
        source=element.source,
        completeness=completeness,
        records=records,
        filled=filled,
        forms=forms,
        departments=departments,
        samples=tuple(masked_sample(value, element) for value in samples),
        **base,
    )


def _candidate(
    schema: Schema, facts: LedgerFacts | None, element_id: str, score: float, method: str
) -> CandidateElement:
    element = schema.elements[element_id]
    completeness = None
    if facts is not None:
        records = facts.records.get(element.ledger, 0)
        filled = facts.filled.get((element.ledger, element.id), 0)
        completeness = round(filled / records, 4) if records else 0.0
    ledger = schema.ledgers.get(element.ledger)
    return CandidateElement(
        element=element.id,
        name=element.name,
        ledger=element.ledger,
        ledger_name=ledger.name if ledger else element.ledger,
        score=round(score, 4),
        method=method,
        completeness=completeness,
    )


def _label(status: str) -> str:
    return msg(f"admission.status.{status}")


def _overlapping(
    columns: Sequence[ColumnAdmission], form_key: str, facts: LedgerFacts | None
) -> tuple[OverlappingForm, ...]:
    known = {c.element for c in columns if c.status == KNOWN and c.element}
    if facts is None or len(known) < MIN_OVERLAP_ELEMENTS:
        return ()
    found = []
    for key, (title, department, template, elements) in facts.form_elements.items():
        shared = len(known & elements)
        if key != form_key and shared >= OVERLAP_SHARE * len(known):
            found.append(OverlappingForm(key, title, department, template, shared, len(known)))
    found.sort(key=lambda item: (-item.shared, item.form_key))
    return tuple(found[:3])


# ---------------------------------------------------------------------------------------------
# Which ledger a new form extends, and the elements it would add
# ---------------------------------------------------------------------------------------------


def _extended_ledger(columns: Sequence[ColumnAdmission], schema: Schema) -> str:
    """The ledger most of the form's known columns belong to.

    Key columns (身份证号, 场所名称, 所属网格 …) only say whose record a row is, not what the
    form is about, so they vote only when nothing else does. Without known columns the ledgers
    of the close candidates vote; without those, the form would need a ledger of its own.
    """
    known = [schema.elements[c.element] for c in columns if c.status == KNOWN and c.element]
    keys = {
        element
        for ledger in schema.ledgers.values()
        for group in (ledger.key, *ledger.alternate_keys)
        for element in group
    }
    topical = [e.ledger for e in known if e.id not in keys]
    near = [c.candidates[0].ledger for c in columns if c.status == SIMILAR and c.candidates]
    for votes in (topical, [e.ledger for e in known], near):
        if votes:
            return Counter(votes).most_common(1)[0][0]
    return ""


def _with_proposals(
    columns: list[ColumnAdmission],
    form: PreparedForm,
    schema: Schema,
    ledger: str,
    samples: Mapping[int, Sequence[str]],
) -> list[ColumnAdmission]:
    taken = set(schema.alias_index()) | {normalise_label(t) for t in _layout_texts(schema)}
    ids = set(schema.elements)
    by_index = {column.index: column for column in form.layout.columns}
    cell_kinds = form.cell_kinds
    out = []
    for judged in columns:
        if judged.status != NEW:
            out.append(judged)
            continue
        column = by_index[judged.col_index]
        proposal = _propose(
            column,
            ledger,
            _samples_of(form, judged.col_index),
            cell_kinds.get(judged.col_index, "text"),
            form,
            schema,
            taken,
            ids,
        )
        taken.update(normalise_label(t) for t in (proposal.name, *proposal.aliases))
        ids.add(proposal.id)
        shown = tuple(
            masked_sample(value, None, proposal.type) for value in samples.get(judged.col_index, ())
        )
        out.append(dataclasses.replace(judged, proposed=proposal, samples=shown))
    return out


def _layout_texts(schema: Schema) -> Iterable[str]:
    return (text for texts in schema.layout_columns.values() for text in texts)


def _own_ledger_id(form_key: str) -> str:
    return f"x{_digest(form_key)}"


def _digest(text: str, length: int = 6) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def _samples_of(form: PreparedForm, col_index: int) -> list[str]:
    column = form.observations.filter(pl.col("col_index") == col_index).sort("row_no")
    values = column["raw"].drop_nulls()
    return [str(v) for v in values.head(50).to_list()]


def _propose(
    column: HeaderColumn,
    ledger: str,
    samples: Sequence[str],
    cell_kind: str,
    form: PreparedForm,
    schema: Schema,
    taken: set[str],
    ids: set[str],
) -> ProposedElement:
    leaf, unit = _split_unit(column)
    name = _unique_name(leaf, column.path, form.title, taken)
    element_type = guess_type(leaf, unit, samples, cell_kind)
    # The matcher compares a header's leaf text: the leaf (as written, and without its unit)
    # must be an alias for the column to find its element once the extension is loaded.
    written = re.sub(r"\s+", "", column.header)
    aliases = tuple(
        text
        for text in dict.fromkeys((written, leaf))
        if normalise_label(text) not in taken and normalise_label(text) != normalise_label(name)
    )
    element_id = f"{ledger}_x{_digest(match_key(name))}"
    length = 6
    while element_id in ids:
        length += 2
        element_id = f"{ledger}_x{_digest(match_key(name), length)}"
    entity = schema.ledgers[ledger].entity if ledger in schema.ledgers else "event"
    return ProposedElement(
        id=element_id,
        name=name,
        ledger=ledger,
        ledger_name=schema.ledgers[ledger].name if ledger in schema.ledgers else None,
        type=element_type,
        sensitivity=_guess_sensitivity(element_type, entity),
        source=form.department,
        unit=unit if element_type in {"integer", "decimal"} else None,
        aliases=aliases,
    )


def _split_unit(column: HeaderColumn) -> tuple[str, str | None]:
    """The header without a unit in brackets at its end, and that unit (光伏板块数（块）)."""
    leaf = re.sub(r"\s+", "", column.match_text or column.header)
    if column.unit:
        return leaf, column.unit
    found = _TRAILING_UNIT.search(leaf)
    if found is None or found.start() == 0:
        return leaf, None
    return leaf[: found.start()], found.group(1)


_TRAILING_UNIT = re.compile(r"[(（]([^()（）]{1,4})[)）]$")


def _unique_name(leaf: str, path: Sequence[str], title: str, taken: set[str]) -> str:
    """The whole header path (需救助类型口粮) or the leaf of a one-row header; the other one when
    that is taken; with the form's title as a last resort (an element's name is also an alias,
    and aliases must be unique)."""
    joined = "".join(re.sub(r"\s+", "", part) for part in path[:-1]) + leaf
    preferred = (joined, leaf) if len(path) > 1 else (leaf, joined)
    for name in (*preferred, f"{joined}（{title}）"):
        if name and normalise_label(name) not in taken:
            return name
    return f"{joined}（{_digest(title)}）"


_TYPE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("id_number", ("身份证", "公民身份号码", "证件号码")),
    ("phone", ("电话", "手机", "联系方式")),
    ("flag", ("是否", "有无")),
    ("year_month", ("年月", "月份")),
    ("date", ("日期", "时间")),
    ("address", ("地址", "住址", "地点", "位置")),
    ("name", ("姓名", "负责人", "联系人", "管理人")),
    ("decimal", ("金额", "面积", "资金", "收入", "标准", "功率", "长度", "重量")),
    ("integer", ("数量", "人数", "个数", "户数", "次数", "间数", "台数", "车数", "数")),
)
_INTEGER_UNITS = frozenset({"个", "人", "户", "辆", "台", "次", "间", "头", "只", "处", "栋", "套"})
_DECIMAL_UNITS = frozenset({"元", "万元", "平方米", "㎡", "亩", "千瓦", "kw", "公斤", "吨", "米"})
_FLAG_VALUES = frozenset({"是", "否", "有", "无", "√", "×"})
_VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("id_number", re.compile(r"^\d{17}[\dXx]$")),
    ("phone", re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")),
    ("date", re.compile(r"^\d{4}-\d{2}-\d{2}( 00:00:00)?$|^\d{4}[年./]\d{1,2}[月./]\d{1,2}日?$")),
    ("integer", re.compile(r"^-?\d{1,9}$")),
    ("decimal", re.compile(r"^-?\d+\.\d+$")),
)
VALUE_SHARE = 0.8  # this share of the sample values must fit a type for the values to decide


def guess_type(header: str, unit: str | None, samples: Sequence[str], cell_kind: str) -> str:
    """An element type for a new column: from its values when they agree, else its header."""
    by_values = _type_from_values(samples, cell_kind)
    by_header = _type_from_header(header, unit)
    if by_values is None:
        return by_header
    if by_values == "integer" and by_header == "decimal":
        return "decimal"  # whole amounts this time, fractions next time
    return by_values


def _type_from_header(header: str, unit: str | None) -> str:
    text = match_key(header)
    for element_type, words in _TYPE_WORDS:
        if any(word in text for word in words):
            return element_type
    if unit:
        plain = normalise_label(unit)
        if plain in _INTEGER_UNITS:
            return "integer"
        if plain in _DECIMAL_UNITS or plain.startswith("元"):
            return "decimal"
    return "text"


def _type_from_values(samples: Sequence[str], cell_kind: str) -> str | None:
    values = [s.strip() for s in samples if s and s.strip()]
    if len(values) < 3:
        return None
    if cell_kind == "date":
        return "date"
    enough = VALUE_SHARE * len(values)
    if sum(v in _FLAG_VALUES for v in values) >= enough:
        return "flag"
    for element_type, pattern in _VALUE_PATTERNS:
        if sum(bool(pattern.match(v)) for v in values) >= enough:
            return element_type
    if sum(bool(_NUMBER.match(v)) for v in values) >= enough:
        return "decimal"  # whole and fractional numbers mixed
    return None


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _guess_sensitivity(element_type: str, entity: str) -> str:
    if element_type in {"id_number", "account"}:
        return "sensitive"
    if element_type in {"name", "phone", "address"} or entity in _PERSON_ENTITIES:
        return "personal"
    return "internal"


_PERSON_ENTITIES = frozenset({"person", "household", "person_house", "tag", "account", "payment"})


# ---------------------------------------------------------------------------------------------
# Reasons
# ---------------------------------------------------------------------------------------------


def _reasons(
    verdict: str,
    columns: Sequence[ColumnAdmission],
    prefilled: int,
    data_columns: int,
    ledger_name: str | None,
    overlapping: Sequence[OverlappingForm],
    facts: LedgerFacts | None,
) -> list[str]:
    new = [c for c in columns if c.status == NEW]
    similar = [c for c in columns if c.status == SIMILAR]
    empty = [c for c in columns if c.status == KNOWN and not c.prefilled]
    weak = [
        c
        for c in columns
        if c.prefilled and c.completeness is not None and c.completeness < WEAK_COMPLETENESS
    ]
    reasons = [_headline(verdict, prefilled, data_columns, new, ledger_name)]
    if similar:
        listed = "；".join(
            f"{c.header} ≈ {c.candidates[0].name}（{c.candidates[0].score:.2f}）" for c in similar
        )
        reasons.append(msg("admission.reason.similar", n=len(similar), columns=listed))
    if empty:
        reasons.append(msg("admission.reason.no_data", n=len(empty), columns=_headers(empty)))
    if weak:
        listed = "、".join(f"{c.header}（{c.completeness:.0%}）" for c in weak)
        reasons.append(msg("admission.reason.weak", columns=listed))
    for form in overlapping[:1]:
        if form.shared < SAME_FORM_SHARE * form.of:
            continue
        reasons.append(
            msg(
                "admission.reason.overlap",
                title=form.title,
                department=form.department or "—",
                shared=form.shared,
                of=form.of,
            )
        )
    notes = [c for c in columns if c.status == NOTE]
    if notes:
        reasons.append(msg("admission.reason.notes", columns=_headers(notes)))
    if facts is None:
        reasons.append(msg("admission.reason.no_workspace"))
    return reasons


def _headline(
    verdict: str,
    prefilled: int,
    data_columns: int,
    new: Sequence[ColumnAdmission],
    ledger_name: str | None,
) -> str:
    if verdict == DIRECT:
        return msg("admission.reason.direct", n=data_columns)
    if verdict == PARTIAL:
        return msg(
            "admission.reason.partial",
            x=prefilled,
            y=data_columns,
            rest=data_columns - prefilled,
        )
    if not new:
        return msg("admission.reason.collect_none_new", x=prefilled, y=data_columns)
    names = "、".join(c.proposed.name for c in new if c.proposed)
    extend = (
        msg("admission.reason.extend", ledger=ledger_name)
        if ledger_name
        else msg("admission.reason.own_ledger")
    )
    return msg(
        "admission.reason.collect",
        new=len(new),
        y=data_columns,
        x=prefilled,
        extend=extend,
        names=names,
    )


def _headers(columns: Sequence[ColumnAdmission]) -> str:
    return "、".join(c.header for c in columns)


# ---------------------------------------------------------------------------------------------
# Registering: store the form, write the proposed schema extension
# ---------------------------------------------------------------------------------------------


def register_form(
    path: Path,
    store: Store,
    schema: Schema,
    settings: Settings,
    *,
    department: str | None = None,
    extension: Path | None = None,
    replace: bool = False,
) -> Registration:
    """Admit a form: store it as a registered form (a template when it has no rows) so that
    export can generate it, and write its new elements as a schema extension for review.

    The check is made before the form is stored, so the report compares it with what the
    workspace held before. The extension file is never overwritten: an existing name gets a
    number. It only takes effect once the clerk adds it to schema_extensions in ybt.toml.
    """
    prepared = _prepare(path, store, schema, settings, department)
    report = _judge_file(prepared, store, schema, settings.review_score)
    outcome = store_prepared(store, prepared, replace=replace)
    if outcome.status in {"stored", "replaced"} and outcome.rows:
        rebuild_ledgers(store, schema)
    proposed = [p for form in report.forms for p in form.proposed]
    written = None
    if proposed and outcome.status in {"stored", "replaced"}:
        document = extension_document(report, schema)
        target = extension or _default_extension_path(settings, report)
        written = write_extension(document, _free_path(target))
    return Registration(report=report, outcome=outcome, extension=written, proposed=len(proposed))


def extension_document(report: AdmissionReport, schema: Schema) -> dict[str, Any]:
    """The schema extension (format ybt-schema/1, extends default) for the report's proposals."""
    ledgers = []
    for form in report.forms:
        own = {p.ledger for p in form.proposed if p.ledger not in schema.ledgers}
        ledgers += [
            {
                "id": ledger,
                "name": msg("admission.own_ledger_name", title=form.title),
                "entity": "event",
                "key": [],
                "description": msg("admission.own_ledger_description", title=form.title),
            }
            for ledger in sorted(own)
        ]
    elements = [_element_entry(p, form) for form in report.forms for p in form.proposed]
    document: dict[str, Any] = {
        "format": "ybt-schema/1",
        "extends": "default",
        "name": msg("admission.extension_name", title=report.forms[0].title),
        "description": msg("admission.extension_description", file=report.file),
    }
    if ledgers:
        document["ledgers"] = ledgers
    document["elements"] = elements
    return document


def _element_entry(proposal: ProposedElement, form: FormAdmission) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": proposal.id,
        "name": proposal.name,
        "ledger": proposal.ledger,
        "type": proposal.type,
        "sensitivity": proposal.sensitivity,
    }
    if proposal.source:
        entry["source"] = proposal.source
    if proposal.unit:
        entry["unit"] = proposal.unit
    if proposal.aliases:
        entry["aliases"] = list(proposal.aliases)
    entry["description"] = msg("admission.element_description", title=form.title)
    return entry


def write_extension(document: Mapping[str, Any], target: Path) -> Path:
    """Write an extension document as YAML with a short Chinese note on top."""
    import yaml

    target.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(dict(document), allow_unicode=True, sort_keys=False, width=100)
    note = "".join(f"# {line}\n" for line in msg("admission.extension_note").splitlines())
    target.write_text(note + body, encoding="utf-8")
    return target


def _default_extension_path(settings: Settings, report: AdmissionReport) -> Path:
    title = re.sub(r'[\\/:*?"<>|\s]+', "", report.forms[0].title) or "new-form"
    return settings.require_workspace() / "schema_extensions" / f"{title}.yaml"


def _free_path(target: Path) -> Path:
    candidate, number = target, 2
    while candidate.exists():
        candidate = target.with_name(f"{target.stem}-{number}{target.suffix}")
        number += 1
    return candidate


# ---------------------------------------------------------------------------------------------
# The review sheet the department keeps (xlsx or Markdown)
# ---------------------------------------------------------------------------------------------


def review_rows(form: FormAdmission) -> list[dict[str, str]]:
    """One row per column, in the words of the review sheet (also used by the terminal)."""
    rows = []
    for column in form.columns:
        rows.append(
            {
                "column": column.letter,
                "header": column.header,
                "status": column.status_label,
                "element": _element_text(column),
                "ledger": (column.proposed.ledger_name if column.proposed else column.ledger_name)
                or "",
                "completeness": "" if column.completeness is None else f"{column.completeness:.0%}",
                "source": column.source or "",
                "forms": str(column.forms) if column.status == KNOWN else "",
                "samples": "、".join(column.samples),
            }
        )
    return rows


def _element_text(column: ColumnAdmission) -> str:
    if column.status == KNOWN:
        return f"{column.element_name}（{column.element}）"
    if column.status == SIMILAR:
        return "；".join(f"{c.name} {c.score:.2f}" for c in column.candidates[:3])
    if column.status == NEW and column.proposed is not None:
        kind = msg(f"admission.types.{column.proposed.type}")
        return msg("admission.sheet.proposed", name=column.proposed.name, type=kind)
    return ""


REVIEW_COLUMNS = (
    "column",
    "header",
    "status",
    "element",
    "ledger",
    "completeness",
    "source",
    "forms",
    "samples",
)


def review_headings() -> list[str]:
    return [msg(f"admission.columns.{key}") for key in REVIEW_COLUMNS]


def write_review_sheet(report: AdmissionReport, target: Path) -> Path:
    """Write the review sheet: .xlsx (one sheet per form) or .md, chosen by the suffix."""
    suffix = target.suffix.lower()
    if suffix == ".md":
        target.write_text(review_markdown(report), encoding="utf-8")
    elif suffix == ".xlsx":
        _write_review_workbook(report, target)
    else:
        raise UsageError(msg("admission.bad_out", suffix=target.suffix or "—"))
    return target


def review_markdown(report: AdmissionReport) -> str:
    lines = [f"# {msg('admission.sheet.title', file=report.file)}", ""]
    lines.append(msg("admission.sheet.verdict", verdict=report.verdict_label))
    for form in report.forms:
        lines += ["", f"## {form.title}（{form.department or '—'}，{form.sheet}）", ""]
        lines.append(f"**{form.verdict_label}**")
        lines += [""] + [f"- {reason}" for reason in form.reasons] + [""]
        lines.append("| " + " | ".join(review_headings()) + " |")
        lines.append("|" + "---|" * len(REVIEW_COLUMNS))
        for row in review_rows(form):
            cells = (_md_cell(row[key]) for key in REVIEW_COLUMNS)
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _write_review_workbook(report: AdmissionReport, target: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from yibiaotong.verification import safe_text

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for index, form in enumerate(report.forms, start=1):
        sheet = book.create_sheet(_sheet_title(form.sheet, index))
        sheet.append([safe_text(msg("admission.sheet.title", file=report.file))])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([safe_text(f"{form.title}（{form.department or '—'}）")])
        sheet.append([safe_text(form.verdict_label)])
        sheet["A3"].font = Font(bold=True)
        for reason in form.reasons:
            sheet.append([safe_text(reason)])
        sheet.append([])
        sheet.append(review_headings())
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
        for row in review_rows(form):
            sheet.append([safe_text(row[key]) for key in REVIEW_COLUMNS])
        for letter, width in zip("ABCDEFGHI", (6, 22, 8, 30, 18, 8, 12, 10, 30), strict=True):
            sheet.column_dimensions[letter].width = width
        for line in sheet.iter_rows(min_row=header_row + 1):
            for cell in line:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    book.save(target)


def _sheet_title(name: str, index: int) -> str:
    clean = re.sub(r"[\\/*?:\[\]]", "", name)[:28]
    return clean or f"Sheet{index}"

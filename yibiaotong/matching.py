"""Header matching: decide, for every column of a form, which schema element it holds.

Order of evidence: the user's accepted decisions, layout columns (序号), exact aliases (after
normalising width, script and decoration), role context from the header path (监护人/姓名),
suffix decomposition (伤残身份证号 → 身份证号), then fuzzy similarity. Every decision carries its
method and score; below the acceptance score a column stays a form-local field for review.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from yibiaotong.layout import HeaderColumn
from yibiaotong.schema import UNIT_SPELLINGS, Schema, normalise_label
from yibiaotong.storage import Decision

_BRACKETED = re.compile(r"[(（\[【<《][^)）\]】>》]*[)）\]】>》]")
_SEPARATORS = re.compile(r"[-_/\\|:：·.、，,]")

# Evidence strengths, 0..1. Fuzzy scores are scaled so that only near-identical texts pass 0.85.
SCORE_DECISION = 1.0
SCORE_ALIAS = 1.0
SCORE_ROLE_PATH = 0.95
SCORE_CONTEXT = 0.9
SCORE_USUAL = 0.86  # a shared alias's first-listed meaning when the form cannot decide
SCORE_SUFFIX = 0.8  # a decomposed header (军人姓名 → 姓名) is offered for review, not accepted
FUZZY_SCALE = 0.95
# Below this share of sample values fitting a strongly typed element, the header is not trusted.
VALUE_FIT_FLOOR = 0.3
MIN_SAMPLES = 3
# A header that starts with one of these words speaks of somebody else than the row's person
# (父母务工地, 亲属电话); without a role element for it, the column goes to review.
OTHER_PERSON_WORDS = (
    "父母",
    "亲属",
    "家属",
    "兄弟",
    "姐妹",
    "祖父",
    "祖母",
    "外公",
    "外婆",
    "村级填报人",
    "填报人",
    "填表人",
    "经办人",
    "审核人",
)


@dataclass(frozen=True, slots=True)
class Candidate:
    element: str
    score: float
    method: str


@dataclass(frozen=True, slots=True)
class ColumnMatch:
    """The decision for one column. status: accepted | review | layout."""

    index: int
    element: str | None
    method: str  # decision | alias | role | context | suffix | fuzzy | layout | none
    score: float
    status: str
    candidates: tuple[Candidate, ...] = ()


@functools.cache
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def match_key(text: str) -> str:
    """The comparison form of a header: Simplified script, half width, no spaces or `*`."""
    converter = _t2s()
    simplified: str = converter.convert(text)  # type: ignore[attr-defined]
    return normalise_label(simplified)


def path_key(path: Sequence[str]) -> str:
    """The key a decision is stored under: the normalised header path joined with '/'."""
    return "/".join(match_key(part) for part in path if part.strip())


class HeaderMatcher:
    """Matches headers against one schema; build once per run and reuse for every form."""

    def __init__(self, schema: Schema, accept_score: float, review_score: float) -> None:
        self.schema = schema
        self.accept_score = accept_score
        self.review_score = review_score
        self.index: dict[str, tuple[str, ...]] = {}
        for alias, elements in schema.alias_index().items():
            key = match_key(alias)
            merged = self.index.get(key, ()) + tuple(
                e for e in elements if e not in self.index.get(key, ())
            )
            self.index[key] = merged
        self.layout: dict[str, str] = {
            match_key(text): kind for kind, texts in schema.layout_columns.items() for text in texts
        }
        self.role_prefixes: list[tuple[str, str]] = sorted(
            (
                (match_key(prefix), role.id)
                for role in schema.roles.values()
                for prefix in role.prefixes
            ),
            key=lambda item: -len(item[0]),
        )
        self.keys = list(self.index)
        self.preferred: dict[str, tuple[str, ...]] = {
            match_key(alias): elements for alias, elements in schema.shared_aliases.items()
        }
        # Suffix decomposition only on aliases long enough to carry meaning on their own.
        self.suffix_keys = sorted((k for k in self.keys if len(k) >= 2), key=len, reverse=True)

    # -- public ------------------------------------------------------------------------------

    def match_form(
        self,
        columns: Sequence[HeaderColumn],
        *,
        form_key: str,
        decisions: Sequence[Decision] = (),
        samples: Mapping[int, Sequence[str]] | None = None,
    ) -> list[ColumnMatch]:
        """Match every column of one form; context from the other columns settles ambiguities."""
        decided = {(d.form_key, d.header_path): d for d in decisions}
        first = [self._match_alone(c, form_key, decided) for c in columns]
        accepted = [
            self.schema.elements[m.element]
            for m in first
            if m.element is not None and m.status == "accepted"
        ]
        ledgers = Counter(e.ledger for e in accepted)
        final = []
        for match in first:
            values = (samples or {}).get(match.index, ())
            settled = self._settle(match, ledgers, values)
            final.append(self._check_values(settled, values))
        return _demote_duplicates(final, columns)

    # -- one column --------------------------------------------------------------------------

    def _match_alone(
        self, column: HeaderColumn, form_key: str, decided: Mapping[tuple[str, str], Decision]
    ) -> ColumnMatch:
        key = match_key(column.match_text or column.header)
        full_path = path_key(column.path) or key
        for scope in ((form_key, full_path), ("*", full_path), ("*", key)):
            decision = decided.get(scope)
            if decision is not None:
                status = "accepted" if decision.element_id else "review"
                method = "decision" if decision.element_id else "local"
                return ColumnMatch(
                    column.index, decision.element_id, method, SCORE_DECISION, status
                )
        if key in self.layout:
            return ColumnMatch(column.index, None, "layout", 1.0, "layout")
        candidates = [
            c
            for c in self._candidates(key, column.path, match_key(column.header))
            if _unit_fits(column.unit, self.schema.elements[c.element].unit)
        ]
        return self._judge(column.index, candidates, key)

    def _candidates(self, key: str, path: Sequence[str], written: str) -> list[Candidate]:
        found: list[Candidate] = []
        role = self._role_from_path(path[:-1])
        if role is not None:
            # The group header names whose fact this is (监护人信息/姓名). A fact the role has no
            # element for is still that person's, never the row's own: it goes to review.
            return _best_per_element(self._role_candidates(role, key))
        for variant in _variants(key):
            found += [Candidate(e, SCORE_ALIAS, "alias") for e in self.index.get(variant, ())]
        if not found:  # the header as written, unit included (牛（头）): schemas list such forms
            found += [Candidate(e, SCORE_ALIAS, "alias") for e in self.index.get(written, ())]
        if not any(c.method == "alias" for c in found):
            found += self._suffix_candidates(key)
            found += self._fuzzy_candidates(key)
        if any(word in match_key(part) for part in path[:-1] for word in OTHER_PERSON_WORDS):
            # Under 外出务工父母 a plain 务工地点 is the parents', not the row person's.
            found = [c for c in found if self.schema.elements[c.element].role is not None]
        return _best_per_element(found)

    def _role_from_path(self, parents: Sequence[str]) -> str | None:
        for parent in reversed(parents):
            parent_key = match_key(parent)
            for prefix, role in self.role_prefixes:
                if prefix and prefix in parent_key:
                    return role
        return None

    def _role_candidates(self, role: str, key: str) -> list[Candidate]:
        found = []
        for variant in _variants(key):
            for base in self.index.get(variant, ()):
                element = self.schema.elements[base]
                plain = element.base or base
                role_element = f"{role}_{plain}"
                if role_element in self.schema.elements:
                    found.append(Candidate(role_element, SCORE_ROLE_PATH, "role"))
        return found

    def _suffix_candidates(self, key: str) -> list[Candidate]:
        for alias in self.suffix_keys:
            if len(alias) < len(key) and key.endswith(alias):
                prefix = key[: -len(alias)]
                if prefix.startswith(OTHER_PERSON_WORDS):
                    return []
                role = next((r for p, r in self.role_prefixes if prefix.endswith(p) and p), None)
                found = []
                for element in self.index[alias]:
                    if role is not None:
                        plain = self.schema.elements[element].base or element
                        if f"{role}_{plain}" in self.schema.elements:
                            found.append(Candidate(f"{role}_{plain}", SCORE_SUFFIX, "role"))
                        continue
                    found.append(Candidate(element, SCORE_SUFFIX, "suffix"))
                return found
        return []

    def _fuzzy_candidates(self, key: str) -> list[Candidate]:
        if not key:
            return []
        hits = process.extract(key, self.keys, scorer=fuzz.ratio, limit=8, score_cutoff=50)
        found = []
        for alias, score, _ in hits:
            for element in self.index[alias]:
                found.append(Candidate(element, round(score / 100 * FUZZY_SCALE, 4), "fuzzy"))
        return found

    def _judge(self, index: int, candidates: list[Candidate], key: str) -> ColumnMatch:
        if not candidates:
            return ColumnMatch(index, None, "none", 0.0, "review")
        best = candidates[0]
        tied = [c for c in candidates if c.score == best.score]
        shown = tuple(c for c in candidates if c.score >= self.review_score)[:5]
        if len(tied) > 1:
            order = self.preferred.get(key)
            if order and {c.element for c in tied} <= set(order):
                # A deliberately shared alias lists its usual meaning first (住址 → 现住址).
                tied.sort(key=lambda c: order.index(c.element))
                return ColumnMatch(index, None, "shared", best.score, "review", tuple(tied[:5]))
            return ColumnMatch(index, None, "ambiguous", best.score, "review", tuple(tied[:5]))
        status = "accepted" if best.score >= self.accept_score else "review"
        element = best.element if status == "accepted" else None
        return ColumnMatch(index, element, best.method, best.score, status, shown)

    def _check_values(self, match: ColumnMatch, samples: Sequence[str]) -> ColumnMatch:
        """A header that promises IDs, phones, credit codes or a code list must hold mostly
        such values (证件类型 holding 医保's own "1" is not the GA/T 517 code list)."""
        if match.element is None or match.status != "accepted" or match.method == "decision":
            return match
        if self._values_fit(match.element, samples) is not False:
            return match
        first = Candidate(match.element, match.score, match.method)
        candidates = (first, *match.candidates)
        return ColumnMatch(match.index, None, "values-disagree", match.score, "review", candidates)

    def _values_fit(self, element_id: str, samples: Sequence[str]) -> bool | None:
        """Whether the values look like the element's (None: too few values or nothing to check)."""
        element = self.schema.elements[element_id]
        if len(samples) < MIN_SAMPLES:
            return None
        if element.type in _STRICT_TYPES:
            fitting = _type_fit(samples, element.type)
        elif element.type in {"address", "name"}:  # 户口所在地 holding 4-digit codes is no address
            fitting = sum(1 for value in samples if _HAN.search(value))
        elif element.type == "code" and element.code_list is not None:
            codes = self.schema.code_lists[element.code_list]
            fitting = sum(1 for value in samples if codes.lookup(value) is not None)
        else:
            return None
        return fitting / len(samples) >= VALUE_FIT_FLOOR

    def _settle(
        self,
        match: ColumnMatch,
        ledgers: Counter[str],
        samples: Sequence[str],
    ) -> ColumnMatch:
        """Break a tie between equally good candidates by the values and the form's ledgers."""
        if match.method not in {"ambiguous", "shared"}:
            return match

        def weight(candidate: Candidate) -> tuple[int, int]:
            element = self.schema.elements[candidate.element]
            return (_type_fit(samples, element.type), ledgers.get(element.ledger, 0))

        ranked = sorted(match.candidates, key=weight, reverse=True)
        if len(ranked) > 1 and weight(ranked[0]) == weight(ranked[1]):
            if match.method != "shared":
                return match
            # Nothing in the form tells them apart: the schema's usual meaning, accepted only
            # just above the threshold so that a clerk who sorts by score sees it first, and
            # only where there are values and they fit it (an empty template stays in review).
            usual = match.candidates[0]
            if len(samples) < MIN_SAMPLES or self._values_fit(usual.element, samples) is False:
                return match
            return ColumnMatch(
                match.index, usual.element, "usual", SCORE_USUAL, "accepted", match.candidates
            )
        score = min(match.score, SCORE_CONTEXT)
        status = "accepted" if score >= self.accept_score else "review"
        return ColumnMatch(
            match.index,
            ranked[0].element if status == "accepted" else None,
            "context",
            score,
            status,
            tuple(ranked),
        )


def _variants(key: str) -> list[str]:
    """The key itself, without bracketed notes, and without separators."""
    out = [key]
    for candidate in (_BRACKETED.sub("", key), _SEPARATORS.sub("", key)):
        if candidate and candidate not in out:
            out.append(candidate)
    return out


def _best_per_element(found: list[Candidate]) -> list[Candidate]:
    best: dict[str, Candidate] = {}
    for candidate in found:
        if candidate.element not in best or candidate.score > best[candidate.element].score:
            best[candidate.element] = candidate
    return sorted(best.values(), key=lambda c: (-c.score, c.element))


_HAN = re.compile(r"[\u4e00-\u9fff]")
_STRICT_TYPES = frozenset({"id_number", "phone", "uscc"})
_TYPE_PATTERNS = {
    # Also IDs that Excel turned into numbers (1.50999E+17): damaged, but IDs all the same.
    "id_number": re.compile(r"^\d{17}[\dXx]$|^\d{15}$|^\d(\.\d+)?E\+1[4-7]$", re.IGNORECASE),
    "phone": re.compile(r"^(\+?86)?1[3-9]\d{9}(\.0)?$|^0\d{2,3}-?\d{7,8}$"),
    "uscc": re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
    "date": re.compile(r"^\d{4}[-/.年]\d{1,2}|^\d{8}$"),
    "account": re.compile(r"^\d{10,30}$"),
}


def _type_fit(samples: Sequence[str], element_type: str) -> int:
    """How many sample values look like the element's type (0 when the type has no pattern)."""
    pattern = _TYPE_PATTERNS.get(element_type)
    if pattern is None:
        return 0
    return sum(
        1
        for value in samples
        if pattern.match(unicodedata.normalize("NFKC", value).replace(" ", ""))
    )


def _unit_fits(header_unit: str | None, element_unit: str | None) -> bool:
    """A unit written in the header (亩, ㎡, 元) must be one the element can be measured in."""
    if not header_unit or not element_unit:
        return True
    spellings = UNIT_SPELLINGS.get(element_unit, (element_unit,))
    wanted = {normalise_label(u) for u in spellings}
    return normalise_label(header_unit) in wanted or normalise_label(header_unit).startswith("元")


def _demote_duplicates(
    matches: list[ColumnMatch], columns: Sequence[HeaderColumn]
) -> list[ColumnMatch]:
    """A form rarely asks the same fact twice. Of several columns on one element the strongest
    keeps it (the least qualified header, then the best score: 合计发放金额 over 禁牧/补助金额);
    the others go to review."""
    depth = {column.index: len(column.path) for column in columns}
    keeper: dict[str, ColumnMatch] = {}
    for match in matches:
        if match.element is None or match.status != "accepted":
            continue
        best = keeper.get(match.element)
        rank = (depth.get(match.index, 1), -match.score, match.index)
        if best is None or rank < (depth.get(best.index, 1), -best.score, best.index):
            keeper[match.element] = match
    out = []
    for match in matches:
        element = match.element
        if element is None or match.status != "accepted" or keeper[element] is match:
            out.append(match)
            continue
        first = Candidate(element, match.score, match.method)
        candidates = (first, *match.candidates)
        out.append(ColumnMatch(match.index, None, "duplicate", match.score, "review", candidates))
    return out

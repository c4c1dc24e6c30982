"""Header matching: decide, for every column of a form, which schema element it holds.

Order of evidence: the user's accepted decisions, layout columns (序号), exact aliases (after
normalising width, script and decoration), role context from the header path (监护人/姓名),
suffix decomposition (伤残身份证号 → 身份证号), then fuzzy similarity. Every decision carries its
method and score; below the acceptance score a column stays a form-local field for review.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from yibiaotong.layout import HeaderColumn
from yibiaotong.schema import Schema, normalise_label
from yibiaotong.storage import Decision

_BRACKETED = re.compile(r"[(（\[【<《][^)）\]】>》]*[)）\]】>》]")
_SEPARATORS = re.compile(r"[-_/\\|:：·.、，,]")

# Evidence strengths, 0..1. Fuzzy scores are scaled so that only near-identical texts pass 0.85.
SCORE_DECISION = 1.0
SCORE_ALIAS = 1.0
SCORE_ROLE_PATH = 0.95
SCORE_CONTEXT = 0.9
SCORE_SUFFIX = 0.88
FUZZY_SCALE = 0.95


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
        ledgers = Counter(
            self.schema.elements[m.element].ledger
            for m in first
            if m.element is not None and m.status == "accepted"
        )
        final = [
            self._settle(match, ledgers, (samples or {}).get(match.index, ())) for match in first
        ]
        return _demote_duplicates(final)

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
        candidates = self._candidates(key, column.path)
        return self._judge(column.index, candidates)

    def _candidates(self, key: str, path: Sequence[str]) -> list[Candidate]:
        found: list[Candidate] = []
        role = self._role_from_path(path[:-1])
        if role is not None:
            found += self._role_candidates(role, key)
            if found:  # the group header names whose fact this is (监护人信息/姓名)
                return _best_per_element(found)
        for variant in _variants(key):
            found += [Candidate(e, SCORE_ALIAS, "alias") for e in self.index.get(variant, ())]
        if not any(c.method == "alias" for c in found):
            found += self._suffix_candidates(key)
            found += self._fuzzy_candidates(key)
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

    def _judge(self, index: int, candidates: list[Candidate]) -> ColumnMatch:
        if not candidates:
            return ColumnMatch(index, None, "none", 0.0, "review")
        best = candidates[0]
        tied = [c for c in candidates if c.score == best.score]
        shown = tuple(c for c in candidates if c.score >= self.review_score)[:5]
        if len(tied) > 1:
            return ColumnMatch(index, None, "ambiguous", best.score, "review", tuple(tied[:5]))
        status = "accepted" if best.score >= self.accept_score else "review"
        element = best.element if status == "accepted" else None
        return ColumnMatch(index, element, best.method, best.score, status, shown)

    def _settle(
        self, match: ColumnMatch, ledgers: Counter[str], samples: Sequence[str]
    ) -> ColumnMatch:
        """Break a tie between equally good candidates by the form's ledgers and the values."""
        if match.method != "ambiguous":
            return match

        def weight(candidate: Candidate) -> tuple[int, int]:
            element = self.schema.elements[candidate.element]
            return (_type_fit(samples, element.type), ledgers.get(element.ledger, 0))

        ranked = sorted(match.candidates, key=weight, reverse=True)
        if len(ranked) > 1 and weight(ranked[0]) == weight(ranked[1]):
            return match
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


_TYPE_PATTERNS = {
    "id_number": re.compile(r"^\d{17}[\dXx]$|^\d{15}$"),
    "phone": re.compile(r"^(\+?86)?1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$"),
    "uscc": re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
    "date": re.compile(r"^\d{4}[-/.年]\d{1,2}"),
    "account": re.compile(r"^\d{10,30}$"),
}


def _type_fit(samples: Sequence[str], element_type: str) -> int:
    """How many sample values look like the element's type (0 when the type has no pattern)."""
    pattern = _TYPE_PATTERNS.get(element_type)
    if pattern is None:
        return 0
    return sum(1 for value in samples if pattern.match(value.replace(" ", "")))


def _demote_duplicates(matches: list[ColumnMatch]) -> list[ColumnMatch]:
    """A form rarely asks the same fact twice: a second column on one element goes to review."""
    seen: set[str] = set()
    out = []
    for match in matches:
        element = match.element
        if element is None or match.status != "accepted":
            out.append(match)
        elif element in seen:
            first = Candidate(element, match.score, match.method)
            candidates = (first, *match.candidates)
            out.append(
                ColumnMatch(match.index, None, "duplicate", match.score, "review", candidates)
            )
        else:
            seen.add(element)
            out.append(match)
    return out

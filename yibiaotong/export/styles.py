"""How a form writes its values, learnt from the raw texts of its own cells: date spellings
(1990-05-01, 1990年5月1日, 1990.5.1, 19900501, 1990-05 or a real date cell) and code-list
spellings ("1-男", "男", "1", 汉 / 汉族 / 01), so a generated form writes them the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from yibiaotong.schema import CodeEntry, CodeList, normalise_label

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_DAY_PATTERNS = (
    ("sep", re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")),
    ("cn", re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")),
    ("compact", re.compile(r"(\d{4})(\d{2})(\d{2})")),
)
_MONTH_PATTERNS = (
    ("sep", re.compile(r"(\d{4})([-/.])(\d{1,2})")),
    ("cn", re.compile(r"(\d{4})年(\d{1,2})月")),
    ("compact", re.compile(r"(\d{4})(\d{2})")),
)
_ISO = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def looks_like_formula(text: str) -> bool:
    """True for text a spreadsheet could take as a formula (or a CSV injection)."""
    return text.startswith(FORMULA_START)


@dataclass(frozen=True, slots=True)
class DateStyle:
    """One way of writing dates: a real date cell, or text in a pattern."""

    cell: bool = False
    pattern: str = "sep"  # sep | cn | compact
    separator: str = "-"
    padded: bool = True
    months_only: bool = False  # the form writes year and month only

    def write(self, iso: str) -> str | dt.date:
        """A canonical value ("1990-05-01" or "1990-05") as this form writes it."""
        found = _ISO.fullmatch(iso)
        if found is None:
            return iso
        year, month, day = found.group(1), int(found.group(2)), found.group(3)
        try:
            moment = dt.date(int(year), month, int(day or 1))
        except ValueError:  # an impossible date stays as the ledger keeps it (flagged there)
            return iso
        if self.cell and day is not None and not self.months_only:
            return moment
        if self.months_only or day is None:
            return self._month_text(year, month)
        return self._day_text(year, month, int(day))

    def _pad(self, number: int) -> str:
        return f"{number:02d}" if self.padded else str(number)

    def _day_text(self, year: str, month: int, day: int) -> str:
        if self.pattern == "cn":
            return f"{year}年{self._pad(month)}月{self._pad(day)}日"
        if self.pattern == "compact":
            return f"{year}{month:02d}{day:02d}"
        return self.separator.join((year, self._pad(month), self._pad(day)))

    def _month_text(self, year: str, month: int) -> str:
        if self.pattern == "cn":
            return f"{year}年{self._pad(month)}月"
        if self.pattern == "compact":
            return f"{year}{month:02d}"
        return f"{year}{self.separator}{self._pad(month)}"


def infer_date_style(raws: Iterable[str], cell_kind: str | None, months_only: bool) -> DateStyle:
    """The spelling most of the column's cells use; real date cells stay date cells."""
    votes: Counter[tuple[str, str, bool]] = Counter()
    padding: Counter[bool] = Counter()
    for raw, count in Counter(raws).items():
        text = raw.strip()
        for precision, patterns in (("day", _DAY_PATTERNS), ("month", _MONTH_PATTERNS)):
            shape = _shape(text, patterns)
            if shape is not None:
                pattern, separator, padded = shape
                votes[(pattern, separator, precision == "month")] += count
                if padded is not None:
                    padding[padded] += count
                break
    if cell_kind == "date":
        return DateStyle(cell=True, months_only=months_only)
    if not votes:
        return DateStyle(months_only=months_only)
    (pattern, separator, month_texts), _n = votes.most_common(1)[0]
    default_padding = pattern != "cn" and separator in {"-", ""}
    padded = padding.most_common(1)[0][0] if padding else default_padding
    return DateStyle(
        pattern=pattern,
        separator=separator or "-",
        padded=padded,
        months_only=months_only or month_texts,
    )


def _shape(
    text: str, patterns: tuple[tuple[str, re.Pattern[str]], ...]
) -> tuple[str, str, bool | None] | None:
    """(pattern, separator, zero-padded or None when the text cannot tell)."""
    for name, pattern in patterns:
        found = pattern.fullmatch(text)
        if found is None:
            continue
        parts = [g for g in found.groups() if g is not None and g.isdigit()][1:]
        separator = found.group(2) if name == "sep" else ""
        telling = [p for p in parts if int(p) < 10]
        padded = None if not telling or name == "compact" else all(len(p) == 2 for p in telling)
        return name, separator, padded
    return None


@dataclass(frozen=True, slots=True)
class CodeStyle:
    """How a form spells the entries of a code list."""

    shape: str = "label"  # label | code | alias | code-label | label-code
    separator: str = "-"
    short_codes: bool = False  # "1" for code "01" (leading zeros dropped)
    alias_index: int | None = None  # which alias the form writes (汉 is 汉族's first alias)
    written: dict[str, str] = field(default_factory=dict)  # code → the form's own spelling

    def write(self, code_list: CodeList, code: str) -> str:
        own = self.written.get(code)
        if own is not None:
            return own
        entry = next((e for e in code_list.entries if e.code == code), None)
        if entry is None:
            return code
        return self.spell(entry)

    def spell(self, entry: CodeEntry) -> str:
        code = entry.code
        if self.short_codes and code.isdigit():
            code = code.lstrip("0") or "0"
        if self.shape == "code":
            return code
        if self.shape == "alias":
            if self.alias_index is not None and self.alias_index < len(entry.aliases):
                return entry.aliases[self.alias_index]
            return _short_alias(entry)
        if self.shape == "code-label":
            return f"{code}{self.separator}{entry.label}"
        if self.shape == "label-code":
            return f"{entry.label}({code})"
        return entry.label

    def choices(self, code_list: CodeList) -> tuple[str, ...]:
        """Every entry as this form spells it, for a drop-down list."""
        spelled = [self.written.get(e.code) or self.spell(e) for e in code_list.entries]
        return tuple(dict.fromkeys(spelled))


def _short_alias(entry: CodeEntry) -> str:
    """The alias a form writing 汉 for 汉族 would use: a shortening of the label, if any."""
    shorter = [a for a in entry.aliases if len(a) < len(entry.label) and entry.label.startswith(a)]
    return min(shorter, key=len) if shorter else entry.label


def infer_code_style(code_list: CodeList, raws: Iterable[str]) -> CodeStyle:
    """The code-list spelling the column's cells use, and each entry's own spelling."""
    shapes: Counter[tuple[str, str]] = Counter()
    short: Counter[bool] = Counter()
    aliases: Counter[int] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for raw, count in Counter(raws).items():
        entry = code_list.lookup(raw)
        if entry is None:
            continue
        spellings.setdefault(entry.code, Counter())[raw] += count
        shape, separator, shortened = _code_shape(entry, raw)
        shapes[(shape, separator)] += count
        if shortened is not None:
            short[shortened] += count
        if shape == "alias":
            aliases[_alias_index(entry, raw)] += count
    if not shapes:
        return CodeStyle()
    (shape, separator), _n = shapes.most_common(1)[0]
    return CodeStyle(
        shape=shape,
        separator=separator,
        short_codes=bool(short) and short.most_common(1)[0][0],
        alias_index=aliases.most_common(1)[0][0] if aliases else None,
        written={code: counter.most_common(1)[0][0] for code, counter in spellings.items()},
    )


def _code_shape(entry: CodeEntry, raw: str) -> tuple[str, str, bool | None]:
    key = normalise_label(raw)
    code = normalise_label(entry.code)
    stripped = code.lstrip("0") or "0"
    if key in {code, stripped}:
        return "code", "", _shortened(code, key)
    if key == normalise_label(entry.label):
        return "label", "", None
    if key in {normalise_label(a) for a in entry.aliases}:
        return "alias", "", None
    text = raw.strip()
    for written_code in (entry.code, entry.code.lstrip("0") or "0"):
        if text.startswith(written_code):
            rest = text[len(written_code) :]
            label_at = next(
                (rest.find(t) for t in (entry.label, *entry.aliases) if t and t in rest), -1
            )
            if label_at >= 0:
                return "code-label", rest[:label_at], written_code != entry.code
    if text.endswith((")", "）")):
        return "label-code", "", None
    return "label", "", None


def _alias_index(entry: CodeEntry, raw: str) -> int:
    key = normalise_label(raw)
    return next(i for i, alias in enumerate(entry.aliases) if normalise_label(alias) == key)


def _shortened(code: str, written: str) -> bool | None:
    if not code.startswith("0") or not code.isdigit():
        return None
    return written != code

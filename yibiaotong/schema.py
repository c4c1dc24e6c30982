"""Load, merge and check the ledger schema (schemas/*.yaml) into frozen dataclasses.

A schema file declares ledgers, data elements with their header aliases, code lists and roles
(户主/监护人/出租人 …) that derive role-prefixed elements. Every problem is reported as a Finding
naming the file and line; `load_schema` raises SchemaError on the first error, `lint_schema`
returns all of them.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jsonschema
import yaml

from yibiaotong.errors import SchemaError
from yibiaotong.messages import msg
from yibiaotong.model import CellRef, Finding, Severity

FORMAT = "ybt-schema/1"
FORMAT_SCHEMA_FILE = "ybt-schema.schema.json"

# Default export mask per element type when an element declares none.
DEFAULT_MASKS: Mapping[str, str] = MappingProxyType(
    {"id_number": "id_middle", "phone": "phone_middle", "account": "account_tail"}
)

_CODE_TYPES = frozenset({"code", "flag"})
_CODE_LABEL_SEPARATORS = "-_:.、,;/|"


# ---------------------------------------------------------------------------------------------
# Label normalisation
# ---------------------------------------------------------------------------------------------


_DASHES = str.maketrans(dict.fromkeys("—–‒―~〜", "-"))


def normalise_label(text: str) -> str:
    """Comparison form of a header or code label.

    NFKC (full-width → half-width), all whitespace removed (also embedded line breaks), ``*``
    removed, dashes and tildes unified to "-" (90—99岁 = 90-99岁), ASCII letters lower-cased.
    Idempotent.
    """
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES)
    stripped = "".join(char for char in folded if not char.isspace() and char != "*")
    recomposed = unicodedata.normalize("NFKC", stripped)
    return "".join(char.lower() if char.isascii() else char for char in recomposed)


# ---------------------------------------------------------------------------------------------
# The schema as plain data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeEntry:
    code: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodeList:
    id: str
    name: str
    standard: str | None
    entries: tuple[CodeEntry, ...]

    @functools.cached_property
    def _texts(self) -> dict[str, CodeEntry]:
        """Normalised code, label and aliases → entry (first entry wins; lint reports clashes)."""
        index: dict[str, CodeEntry] = {}
        for entry in self.entries:
            for text in (entry.code, entry.label, *entry.aliases):
                index.setdefault(normalise_label(text), entry)
        return index

    @functools.cached_property
    def _codes(self) -> dict[str, CodeEntry]:
        return {normalise_label(entry.code): entry for entry in self.entries}

    @functools.cached_property
    def _labels(self) -> dict[str, CodeEntry]:
        index: dict[str, CodeEntry] = {}
        for entry in self.entries:
            for text in (entry.label, *entry.aliases):
                index.setdefault(normalise_label(text), entry)
        return index

    @functools.cached_property
    def _numeric_codes(self) -> dict[int, CodeEntry]:
        """Numeric codes by value, so "1" finds "01" after Excel dropped the leading zero."""
        by_value: dict[int, list[CodeEntry]] = {}
        for entry in self.entries:
            if entry.code.isdigit():
                by_value.setdefault(int(entry.code), []).append(entry)
        return {value: entries[0] for value, entries in by_value.items() if len(entries) == 1}

    def lookup(self, text: str) -> CodeEntry | None:
        """The entry a cell means: by code, label or alias; also "1-男", "1 男", "男(1)", "1.0"."""
        key = normalise_label(text)
        if not key:
            return None
        found = self._texts.get(key) or self._by_number(key)
        if found is not None:
            return found
        return self._by_code_and_label(key)

    def _by_code(self, key: str) -> CodeEntry | None:
        return self._codes.get(key) or self._by_number(key)

    def _by_number(self, key: str) -> CodeEntry | None:
        match = re.fullmatch(r"(\d+)(?:\.0+)?", key)
        return self._numeric_codes.get(int(match.group(1))) if match else None

    def _by_code_and_label(self, key: str) -> CodeEntry | None:
        """A code-label cell: both halves must name the same entry, else it is not understood."""
        bracketed = re.fullmatch(r"(.+?)[(\[]([0-9a-z]+)[)\]]", key)
        if bracketed:
            return self._agreeing(bracketed.group(2), bracketed.group(1))
        for split in range(1, len(key)):
            code, rest = key[:split], key[split:]
            if not (code.isascii() and code.isalnum()):
                break
            label = rest.lstrip(_CODE_LABEL_SEPARATORS)
            found = self._agreeing(code, label) if label else None
            if found is not None:
                return found
        return None

    def _agreeing(self, code: str, label: str) -> CodeEntry | None:
        by_code = self._by_code(code)
        by_label = self._labels.get(label)
        return by_code if by_code is not None and by_code is by_label else None


@dataclass(frozen=True)
class Ledger:
    id: str
    name: str
    entity: str
    key: tuple[str, ...]
    description: str
    alternate_keys: tuple[tuple[str, ...], ...] = ()
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Element:
    id: str
    name: str
    ledger: str
    type: str
    aliases: tuple[str, ...]
    code_list: str | None
    sensitivity: str
    source: str | None
    unit: str | None
    mask: str
    role: str | None
    base: str | None
    pattern: str | None
    minimum: float | None
    maximum: float | None
    description: str


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    prefixes: tuple[str, ...]
    ledger: str
    elements: tuple[str, ...]


@dataclass(frozen=True)
class Schema:
    name: str
    version: str
    ledgers: Mapping[str, Ledger]
    elements: Mapping[str, Element]
    code_lists: Mapping[str, CodeList]
    roles: Mapping[str, Role]
    shared_aliases: Mapping[str, tuple[str, ...]]
    layout_columns: Mapping[str, tuple[str, ...]]
    survivorship: tuple[str, ...]
    sources: tuple[Path, ...]

    def __post_init__(self) -> None:
        # Read-only views, so no stage can change the schema another stage relies on.
        for name in _SCHEMA_MAPPINGS:
            value = getattr(self, name)
            if not isinstance(value, MappingProxyType):
                object.__setattr__(self, name, MappingProxyType(dict(value)))

    def __reduce__(self) -> tuple[type[Schema], tuple[object, ...]]:
        """Pickle as plain dicts (read-only views cannot be pickled), e.g. for worker processes."""
        values = [getattr(self, name) for name in Schema.__dataclass_fields__]
        plain = [dict(value) if isinstance(value, MappingProxyType) else value for value in values]
        return (Schema, tuple(plain))

    @functools.cached_property
    def _alias_index(self) -> Mapping[str, tuple[str, ...]]:
        index: dict[str, list[str]] = {}
        for element in self.elements.values():
            for text in (element.name, *element.aliases):
                owners = index.setdefault(normalise_label(text), [])
                if element.id not in owners:
                    owners.append(element.id)
        shared = {normalise_label(text) for text in self.shared_aliases}
        variants: dict[str, list[str]] = {}
        for element in self.elements.values():
            for key in _unit_variants(element, shared):
                owners = variants.setdefault(key, [])
                if key not in index and element.id not in owners:
                    owners.append(element.id)
        # A unit form two elements would both claim stays out; declared aliases always win.
        index.update({key: owners for key, owners in variants.items() if len(owners) == 1})
        return MappingProxyType({alias: tuple(owners) for alias, owners in index.items()})

    def alias_index(self) -> Mapping[str, tuple[str, ...]]:
        """Normalised alias text (each element's name included) → element ids.

        Also holds unit-suffixed forms of the names and own aliases of elements that declare a
        unit ("月保障金(元)", "建筑面积(㎡)"), unless a declared alias already uses that text.
        """
        return self._alias_index

    def ledger_elements(self, ledger_id: str) -> tuple[Element, ...]:
        """The elements of one ledger, in declaration order (derived role elements last)."""
        if ledger_id not in self.ledgers:
            raise KeyError(ledger_id)
        return tuple(element for element in self.elements.values() if element.ledger == ledger_id)

    @functools.cached_property
    def _layout_index(self) -> Mapping[str, str]:
        return MappingProxyType(
            {
                normalise_label(header): kind
                for kind, headers in self.layout_columns.items()
                for header in headers
            }
        )

    def layout_kind(self, header: str) -> str | None:
        """The layout kind ("serial") of a header that carries no data, else None."""
        return self._layout_index.get(normalise_label(header))


# How a unit is written after a header: "月保障金（元）", "面积(㎡)", "存栏(头/只)". Money
# headers name whatever period the form pays for, so every money unit accepts every period.
_MONEY_SPELLINGS = ("元", "元/月", "元/年", "元/人", "元/人/月", "元/户/月", "元/人/年", "元/次")
UNIT_SPELLINGS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "元": _MONEY_SPELLINGS,
        "元/月": _MONEY_SPELLINGS,
        "元/年": _MONEY_SPELLINGS,
        "万元": ("万元",),
        "平方米": ("平方米", "㎡", "m²", "平米", "平方"),
        "平方公里": ("平方公里", "km²"),
        "头(只)": ("头(只)", "头/只", "头只", "头", "只"),
    }
)


def _unit_variants(element: Element, shared: set[str]) -> list[str]:
    """Normalised "<name or own alias>(<unit>)" texts of an element that declares a unit."""
    if element.unit is None:
        return []
    spellings = UNIT_SPELLINGS.get(element.unit, (element.unit,))
    texts = [
        text for text in (element.name, *element.aliases) if normalise_label(text) not in shared
    ]
    return [normalise_label(f"{text}({unit})") for text in texts for unit in spellings]


_SCHEMA_MAPPINGS = (
    "ledgers",
    "elements",
    "code_lists",
    "roles",
    "shared_aliases",
    "layout_columns",
)


def describe_schema(schema: Schema) -> list[dict[str, object]]:
    """One row per element, ledger by ledger, for the CLI to render as a table or JSON."""
    rows: list[dict[str, object]] = []
    for ledger in schema.ledgers.values():
        for element in schema.ledger_elements(ledger.id):
            rows.append(
                {
                    "ledger": ledger.id,
                    "ledger_name": ledger.name,
                    "element": element.id,
                    "name": element.name,
                    "type": element.type,
                    "code_list": element.code_list,
                    "sensitivity": element.sensitivity,
                    "source": element.source,
                    "unit": element.unit,
                    "mask": element.mask,
                    "role": element.role,
                    "aliases": list(element.aliases),
                }
            )
    return rows


# ---------------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------------


def default_schema_path() -> Path:
    """schemas/default.yaml of this repository."""
    return Path(__file__).resolve().parents[1] / "schemas" / "default.yaml"


def load_schema(extensions: Sequence[Path] = (), *, base: Path | None = None) -> Schema:
    """The base schema (default: schemas/default.yaml) merged with county extension files.

    Raises SchemaError naming the file and line of the first error. Results are memoised per
    file content stamp (the Schema is immutable), so repeated loads are cheap.
    """
    paths = tuple(path.resolve() for path in (base or default_schema_path(), *extensions))
    try:
        stamps = tuple((path, path.stat().st_mtime_ns, path.stat().st_size) for path in paths)
    except OSError:
        return _load_uncached(paths)
    return _load_stamped(stamps)


@functools.lru_cache(maxsize=8)
def _load_stamped(stamps: tuple[tuple[Path, int, int], ...]) -> Schema:
    return _load_uncached(tuple(path for path, _, _ in stamps))


def _load_uncached(paths: tuple[Path, ...]) -> Schema:
    schema, findings = _build(paths)
    errors = [finding for finding in findings if finding.severity is Severity.ERROR]
    if errors or schema is None:
        first = errors[0] if errors else findings[0]
        message = first.message
        if len(errors) > 1:
            message += msg("schema.more_errors", count=len(errors) - 1)
        raise SchemaError(message, location=str(first.location) if first.location else None)
    return schema


def lint_schema(path: Path) -> list[Finding]:
    """Every problem in a schema file (an extension is checked together with the default)."""
    document = _read_document(path)
    findings = list(document.findings)
    if document.tree is None:
        return findings
    paths = [path]
    if document.tree.get("extends") == "default":
        paths = [default_schema_path(), path]
    _, built = _build(paths, preread={path: document})
    seen = set(findings)
    findings.extend(finding for finding in built if finding not in seen)
    return findings


# ---------------------------------------------------------------------------------------------
# Reading YAML with line numbers
# ---------------------------------------------------------------------------------------------


class _YamlMap(dict[str, Any]):
    """A YAML mapping that remembers its line and the line of each key."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _YamlSeq(list[Any]):
    """A YAML sequence that remembers its line and the line of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


# libyaml parses several times faster where it is built in; the results are the same.
_SafeLoaderBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoaderBase):  # type: ignore[misc]
    """SafeLoader with line-aware containers, duplicate-key detection and YAML 1.2 booleans.

    Only true/false are booleans, so header texts such as NO, Y and N stay strings.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[str, int]] = []


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _YamlMap:
    loader.flatten_mapping(node)
    mapping = _YamlMap(node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        text = str(key)
        line = key_node.start_mark.line + 1
        if text in mapping:
            loader.duplicate_keys.append((text, line))
        mapping[text] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[text] = line
    return mapping


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> _YamlSeq:
    sequence = _YamlSeq(node.start_mark.line + 1)
    for item in node.value:
        sequence.append(loader.construct_object(item, deep=True))
        sequence.item_lines.append(item.start_mark.line + 1)
    return sequence


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


@dataclass(frozen=True)
class _Document:
    path: Path
    tree: _YamlMap | None
    findings: tuple[Finding, ...]


def _finding(
    code: str, path: Path, line: int | None, message: str, element: str | None = None
) -> Finding:
    return Finding(
        code=code,
        severity=Severity.ERROR,
        message=message,
        location=CellRef(file=path.name, row=line),
        element=element,
    )


def _read_stamped(path: Path) -> _Document:
    """_read_document, memoised on the file's stamp (the default is read by every lint)."""
    try:
        stat = path.stat()
    except OSError:
        return _read_document(path)
    return _read_document_at(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _read_document_at(path: Path, mtime_ns: int, size: int) -> _Document:
    del mtime_ns, size  # cache key only
    return _read_document(path)


def _read_document(path: Path) -> _Document:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = msg("schema.not_utf8") if isinstance(error, UnicodeDecodeError) else error.strerror
        found = _finding("schema-file", path, None, msg("schema.file", reason=reason))
        return _Document(path, None, (found,))
    loader = _LineLoader(text)
    try:
        tree = loader.get_single_data()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        found = _finding("schema-yaml", path, line, msg("schema.yaml", problem=problem))
        return _Document(path, None, (found,))
    finally:
        loader.dispose()
    findings = [
        _finding("schema-duplicate-key", path, line, msg("schema.duplicate_key", key=key))
        for key, line in loader.duplicate_keys
    ]
    if not isinstance(tree, _YamlMap):
        findings.append(_finding("schema-format", path, 1, msg("schema.not_mapping")))
        return _Document(path, None, tuple(findings))
    findings.extend(_format_findings(tree, path))
    return _Document(path, tree, tuple(findings))


# ---------------------------------------------------------------------------------------------
# Structural check against the JSON Schema of the format
# ---------------------------------------------------------------------------------------------


@functools.cache
def _format_validator() -> jsonschema.Draft202012Validator:
    schema_path = Path(__file__).resolve().parents[1] / "schemas" / FORMAT_SCHEMA_FILE
    return jsonschema.Draft202012Validator(json.loads(schema_path.read_text(encoding="utf-8")))


def _format_findings(tree: _YamlMap, path: Path) -> list[Finding]:
    findings = []
    for error in sorted(_format_validator().iter_errors(tree), key=lambda e: list(e.path)):
        if error.validator in ("if", "then", "else"):
            continue
        location = "/".join(str(part) for part in error.absolute_path) or "/"
        message = msg("schema.format", path=location, problem=_describe_format_error(error))
        findings.append(
            _finding("schema-format", path, _line_at(tree, error.absolute_path), message)
        )
    return findings


def _describe_format_error(error: jsonschema.ValidationError) -> str:
    """A Chinese sentence for the common JSON Schema failures."""
    kind = str(error.validator)
    expected: Any = error.validator_value
    instance: Any = error.instance
    if kind == "required":
        missing = next((key for key in expected if key not in instance), expected[0])
        return msg("schema.format_required", key=missing)
    if kind == "additionalProperties":
        rule: Any = error.schema
        known = rule.get("properties", {}) if isinstance(rule, Mapping) else {}
        extra = sorted(key for key in instance if key not in known)
        return msg("schema.format_unknown_key", keys="、".join(extra))
    if kind == "type":
        return msg("schema.format_type", expected=expected, actual=type(instance).__name__)
    if kind in ("enum", "const"):
        allowed = expected if isinstance(expected, list) else [expected]
        return msg("schema.format_enum", value=instance, allowed="、".join(map(str, allowed)))
    if kind == "pattern":
        return msg("schema.format_pattern", value=instance, pattern=expected)
    simple = {
        "minItems": "schema.format_too_short",
        "minLength": "schema.format_too_short",
        "uniqueItems": "schema.format_unique",
        "false": "schema.format_not_allowed",
    }
    return msg(simple[kind]) if kind in simple else msg("schema.format_other", rule=kind)


def _line_at(tree: _YamlMap, parts: Iterable[str | int]) -> int:
    """The line of the deepest container reached along a JSON path."""
    node: Any = tree
    line = tree.line
    for part in parts:
        in_map = isinstance(node, _YamlMap) and isinstance(part, str) and part in node
        in_seq = isinstance(node, _YamlSeq) and isinstance(part, int) and part < len(node)
        if not (in_map or in_seq):
            break
        line = node.line_of(part)
        node = node[part]
        if isinstance(node, (_YamlMap, _YamlSeq)):
            line = node.line
    return line


# ---------------------------------------------------------------------------------------------
# Building: definitions, role derivation, cross-references, alias uniqueness
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Origin:
    path: Path
    line: int


@dataclass
class _AliasClaim:
    element: str
    text: str
    origin: _Origin
    derived: bool
    subject: bool = False  # names the row's own person ("老人姓名"): never role-prefixed


@dataclass
class _Builder:
    """Accumulates definitions from the base file and extensions, then checks them together."""

    findings: list[Finding] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    version: str = ""
    survivorship: tuple[str, ...] = ()
    code_lists: dict[str, CodeList] = field(default_factory=dict)
    ledgers: dict[str, Ledger] = field(default_factory=dict)
    elements: dict[str, Element] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    origins: dict[tuple[str, str], _Origin] = field(default_factory=dict)
    shared: dict[str, tuple[str, list[str], _Origin]] = field(default_factory=dict)
    layout: dict[str, list[str]] = field(default_factory=dict)
    layout_origins: dict[str, _Origin] = field(default_factory=dict)
    extra_aliases: list[tuple[str, str, _Origin]] = field(default_factory=list)
    claims: list[_AliasClaim] = field(default_factory=list)

    def error(self, code: str, origin: _Origin, message: str, element: str | None = None) -> None:
        self.findings.append(_finding(code, origin.path, origin.line, message, element))

    def define(self, kind: str, ident: str, origin: _Origin) -> bool:
        """Record a definition; False (with a finding) when the id is already taken."""
        first = self.origins.get((kind, ident))
        if first is not None:
            message = msg(
                "schema.duplicate_id",
                kind=msg(f"schema.kind.{kind}"),
                id=ident,
                file=first.path.name,
                line=first.line,
            )
            self.error("schema-duplicate-id", origin, message, ident if kind == "element" else None)
            return False
        self.origins[(kind, ident)] = origin
        return True


def _build(
    paths: Sequence[Path], preread: Mapping[Path, _Document] | None = None
) -> tuple[Schema | None, list[Finding]]:
    builder = _Builder()
    documents = [(preread or {}).get(path) or _read_stamped(path) for path in paths]
    for position, document in enumerate(documents):
        builder.findings.extend(document.findings)
        if document.tree is None or any(
            finding.code == "schema-format" for finding in document.findings
        ):
            return None, builder.findings
        if not _check_role_of_file(builder, document, is_base=position == 0):
            return None, builder.findings
        _collect(builder, document.path, document.tree)
    _derive_roles(builder)
    _apply_shared_and_extra_aliases(builder)
    _check_references(builder)
    _check_aliases(builder)
    schema = Schema(
        name="+".join(builder.name),
        version=builder.version,
        ledgers=MappingProxyType(builder.ledgers),
        elements=MappingProxyType(builder.elements),
        code_lists=MappingProxyType(builder.code_lists),
        roles=MappingProxyType(builder.roles),
        shared_aliases=MappingProxyType(
            {text: tuple(owners) for text, owners, _ in builder.shared.values()}
        ),
        layout_columns=MappingProxyType(
            {kind: tuple(headers) for kind, headers in builder.layout.items()}
        ),
        survivorship=builder.survivorship,
        sources=tuple(path.resolve() for path in paths),
    )
    return schema, builder.findings


def _check_role_of_file(builder: _Builder, document: _Document, *, is_base: bool) -> bool:
    tree = document.tree
    assert tree is not None
    extends = tree.get("extends")
    if is_base and extends is not None:
        origin = _Origin(document.path, tree.line_of("extends"))
        builder.error("schema-extends", origin, msg("schema.base_extends"))
        return False
    if not is_base and extends is None:
        builder.error("schema-extends", _Origin(document.path, 1), msg("schema.extension_extends"))
        return False
    return True


def _collect(builder: _Builder, path: Path, tree: _YamlMap) -> None:
    if "name" in tree:
        builder.name.append(str(tree["name"]))
    if "version" in tree and not builder.version:
        builder.version = str(tree["version"])
    if "survivorship" in tree:
        builder.survivorship = tuple(tree["survivorship"]["order"])
    _collect_code_lists(builder, path, tree.get("code_lists") or _YamlMap(tree.line))
    for index, raw in enumerate(tree.get("ledgers") or []):
        _collect_ledger(builder, _Origin(path, tree["ledgers"].line_of(index)), raw)
    for index, raw in enumerate(tree.get("elements") or []):
        _collect_element(builder, _Origin(path, tree["elements"].line_of(index)), raw)
    for index, raw in enumerate(tree.get("roles") or []):
        _collect_role(builder, _Origin(path, tree["roles"].line_of(index)), raw)
    shared: _YamlMap = tree.get("shared_aliases") or _YamlMap(tree.line)
    for text, owners in shared.items():
        origin = _Origin(path, shared.line_of(text))
        key = normalise_label(text)
        if key in builder.shared:
            message = msg("schema.duplicate_shared", alias=text)
            builder.error("schema-duplicate-alias", origin, message)
            continue
        builder.shared[key] = (text, list(owners), origin)
    layout: _YamlMap = tree.get("layout_columns") or _YamlMap(tree.line)
    for kind, headers in layout.items():
        builder.layout.setdefault(kind, []).extend(headers)
        for index, header in enumerate(headers):
            builder.layout_origins.setdefault(header, _Origin(path, headers.line_of(index)))
    extra: _YamlMap = tree.get("aliases") or _YamlMap(tree.line)
    for element_id, texts in extra.items():
        for index, text in enumerate(texts):
            builder.extra_aliases.append((element_id, text, _Origin(path, texts.line_of(index))))


def _collect_code_lists(builder: _Builder, path: Path, code_lists: _YamlMap) -> None:
    for list_id, raw in code_lists.items():
        origin = _Origin(path, code_lists.line_of(list_id))
        if not builder.define("code_list", list_id, origin):
            continue
        entries = tuple(
            CodeEntry(
                code=str(item["code"]),
                label=str(item["label"]),
                aliases=tuple(str(alias) for alias in item.get("aliases", [])),
            )
            for item in raw["codes"]
        )
        builder.code_lists[list_id] = CodeList(list_id, raw["name"], raw.get("standard"), entries)
        _check_code_texts(builder, list_id, raw["codes"], path)


def _check_code_texts(builder: _Builder, list_id: str, codes: _YamlSeq, path: Path) -> None:
    """Codes unique; no label or alias shared by two entries of one list."""
    codes_seen: set[str] = set()
    text_owner: dict[str, str] = {}
    for index, item in enumerate(codes):
        origin = _Origin(path, codes.line_of(index))
        code = normalise_label(str(item["code"]))
        if code in codes_seen:
            message = msg("schema.duplicate_code", code_list=list_id, code=item["code"])
            builder.error("schema-duplicate-code", origin, message)
        codes_seen.add(code)
        for text in (item["label"], *item.get("aliases", [])):
            owner = text_owner.setdefault(normalise_label(str(text)), code)
            if owner != code:
                message = msg("schema.duplicate_code_alias", code_list=list_id, alias=text)
                builder.error("schema-duplicate-code-alias", origin, message)


def _collect_ledger(builder: _Builder, origin: _Origin, raw: _YamlMap) -> None:
    if not builder.define("ledger", raw["id"], origin):
        return
    builder.ledgers[raw["id"]] = Ledger(
        id=raw["id"],
        name=raw["name"],
        entity=raw["entity"],
        key=tuple(raw["key"]),
        description=raw.get("description", ""),
        alternate_keys=tuple(tuple(keys) for keys in raw.get("alternate_keys", [])),
        links=tuple(raw.get("links", [])),
    )


def _collect_element(builder: _Builder, origin: _Origin, raw: _YamlMap) -> None:
    element_id = raw["id"]
    if not builder.define("element", element_id, origin):
        return
    element_type = raw["type"]
    code_list = raw.get("code_list")
    if code_list is None and element_type == "flag":
        code_list = "flag"
    pattern = raw.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as error:
            message = msg("schema.bad_pattern", element=element_id, problem=str(error))
            builder.error("schema-pattern", origin, message, element_id)
    minimum, maximum = raw.get("min"), raw.get("max")
    if minimum is not None and maximum is not None and minimum > maximum:
        message = msg("schema.min_max", element=element_id, min=minimum, max=maximum)
        builder.error("schema-range", origin, message, element_id)
    builder.elements[element_id] = Element(
        id=element_id,
        name=raw["name"],
        ledger=raw["ledger"],
        type=element_type,
        aliases=(),
        code_list=code_list,
        sensitivity=raw["sensitivity"],
        source=raw.get("source"),
        unit=raw.get("unit"),
        mask=raw.get("mask") or DEFAULT_MASKS.get(element_type, "none"),
        role=None,
        base=None,
        pattern=pattern,
        minimum=None if minimum is None else float(minimum),
        maximum=None if maximum is None else float(maximum),
        description=raw.get("description", ""),
    )
    builder.claims.append(_AliasClaim(element_id, raw["name"], origin, derived=False))
    for key in ("aliases", "subject_aliases"):
        aliases: _YamlSeq = raw.get(key) or _YamlSeq(origin.line)
        for index, text in enumerate(aliases):
            claim_origin = _Origin(origin.path, aliases.line_of(index))
            claim = _AliasClaim(element_id, text, claim_origin, False, key == "subject_aliases")
            builder.claims.append(claim)


def _collect_role(builder: _Builder, origin: _Origin, raw: _YamlMap) -> None:
    if not builder.define("role", raw["id"], origin):
        return
    builder.roles[raw["id"]] = Role(
        id=raw["id"],
        name=raw["name"],
        prefixes=tuple(raw["prefixes"]),
        ledger=raw["ledger"],
        elements=tuple(raw["elements"]),
    )


def _derive_roles(builder: _Builder) -> None:
    """Each role adds `<role>_<base>` elements whose aliases are prefix × base alias."""
    for role in builder.roles.values():
        origin = builder.origins[("role", role.id)]
        for base_id in role.elements:
            base = builder.elements.get(base_id)
            if base is None or base.role is not None:
                key = "schema.unknown_element" if base is None else "schema.role_of_role"
                message = msg(key, element=base_id, where=msg("schema.where_role", role=role.id))
                builder.error("schema-unknown-element", origin, message, base_id)
                continue
            derived = _derived_element(role, base)
            if not builder.define("element", derived.id, origin):
                continue
            builder.elements[derived.id] = derived
            for text in _role_aliases(builder, role, base):
                builder.claims.append(_AliasClaim(derived.id, text, origin, derived=True))


def _derived_element(role: Role, base: Element) -> Element:
    return Element(
        id=f"{role.id}_{base.id}",
        name=role.prefixes[0] + base.name,
        ledger=role.ledger,
        type=base.type,
        aliases=(),
        code_list=base.code_list,
        sensitivity=base.sensitivity,
        source=base.source,
        unit=base.unit,
        mask=base.mask,
        role=role.id,
        base=base.id,
        pattern=base.pattern,
        minimum=base.minimum,
        maximum=base.maximum,
        description=msg("schema.derived_description", role=role.name, base=base.name),
    )


def _role_aliases(builder: _Builder, role: Role, base: Element) -> list[str]:
    """Every prefix × (base name, base aliases, shared aliases naming the base); a bare prefix
    names the role's person, so "户主" alone is the head's name."""
    base_texts = [
        claim.text
        for claim in builder.claims
        if claim.element == base.id and not claim.derived and not claim.subject
    ]
    base_texts.extend(text for text, owners, _ in builder.shared.values() if base.id in owners)
    texts = [prefix + text for prefix in role.prefixes for text in base_texts]
    if base.id == "name":
        texts.extend(role.prefixes)
    return texts


def _apply_shared_and_extra_aliases(builder: _Builder) -> None:
    for element_id, text, origin in builder.extra_aliases:
        if element_id not in builder.elements:
            where = msg("schema.where_aliases")
            message = msg("schema.unknown_element", element=element_id, where=where)
            builder.error("schema-unknown-element", origin, message, element_id)
            continue
        builder.claims.append(_AliasClaim(element_id, text, origin, derived=False))
    for text, owners, origin in builder.shared.values():
        for element_id in owners:
            if element_id not in builder.elements:
                where = msg("schema.where_shared", alias=text)
                message = msg("schema.unknown_element", element=element_id, where=where)
                builder.error("schema-unknown-element", origin, message, element_id)
    # Attach every claimed alias (the name excluded) to its element, first claim first.
    aliases: dict[str, list[str]] = {element_id: [] for element_id in builder.elements}
    seen: dict[str, set[str]] = {
        element_id: {normalise_label(element.name)}
        for element_id, element in builder.elements.items()
    }
    shared_claims = [
        (element_id, text)
        for text, owners, _ in builder.shared.values()
        for element_id in owners
        if element_id in builder.elements
    ]
    own_claims = [(claim.element, claim.text) for claim in builder.claims]
    for element_id, text in own_claims + shared_claims:
        key = normalise_label(text)
        if element_id in aliases and key not in seen[element_id]:
            seen[element_id].add(key)
            aliases[element_id].append(text)
    for element_id, texts in aliases.items():
        element = builder.elements[element_id]
        builder.elements[element_id] = _replace_aliases(element, tuple(texts))


def _replace_aliases(element: Element, aliases: tuple[str, ...]) -> Element:
    fields = {name: getattr(element, name) for name in Element.__dataclass_fields__}
    fields["aliases"] = aliases
    return Element(**fields)


def _check_references(builder: _Builder) -> None:
    for element in builder.elements.values():
        if element.role is not None:
            continue
        origin = builder.origins[("element", element.id)]
        if element.ledger not in builder.ledgers:
            message = msg("schema.unknown_ledger", ledger=element.ledger, owner=element.id)
            builder.error("schema-unknown-ledger", origin, message, element.id)
        if element.code_list is not None and element.code_list not in builder.code_lists:
            message = msg(
                "schema.unknown_code_list", code_list=element.code_list, element=element.id
            )
            builder.error("schema-unknown-code-list", origin, message, element.id)
        if element.type in _CODE_TYPES and element.code_list is None:
            message = msg("schema.missing_code_list", element=element.id, type=element.type)
            builder.error("schema-missing-code-list", origin, message, element.id)
    for role in builder.roles.values():
        if role.ledger not in builder.ledgers:
            origin = builder.origins[("role", role.id)]
            message = msg("schema.unknown_ledger", ledger=role.ledger, owner=role.id)
            builder.error("schema-unknown-ledger", origin, message)
    for ledger in builder.ledgers.values():
        _check_ledger_keys(builder, ledger)


def _check_ledger_keys(builder: _Builder, ledger: Ledger) -> None:
    """Key elements belong to the ledger, to its entity's home ledger, or to a linked ledger."""
    origin = builder.origins[("ledger", ledger.id)]
    for link in ledger.links:
        if link not in builder.ledgers:
            message = msg("schema.unknown_ledger", ledger=link, owner=ledger.id)
            builder.error("schema-unknown-ledger", origin, message)
    allowed = {ledger.id, ledger.entity, *ledger.links}
    for element_id in {item for keys in (ledger.key, *ledger.alternate_keys) for item in keys}:
        element = builder.elements.get(element_id)
        if element is None:
            where = msg("schema.where_key", ledger=ledger.id)
            message = msg("schema.unknown_element", element=element_id, where=where)
            builder.error("schema-unknown-element", origin, message, element_id)
        elif element.ledger not in allowed:
            message = msg(
                "schema.key_element", ledger=ledger.id, element=element_id, owner=element.ledger
            )
            builder.error("schema-key-element", origin, message, element_id)


def _check_aliases(builder: _Builder) -> None:
    """Each normalised alias names one element, unless shared_aliases declares it ambiguous."""
    claims_by_text: dict[str, list[_AliasClaim]] = {}
    for claim in builder.claims:
        key = normalise_label(claim.text)
        if not key:
            message = msg("schema.empty_alias", element=claim.element)
            builder.error("schema-empty-alias", claim.origin, message, claim.element)
            continue
        claims_by_text.setdefault(key, []).append(claim)
    layout = {normalise_label(header) for header in builder.layout_origins}
    for key, claims in claims_by_text.items():
        owners = list(dict.fromkeys(claim.element for claim in claims))
        declared = builder.shared.get(key)
        if len(owners) > 1 and (declared is None or not set(owners) <= set(declared[1])):
            culprit = _culprit(claims)
            message = msg("schema.duplicate_alias", alias=culprit.text, elements="、".join(owners))
            builder.error("schema-duplicate-alias", culprit.origin, message, culprit.element)
        if key in layout:
            culprit = _culprit(claims)
            message = msg("schema.layout_alias", alias=culprit.text, element=culprit.element)
            builder.error("schema-duplicate-alias", culprit.origin, message, culprit.element)


def _culprit(claims: list[_AliasClaim]) -> _AliasClaim:
    """The claim to point at: the last one written by hand, else the last derived one."""
    declared = [claim for claim in claims[1:] if not claim.derived]
    return declared[-1] if declared else claims[-1]

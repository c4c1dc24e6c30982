"""The message catalogue: every sentence a user reads comes from locale/<lang>/*.yaml.

Keys are stable dotted ids (``ingest.summary.title``); texts are ``str.format`` templates.
Each pipeline stage owns one catalogue file, so wording lives in one place per stage.
"""

from __future__ import annotations

import functools
from importlib import resources

import yaml

DEFAULT_LANGUAGE = "zh_CN"
# libyaml's safe loader where PyYAML was built with it: every command, --help included, reads the
# whole catalogue at start, and the pure-Python loader takes about 0.14 s of it.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def catalogue(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Load and merge every catalogue file of a language; a key defined twice is an error."""
    merged: dict[str, str] = {}
    folder = resources.files("yibiaotong") / "locale" / language
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".yaml"):
            continue
        texts = yaml.load(entry.read_text(encoding="utf-8"), Loader=_SAFE_LOADER) or {}
        for key, text in _flatten(texts).items():
            if key in merged:
                raise KeyError(f"message key {key!r} defined twice (second in {entry.name})")
            merged[key] = text
    return merged


def _flatten(tree: dict[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{full}."))
        else:
            flat[full] = str(value)
    return flat


def msg(key: str, /, **fields: object) -> str:
    """The user-facing text for ``key`` with ``fields`` filled in."""
    template = catalogue().get(key)
    if template is None:
        raise KeyError(f"message key {key!r} is not in the catalogue")
    return template.format(**fields) if fields else template

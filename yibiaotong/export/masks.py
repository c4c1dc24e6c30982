"""Which mask (脱敏方式) each column of a generated form gets.

The schema declares the default for personal and sensitive elements (身份证号 id_middle, 电话
phone_middle, 银行账号 account_tail …). A form that needs more or less is configured in the
workspace file ``export_masks.yaml`` (form_key → element → style); ``--mask`` options override
both for one run (``none`` reveals everything, ``<element>=<style>`` sets one element).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import yaml

from yibiaotong.errors import UsageError
from yibiaotong.messages import msg
from yibiaotong.schema import Schema
from yibiaotong.values import MASK_STYLES

MASKS_FILE = "export_masks.yaml"
SENSITIVE = frozenset({"personal", "sensitive"})


@dataclass(frozen=True, slots=True)
class MaskPolicy:
    reveal_all: bool = False  # --mask none
    elements: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    forms: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))

    def style(self, schema: Schema, form_key: str, element_id: str) -> str:
        """The mask style for one element of one form: run option, then form file, then schema."""
        if self.reveal_all:
            return "none"
        if element_id in self.elements:
            return self.elements[element_id]
        configured = self.forms.get(form_key, {})
        if element_id in configured:
            return configured[element_id]
        element = schema.elements.get(element_id)
        if element is None or element.sensitivity not in SENSITIVE:
            return "none"
        return element.mask


def mask_policy(
    schema: Schema, options: Sequence[str], workspace: Path | None = None
) -> MaskPolicy:
    """The policy from ``--mask`` options and the workspace's export_masks.yaml (if any)."""
    reveal_all = False
    elements: dict[str, str] = {}
    for option in options:
        text = option.strip()
        if text in {"none", "default"}:
            reveal_all = reveal_all or text == "none"
            continue
        element, separator, style = text.partition("=")
        if not separator:
            raise UsageError(msg("export.mask.bad_option", option=option))
        elements[_element_id(schema, element.strip(), option)] = _style(style.strip(), option)
    forms = _form_masks(schema, workspace / MASKS_FILE) if workspace is not None else {}
    return MaskPolicy(reveal_all, MappingProxyType(elements), MappingProxyType(forms))


def _element_id(schema: Schema, text: str, where: str) -> str:
    if text in schema.elements:
        return text
    by_name = [e.id for e in schema.elements.values() if e.name == text]
    if len(by_name) == 1:
        return by_name[0]
    raise UsageError(msg("export.mask.unknown_element", element=text, option=where))


def _style(text: str, where: str) -> str:
    if text not in MASK_STYLES:
        raise UsageError(
            msg(
                "export.mask.unknown_style", style=text, option=where, styles="、".join(MASK_STYLES)
            )
        )
    return text


def _form_masks(schema: Schema, path: Path) -> dict[str, Mapping[str, str]]:
    if not path.is_file():
        return {}
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise UsageError(
            msg("export.mask.bad_file", detail=type(error).__name__), str(path)
        ) from error
    if not isinstance(document, dict):
        raise UsageError(msg("export.mask.bad_file_shape"), str(path))
    forms: dict[str, Mapping[str, str]] = {}
    for form_key, masks in document.items():
        if not isinstance(masks, dict):
            raise UsageError(msg("export.mask.bad_file_shape"), f"{path.name}: {form_key}")
        where = f"{path.name}: {form_key}"
        forms[str(form_key)] = MappingProxyType(
            {
                _element_id(schema, str(element), where): _style(str(style), where)
                for element, style in masks.items()
            }
        )
    return forms

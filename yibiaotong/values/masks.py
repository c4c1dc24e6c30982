"""Masking (脱敏) for generated forms: the ledger keeps full values, each form shows its own mask.

A mask never shows more than its style allows; a value too short for the style to hide enough of
it is hidden completely.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from yibiaotong.errors import SchemaError
from yibiaotong.messages import msg

HIDDEN = "*"
# Village-level units first: an address is cut right after the first of them.
_VILLAGE_LEVEL = re.compile(r"社区|村委会|村民委员会|居委会|居民委员会|嘎查|村")
# Otherwise after the last street-level word, or failing that the last county-level one.
_STREET_LEVEL = re.compile(r"街道|大街|大道|胡同|路|街|巷|镇|乡|苏木")
_COUNTY_LEVEL = re.compile(r"自治县|自治旗|区|县|旗|市")
_DIGIT = re.compile(r"[0-9０-９]")


def _keep_ends(value: str, head: int, tail: int, hidden: int) -> str:
    """First ``head`` and last ``tail`` characters around ``hidden`` stars.

    Only when at least four characters stay hidden; otherwise everything is hidden.
    """
    if len(value) - head - tail < 4:
        return HIDDEN * max(hidden, len(value))
    return value[:head] + HIDDEN * hidden + value[len(value) - tail :]


def _name_partial(value: str) -> str:
    if len(value) < 2:
        return HIDDEN * len(value)
    return value[0] + HIDDEN * (len(value) - 1)


def _address_partial(value: str) -> str:
    """Keep the address down to the village/community or street name, hide the rest."""
    digit = _DIGIT.search(value)
    area = value[: digit.start()] if digit else value
    village = _VILLAGE_LEVEL.search(area)
    if village:
        end = village.end()
    else:
        streets = list(_STREET_LEVEL.finditer(area)) or list(_COUNTY_LEVEL.finditer(area))
        end = streets[-1].end() if streets else 0
    if end >= len(value):  # nothing below the village or street to hide
        return value
    return value[:end] + HIDDEN * 3


MASK_STYLES: dict[str, Callable[[str], str]] = {
    "none": lambda value: value,
    "id_middle": lambda value: _keep_ends(value, 6, 4, 8),
    "id_tail": lambda value: _keep_ends(value, 10, 0, 8),
    "phone_middle": lambda value: _keep_ends(value, 3, 4, 4),
    "account_tail": lambda value: _keep_ends(value, 0, 4, 8),
    "name_partial": _name_partial,
    "address_partial": _address_partial,
}


def mask_value(value: str, style: str) -> str:
    """``value`` as a form with mask ``style`` shows it (see MASK_STYLES)."""
    masker = MASK_STYLES.get(style)
    if masker is None:
        raise SchemaError(
            msg("values.error.unknown_mask", style=style, styles="、".join(MASK_STYLES))
        )
    return masker(value)

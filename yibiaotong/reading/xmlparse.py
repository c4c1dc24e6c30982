"""Streaming XML parsing for untrusted files: expat, with any DOCTYPE refused outright.

Spreadsheet XML never needs a DTD; refusing one rules out entity expansion ("billion laughs")
and external entities (reading local files) without depending on parser defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from xml.parsers import expat


class XmlDeclarationError(Exception):
    """The document declares a DOCTYPE."""


class XmlSyntaxError(Exception):
    """The document is not well-formed XML (or names an unknown encoding)."""


def parse_stream(
    blocks: Iterable[bytes],
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    """Feed ``blocks`` to expat; element names arrive as "namespace-uri local-name"."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        for block in blocks:
            parser.Parse(block, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, LookupError, ValueError) as error:
        raise XmlSyntaxError(str(error)) from error


def _refuse_doctype(*_: object) -> None:
    raise XmlDeclarationError

"""The small exception hierarchy: an exception means a step could not run at all.

Problems with values are `Finding`s (see model.py), never exceptions.
"""

from __future__ import annotations


class YbtError(Exception):
    """An error with a user-facing Chinese message and, where known, a location."""

    exit_code = 1

    def __init__(self, message: str, location: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}：{self.message}" if self.location else self.message


class UsageError(YbtError):
    """The user asked for something that cannot be done as asked (bad option, missing file)."""

    exit_code = 2


class SchemaError(YbtError):
    """A schema file is malformed or inconsistent."""

    exit_code = 2


class FileReadError(YbtError):
    """A file could not be read: corrupt, encrypted, empty, not a spreadsheet, too large."""


class WorkspaceError(YbtError):
    """The workspace is missing, locked by another process, or damaged."""

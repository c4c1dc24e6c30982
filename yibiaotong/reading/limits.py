"""Safety limits for reading untrusted files, and the checks that apply them before parsing."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from yibiaotong.errors import FileReadError
from yibiaotong.messages import msg

MIB = 2**20
# Ratios are only judged on members big enough to matter: a 2 KB XML part of repeated
# tags compresses well beyond any sensible ratio and does no harm.
RATIO_FLOOR_BYTES = 1 * MIB


@dataclass(frozen=True)
class ReadLimits:
    """Upper bounds on what one input file may cost to read."""

    max_file_bytes: int = 200 * MIB
    max_cells: int = 20_000_000
    max_zip_ratio: float = 200.0
    max_uncompressed_bytes: int = 2 * 2**30


def fail(path: Path, key: str, /, **fields: object) -> FileReadError:
    """A FileReadError for ``path`` with the catalogue text ``reading.error.<key>``."""
    return FileReadError(msg(f"reading.error.{key}", **fields), location=path.name)


def check_file_size(path: Path, size: int, limits: ReadLimits) -> None:
    if size > limits.max_file_bytes:
        raise fail(
            path,
            "too_large",
            size_mb=_megabytes(size),
            limit_mb=_megabytes(limits.max_file_bytes),
        )


def check_zip(path: Path, archive: zipfile.ZipFile, limits: ReadLimits) -> None:
    """Refuse an archive whose central directory promises too much output (a zip bomb)."""
    members = archive.infolist()
    total = sum(member.file_size for member in members)
    worst = max(
        (_ratio(member) for member in members if member.file_size >= RATIO_FLOOR_BYTES),
        default=0.0,
    )
    if total > limits.max_uncompressed_bytes or worst > limits.max_zip_ratio:
        raise fail(path, "zip_bomb", size_mb=_megabytes(total), ratio=f"{worst:.0f}:1")


def check_cells(path: Path, sheet: str, height: int, width: int, limits: ReadLimits) -> None:
    """Refuse a sheet whose grid (from A1 to its last cell) would exceed ``max_cells``."""
    cells = height * width
    if cells > limits.max_cells:
        raise fail(path, "too_many_cells", sheet=sheet, cells=cells, limit=limits.max_cells)


def _ratio(member: zipfile.ZipInfo) -> float:
    return member.file_size / max(member.compress_size, 1)


def _megabytes(size: int) -> str:
    return f"{size / MIB:.1f}"

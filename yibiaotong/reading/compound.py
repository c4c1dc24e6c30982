"""A minimal reader of OLE2 compound files (.xls, password-protected .xlsx): stream names and bytes.

Only what sniffing and the .xls size check need; every chain is bounded so a damaged or
hostile file ends in CompoundFileError, never in a loop.
"""

from __future__ import annotations

import struct
from pathlib import Path

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADER_SIZE = 512
_DIFAT_IN_HEADER = 109
_END_OF_CHAIN = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_ENTRY_SIZE = 128
_STREAM = 2
_ROOT = 5


class CompoundFileError(Exception):
    """The compound file structure is damaged."""


class CompoundFile:
    """The directory and streams of one compound file, read fully into memory."""

    def __init__(self, content: bytes) -> None:
        if len(content) < _HEADER_SIZE or not content.startswith(MAGIC):
            raise CompoundFileError("not a compound file")
        self._content = content
        (sector_shift, mini_shift) = struct.unpack_from("<HH", content, 0x1E)
        if sector_shift not in (9, 12) or mini_shift != 6:
            raise CompoundFileError("bad sector size")
        self._sector_size = 1 << sector_shift
        self._mini_cutoff = struct.unpack_from("<I", content, 0x38)[0]
        self._sector_count = (len(content) - _HEADER_SIZE) // self._sector_size + 1
        self._fat = self._read_fat()
        directory_start = struct.unpack_from("<I", content, 0x30)[0]
        self._entries = self._read_directory(self._chain_bytes(directory_start))
        self._mini_fat_start = struct.unpack_from("<I", content, 0x3C)[0]

    @classmethod
    def open(cls, path: Path) -> CompoundFile:
        return cls(path.read_bytes())

    def stream_names(self) -> list[str]:
        return [name for name, kind, _, _ in self._entries if kind == _STREAM]

    def read_stream(self, name: str) -> bytes:
        """The bytes of the first stream called ``name`` (case-insensitive, as Office does)."""
        for entry_name, kind, start, size in self._entries:
            if kind == _STREAM and entry_name.lower() == name.lower():
                if size < self._mini_cutoff:
                    return self._mini_stream_bytes(start, size)
                return self._chain_bytes(start)[:size]
        raise CompoundFileError(f"no stream {name}")

    def _sector(self, index: int) -> bytes:
        if index >= self._sector_count:
            raise CompoundFileError("sector out of range")
        offset = (index + 1) * self._sector_size
        return self._content[offset : offset + self._sector_size]

    def _read_fat(self) -> list[int]:
        content = self._content
        fat_sector_count = struct.unpack_from("<I", content, 0x2C)[0]
        fat_sectors = [
            index
            for index in struct.unpack_from(f"<{_DIFAT_IN_HEADER}I", content, 0x4C)
            if index != _FREE
        ]
        difat_sector = struct.unpack_from("<I", content, 0x44)[0]
        per_sector = self._sector_size // 4
        for _ in range(self._sector_count):
            if difat_sector in (_END_OF_CHAIN, _FREE) or len(fat_sectors) >= fat_sector_count:
                break
            entries = struct.unpack(f"<{per_sector}I", self._sector(difat_sector))
            fat_sectors.extend(index for index in entries[:-1] if index != _FREE)
            difat_sector = entries[-1]
        fat: list[int] = []
        for index in fat_sectors[:fat_sector_count]:
            fat.extend(struct.unpack(f"<{per_sector}I", self._sector(index)))
        return fat

    def _chain(self, start: int, table: list[int]) -> list[int]:
        chain: list[int] = []
        index = start
        while index != _END_OF_CHAIN:
            if index >= len(table) or len(chain) > len(table):
                raise CompoundFileError("broken sector chain")
            chain.append(index)
            index = table[index]
        return chain

    def _chain_bytes(self, start: int) -> bytes:
        # Streams are usually stored in consecutive sectors: copy each run in one slice.
        chain = self._chain(start, self._fat)
        if any(index >= self._sector_count for index in chain):
            raise CompoundFileError("sector out of range")
        pieces: list[bytes] = []
        run_start = 0
        for position in range(1, len(chain) + 1):
            if position == len(chain) or chain[position] != chain[position - 1] + 1:
                first = (chain[run_start] + 1) * self._sector_size
                last = (chain[position - 1] + 2) * self._sector_size
                pieces.append(self._content[first:last])
                run_start = position
        return b"".join(pieces)

    def _mini_stream_bytes(self, start: int, size: int) -> bytes:
        mini_fat_bytes = self._chain_bytes(self._mini_fat_start)
        mini_fat = list(struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes))
        root_start = next(start for _, kind, start, _ in self._entries if kind == _ROOT)
        mini_stream = self._chain_bytes(root_start)
        pieces = [
            mini_stream[index * 64 : index * 64 + 64] for index in self._chain(start, mini_fat)
        ]
        return b"".join(pieces)[:size]

    def _read_directory(self, directory: bytes) -> list[tuple[str, int, int, int]]:
        # Version 3 files (512-byte sectors) must ignore the high half of a stream size.
        size_mask = 0xFFFFFFFF if self._sector_size == 512 else 2**64 - 1
        entries: list[tuple[str, int, int, int]] = []
        for offset in range(0, len(directory) - _ENTRY_SIZE + 1, _ENTRY_SIZE):
            name_length = struct.unpack_from("<H", directory, offset + 64)[0]
            kind = directory[offset + 66]
            if kind == 0 or not 2 <= name_length <= 64:
                continue
            name = directory[offset : offset + name_length - 2].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<IQ", directory, offset + 116)
            entries.append((name, kind, start, size & size_mask))
        return entries

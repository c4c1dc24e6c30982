"""Worker processes parse small files in batches; one file that hangs costs only itself."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.conftest import COUNTY
from yibiaotong.ingest import collect_paths, prepare_file, prepare_files
from yibiaotong.matching import HeaderMatcher
from yibiaotong.messages import msg
from yibiaotong.schema import load_schema
from yibiaotong.workers import (
    BATCH_BYTES,
    BATCH_FILES,
    MIN_BATCH_BYTES,
    WorkerSetup,
    _Queue,
    prepare_in_workers,
)


def _queue(sizes: list[int]) -> _Queue:
    return _Queue([Path(f"f{i}.xlsx") for i in range(len(sizes))], sizes)


def test_small_files_go_in_batches_and_big_ones_alone() -> None:
    queue = _queue([1000] * (BATCH_FILES + 3) + [BATCH_BYTES + 1, 1000])
    first = queue.take(limit=100)
    assert first == list(range(BATCH_FILES))
    assert queue.take(limit=100) == [BATCH_FILES, BATCH_FILES + 1, BATCH_FILES + 2]
    assert queue.take(limit=100) == [BATCH_FILES + 3]  # over BATCH_BYTES: alone
    assert queue.take(limit=100) == [BATCH_FILES + 4]
    assert queue.take(limit=100) == []


def test_a_batch_never_holds_more_bytes_than_the_largest_file() -> None:
    # So a worker's peak is that of the largest single file, however many files the run has.
    big = 3 * MIN_BATCH_BYTES
    queue = _queue([MIN_BATCH_BYTES] * 7 + [big])
    assert queue.take(limit=100) == [0, 1, 2]  # 3 x 256 KB = the largest file
    assert queue.take(limit=100) == [3, 4, 5]
    assert queue.take(limit=100) == [6]  # the next one would pass the budget
    assert queue.take(limit=100) == [7]
    tiny = _queue([1000] * 40)  # forms of a few kilobytes still go 16 at a time
    assert len(tiny.take(limit=100)) == BATCH_FILES


def test_a_batch_stops_at_the_window_and_retried_files_go_alone() -> None:
    queue = _queue([10] * 8)
    assert queue.take(limit=3) == [0, 1, 2]
    queue.retry([2, 0])
    assert queue.take(limit=3) == [0]
    assert queue.take(limit=3) == [2]
    assert queue.take(limit=3) == []  # 3 is beyond the window
    assert queue.take(limit=8) == [3, 4, 5, 6, 7]


def test_a_batch_prepares_exactly_what_single_files_do() -> None:
    schema = load_schema(())
    matcher = HeaderMatcher(schema, 0.85, 0.55)
    files = collect_paths([COUNTY])[:12]
    together = prepare_files([*files, COUNTY / "missing.xlsx"], schema, matcher, ())
    assert isinstance(together[-1], Exception)  # the unreadable one has its error, alone
    for path, batched in zip(files, together, strict=False):
        single = prepare_file(path, schema, matcher, ())
        assert not isinstance(batched, Exception)
        assert [f.observations.to_dicts() for f in batched.forms] == [
            f.observations.to_dicts() for f in single.forms
        ]
        assert [f.findings for f in batched.forms] == [f.findings for f in single.forms]
        assert [f.matches for f in batched.forms] == [f.matches for f in single.forms]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe")
def test_a_hung_file_in_a_batch_times_out_alone(tmp_path: Path) -> None:
    # Reading a named pipe with no writer blocks forever: a real hang, not a simulated one.
    hung = tmp_path / "卡住的表.xlsx"
    os.mkfifo(hung)
    good = collect_paths([COUNTY / "民政局"])[:3]
    paths = [good[0], hung, good[1], good[2]]
    setup = WorkerSetup((), 0.85, 0.55, (), None, None, 50 * 2**20, 3072)
    started = time.monotonic()
    results = list(prepare_in_workers(paths, setup, workers=1, timeout_seconds=8))
    elapsed = time.monotonic() - started
    assert [r.path for r in results] == paths
    assert results[1].result is None
    assert results[1].failure == msg("workers.timeout", seconds=8)
    assert all(r.result is not None and r.result.forms for r in (results[0], *results[2:]))
    # The hung file was blamed at once: one timeout, not one for the batch and one alone.
    assert elapsed < 8 * 2

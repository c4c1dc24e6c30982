"""Parse files in worker processes, each under a time and memory limit.

A reader that hangs, panics (Rust panics are BaseExceptions in Python) or balloons on one hostile
file must not take the run down: the worker dies or is killed, the file is reported, a fresh
worker takes the next file. Files are independent, so two workers also use both cores; results
are handed back in input order, so the single writer stores them deterministically.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from yibiaotong.messages import msg

# Parent → worker: (indices, paths), a batch, or None to stop. Worker → parent: (_READING, index)
# before each file is read; then (_DONE, [(index, _OK | _FAILED, payload), …]) or (_RETRY, indices).
_OK, _FAILED = "ok", "failed"
_READING, _DONE, _RETRY = "reading", "done", "retry"
# A batch of small files shares one normalisation pass per set of rules. A batch never holds more
# bytes than the largest file of the run (nor more than BATCH_BYTES), so a worker's peak memory is
# that of the largest single file, however many files come; below MIN_BATCH_BYTES that bound is
# not worth keeping (forms of a few kilobytes).
BATCH_FILES = 16
BATCH_BYTES = 2 * 2**20
MIN_BATCH_BYTES = 256 * 2**10


@dataclass(frozen=True, slots=True)
class WorkerSetup:
    """What a worker needs to prepare files; sent once when the worker starts."""

    schema_extensions: tuple[Path, ...]
    accept_score: float
    review_score: float
    decisions: tuple[Any, ...]
    department: str | None
    header_rows: int | None
    max_file_bytes: int
    memory_mb: int


@dataclass(frozen=True, slots=True)
class Prepared:
    """The result for one file: a PreparedFile, or a Chinese failure message."""

    path: Path
    result: Any | None
    failure: str | None


def _limit_memory(megabytes: int) -> None:
    try:
        import resource

        limit = megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: run without the cap
        pass


def _quiet_native_errors() -> None:
    """Rust readers print allocation failures straight to file descriptor 2; the clerk gets
    the one Chinese line per file instead (YBT_DEBUG=1 keeps them for developers)."""
    if os.environ.get("YBT_DEBUG"):
        return
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)


class Preparer:
    """Prepares batches of files as ``setup`` says; built once per process (schema, matcher)."""

    def __init__(self, setup: WorkerSetup) -> None:
        from yibiaotong.matching import HeaderMatcher
        from yibiaotong.reading import ReadLimits
        from yibiaotong.schema import load_schema

        self.setup = setup
        self.schema = load_schema(setup.schema_extensions)
        self.matcher = HeaderMatcher(self.schema, setup.accept_score, setup.review_score)
        self.limits = ReadLimits(max_file_bytes=setup.max_file_bytes)

    def run(self, paths: Sequence[Path], on_file: Callable[[int], None] | None = None) -> list[Any]:
        """PreparedFile or YbtError per path (see ingest.prepare_files)."""
        from yibiaotong.ingest import prepare_files

        return prepare_files(
            paths,
            self.schema,
            self.matcher,
            self.setup.decisions,
            department=self.setup.department,
            header_rows=self.setup.header_rows,
            limits=self.limits,
            on_file=on_file,
        )


def _worker_main(connection: Connection, setup: WorkerSetup) -> None:
    # Parallelism comes from the worker processes: a polars thread pool per worker as wide as
    # the machine would have the workers fight over the same cores.
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    _limit_memory(setup.memory_mb)
    _quiet_native_errors()
    from yibiaotong.errors import YbtError

    preparer = Preparer(setup)
    while True:
        job = connection.recv()
        if job is None:
            return
        indices, paths = job

        def reading(number: int, indices: list[int] = indices) -> None:
            connection.send((_READING, indices[number] if number < len(indices) else None))

        try:
            results = preparer.run(paths, on_file=reading)
            answers = [
                (index, _FAILED, result.message)
                if isinstance(result, YbtError)
                else (index, _OK, result)
                for index, result in zip(indices, results, strict=True)
            ]
            connection.send((_DONE, answers))
        except BaseException as error:
            if len(indices) > 1:  # find the culprit: each file of the batch again, alone
                connection.send((_RETRY, indices))
            elif isinstance(error, MemoryError):
                connection.send((_DONE, [(indices[0], _FAILED, msg("workers.memory"))]))
            else:
                kind = type(error).__name__
                connection.send((_DONE, [(indices[0], _FAILED, msg("workers.crashed", kind=kind))]))


class _Worker:
    def __init__(self, context: Any, setup: WorkerSetup) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, setup), daemon=True)
        self.process.start()
        child.close()
        self.job: list[int] | None = None
        self.reading: int | None = None  # the file being read, if the batch is still reading
        self.started = 0.0

    def give(self, indices: list[int], paths: list[Path]) -> None:
        self.job = indices
        self.reading = None
        self.started = time.monotonic()
        self.connection.send((indices, paths))

    def stop(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self.connection.send(None)
        self.process.join(timeout=2)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


@dataclass
class _Queue:
    """Files still to parse, in input order; a file sent back for a retry goes alone."""

    paths: Sequence[Path]
    sizes: list[int]  # bytes of each file
    waiting: deque[tuple[int, bool]] = field(init=False)
    budget: int = field(init=False)  # bytes a batch may hold: the largest file's, within bounds

    def __post_init__(self) -> None:
        self.waiting = deque((i, False) for i in range(len(self.paths)))
        self.budget = min(BATCH_BYTES, max(max(self.sizes, default=0), MIN_BATCH_BYTES))

    @classmethod
    def of(cls, paths: Sequence[Path]) -> _Queue:
        return cls(paths, [_size(p) for p in paths])

    def take(self, limit: int) -> list[int]:
        """The next batch: consecutive small files up to BATCH_FILES and the byte budget, a big
        file or a retried one alone; never an index at or beyond ``limit``."""
        batch: list[int] = []
        total = 0
        while self.waiting and self.waiting[0][0] < limit:
            index, alone = self.waiting[0]
            size = self.sizes[index]
            if batch and (alone or len(batch) >= BATCH_FILES or total + size > self.budget):
                break
            self.waiting.popleft()
            batch.append(index)
            total += size
            if alone:
                break
        return batch

    def retry(self, indices: Sequence[int]) -> None:
        self.waiting.extendleft((index, True) for index in sorted(indices, reverse=True))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def batches(paths: Sequence[Path]) -> Iterator[list[Path]]:
    """The batches the workers would make, for preparing files in this process."""
    queue = _Queue.of(paths)
    while batch := queue.take(len(paths)):
        yield [paths[i] for i in batch]


def prepare_in_workers(
    paths: Sequence[Path],
    setup: WorkerSetup,
    *,
    workers: int,
    timeout_seconds: float,
    on_start: Callable[[Path], None] | None = None,
) -> Iterator[Prepared]:
    """Yield one Prepared per path, in input order, parsing in ``workers`` processes.

    Small files go to a worker in batches (see ``prepare_files``); if a batch fails as a whole,
    its files are parsed again one by one, so one hostile file never costs the others.
    """
    context = multiprocessing.get_context("spawn")
    pool = [_Worker(context, setup) for _ in range(max(1, min(workers, len(paths))))]
    queue = _Queue.of(paths)
    done: dict[int, Prepared] = {}
    next_out = 0
    window = 2 * len(pool) * BATCH_FILES  # bound buffered results, so memory stays per-batch
    try:
        while next_out < len(paths):
            for worker in pool:
                if worker.job is None:
                    batch = queue.take(next_out + window)
                    if batch:
                        if on_start is not None:
                            for index in batch:
                                on_start(paths[index])
                        worker.give(batch, [paths[i] for i in batch])
            _collect(pool, done, queue, context, setup, timeout_seconds)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for worker in pool:
            worker.stop()


def _collect(
    pool: list[_Worker],
    done: dict[int, Prepared],
    queue: _Queue,
    context: Any,
    setup: WorkerSetup,
    timeout_seconds: float,
) -> None:
    busy = [w for w in pool if w.job is not None]
    if not busy:
        return
    waitables: list[Any] = [w.connection for w in busy] + [w.process.sentinel for w in busy]
    wait(waitables, timeout=0.5)
    for worker in busy:
        assert worker.job is not None
        if _answered(worker, done, queue):
            continue
        overdue = time.monotonic() - worker.started > timeout_seconds
        if worker.process.is_alive() and not overdue:
            continue
        reason = (
            msg("workers.timeout", seconds=int(timeout_seconds)) if overdue else msg("workers.died")
        )
        # The file being read when the worker died or hung is the culprit; the rest of its
        # batch is parsed again, one file at a time.
        culprit = worker.reading if worker.reading is not None else worker.job[0]
        if len(worker.job) == 1 or worker.reading is not None:
            done[culprit] = Prepared(queue.paths[culprit], None, reason)
            queue.retry([i for i in worker.job if i != culprit])
        else:
            queue.retry(worker.job)
        worker.kill()
        pool[pool.index(worker)] = _Worker(context, setup)


def _answered(worker: _Worker, done: dict[int, Prepared], queue: _Queue) -> bool:
    """Read what the worker said; True once its batch is settled."""
    assert worker.job is not None
    while worker.connection.poll():
        try:
            kind, payload = worker.connection.recv()
        except (EOFError, OSError):  # died while answering: the death is handled by the caller
            return False
        if kind == _READING:
            worker.reading = payload
            continue
        if kind == _RETRY:
            queue.retry(payload)
        else:
            for index, status, result in payload:
                path = queue.paths[index]
                done[index] = (
                    Prepared(path, result, None) if status == _OK else Prepared(path, None, result)
                )
        worker.job = None
        worker.reading = None
        return True
    return False

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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from yibiaotong.messages import msg

# Parent → worker: (index, path) or None to stop. Worker → parent: (index, kind, payload).
_OK, _FAILED = "ok", "failed"


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


def _worker_main(connection: Connection, setup: WorkerSetup) -> None:
    _limit_memory(setup.memory_mb)
    _quiet_native_errors()
    from yibiaotong.errors import YbtError
    from yibiaotong.ingest import prepare_file
    from yibiaotong.matching import HeaderMatcher
    from yibiaotong.reading import ReadLimits
    from yibiaotong.schema import load_schema

    schema = load_schema(setup.schema_extensions)
    matcher = HeaderMatcher(schema, setup.accept_score, setup.review_score)
    limits = ReadLimits(max_file_bytes=setup.max_file_bytes)
    while True:
        job = connection.recv()
        if job is None:
            return
        index, path = job
        try:
            prepared = prepare_file(
                path,
                schema,
                matcher,
                setup.decisions,
                department=setup.department,
                header_rows=setup.header_rows,
                limits=limits,
            )
            connection.send((index, _OK, prepared))
        except YbtError as error:
            connection.send((index, _FAILED, error.message))
        except MemoryError:
            connection.send((index, _FAILED, msg("workers.memory")))
        except BaseException as error:
            connection.send((index, _FAILED, msg("workers.crashed", kind=type(error).__name__)))


class _Worker:
    def __init__(self, context: Any, setup: WorkerSetup) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, setup), daemon=True)
        self.process.start()
        child.close()
        self.job: tuple[int, Path] | None = None
        self.started = 0.0

    def give(self, index: int, path: Path) -> None:
        self.job = (index, path)
        self.started = time.monotonic()
        self.connection.send((index, path))

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


def prepare_in_workers(
    paths: Sequence[Path],
    setup: WorkerSetup,
    *,
    workers: int,
    timeout_seconds: float,
    on_start: Callable[[Path], None] | None = None,
) -> Iterator[Prepared]:
    """Yield one Prepared per path, in input order, parsing in ``workers`` processes."""
    context = multiprocessing.get_context("spawn")
    pool = [_Worker(context, setup) for _ in range(max(1, min(workers, len(paths))))]
    done: dict[int, Prepared] = {}
    next_job, next_out = 0, 0
    window = 2 * len(pool)  # bound buffered results, so memory stays per-file
    try:
        while next_out < len(paths):
            for worker in pool:
                if worker.job is None and next_job < len(paths) and next_job < next_out + window:
                    if on_start is not None:
                        on_start(paths[next_job])
                    worker.give(next_job, paths[next_job])
                    next_job += 1
            _collect(pool, done, context, setup, timeout_seconds)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for worker in pool:
            worker.stop()


def _collect(
    pool: list[_Worker],
    done: dict[int, Prepared],
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
        index, path = worker.job
        if worker.connection.poll():
            try:
                got_index, kind, payload = worker.connection.recv()
            except (EOFError, OSError):  # the worker died while answering: replace it
                got_index, kind, payload = index, _FAILED, msg("workers.died")
                worker.kill()
                pool[pool.index(worker)] = _Worker(context, setup)
            done[got_index] = (
                Prepared(path, payload, None) if kind == _OK else Prepared(path, None, payload)
            )
            worker.job = None
            continue
        overdue = time.monotonic() - worker.started > timeout_seconds
        if not worker.process.is_alive() or overdue:
            reason = (
                msg("workers.timeout", seconds=int(timeout_seconds))
                if overdue
                else msg("workers.died")
            )
            done[index] = Prepared(path, None, reason)
            worker.kill()
            pool[pool.index(worker)] = _Worker(context, setup)

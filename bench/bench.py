"""Benchmark: ybt against the engines it stands on, on a generated region of sample counties.

Generates N copies of the sample county at K times its households (each copy with its own seed
and county name, so every form is a distinct submission; K multiplies the rows of every form that
lists people, households or houses), then measures in one run, on the same files:
  - bare decoding with python-calamine (the reader's own speed, the reference),
  - `ybt ingest` end to end (cells/s, wall time, peak memory of every process),
  - the memory check: `ybt ingest` of the first county alone (same scale) into its own
    workspace, against the whole corpus: peak of the parent, of each worker, and of the
    process tree, and the ratio N counties / 1 county (target: ≤ 1.2 for 10×),
  - re-ingest of the unchanged corpus,
  - `ybt export` of all forms against bare xlsxwriter writing of the same data cells
    (bench/bare_write.py), and `ybt report`,
  - `ybt --help` start-up time.
Prints a table with the ratios ybt/engine and writes the figures as JSON.

    .venv/bin/python bench/bench.py                       # 10 counties × scale 12 (the full run)
    .venv/bin/python bench/bench.py --counties 1 --scale 1  # CI smoke check, a couple of minutes

Memory is the resident set size (RSS) of each process, polled every 50 ms; forked or spawned
workers share library pages with each other, so the tree sum over-counts what the machine gives.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil
import python_calamine

ROOT = Path(__file__).resolve().parents[1]
# A ybt process tree using more than this is stopped (its step is then marked as stopped): the
# benchmark shares the machine, and a corpus-sized memory leak must not push it into swap.
MEMORY_LIMIT = int(psutil.virtual_memory().total * 0.4)
YBT = [sys.executable, "-m", "yibiaotong"]
# Modules of the generator that read the county name when they build text.
NAME_HOLDERS = (
    "gen.county",
    "gen.manifest",
    "gen.population",
    "gen.catalogue.base",
    "gen.catalogue.party",
)


@dataclass
class Step:
    name: str
    seconds: float
    cells: int = 0
    peak_mb: float = 0.0  # the process tree's peak (sum of the processes alive at one moment)
    note: str = ""
    parent_mb: float = 0.0  # the ybt process itself
    workers_mb: list[float] = field(default_factory=list)  # each child process's own peak
    cpu_seconds: float = 0.0  # user + system time of the process and its children

    @property
    def cells_per_cpu_second(self) -> float:
        return self.cells / self.cpu_seconds if self.cpu_seconds and self.cells else 0.0

    @property
    def cells_per_second(self) -> float:
        return self.cells / self.seconds if self.seconds and self.cells else 0.0


@dataclass
class Results:
    machine: dict[str, object]
    counties: int
    scale: int
    files: int
    forms: int
    cells: int
    steps: list[Step] = field(default_factory=list)
    ratios: dict[str, float] = field(default_factory=dict)


def generate(counties: int, scale: int, target: Path, workers: int) -> tuple[list[Path], int]:
    """Write ``counties`` sample counties at ``scale`` under target/scaleK/countyNNN/ (cached
    between runs; missing ones built by ``workers`` processes); return the folders and the
    number of forms their manifests list."""
    folders = [target / f"scale{scale}" / f"county{n:03d}" for n in range(counties)]
    missing = [n for n, f in enumerate(folders) if not (f / "manifest.json").exists()]
    if missing:
        with ProcessPoolExecutor(max(1, min(workers, len(missing)))) as pool:
            jobs = [pool.submit(build_one, folders[n], n, scale) for n in missing]
            for job in jobs:
                print(job.result(), flush=True)
    forms = 0
    for folder in folders:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        forms += len(manifest["forms"])
    return folders, forms


def build_one(folder: Path, number: int, scale: int) -> str:
    """One sample county, its own seed and name (in a worker process: the name is global)."""
    started = time.perf_counter()
    if str(ROOT / "sample_forms") not in sys.path:
        sys.path.insert(0, str(ROOT / "sample_forms"))
    build = importlib.import_module("gen.build")
    for module_name in NAME_HOLDERS:
        importlib.import_module(module_name).COUNTY_NAME = f"样例{number:03d}旗"
    build.build_county(folder, seed=build.SEED + number, scale=scale)
    return f"生成 {folder.parent.name}/{folder.name}：{time.perf_counter() - started:.1f} 秒"


def count_cells_bare(files: list[Path]) -> tuple[int, float, float]:
    """Decode every file with python-calamine (CSV with the csv module): cells, wall seconds
    and CPU seconds."""
    cells = 0
    started = time.perf_counter()
    cpu = time.process_time()
    for path in files:
        if path.suffix.lower() == ".csv":
            raw = path.read_bytes()
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    text = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            cells += sum(sum(1 for c in row if c) for row in csv.reader(text.splitlines()))
            continue
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python()
            cells += sum(1 for row in rows for c in row if c not in ("", None))
    return cells, time.perf_counter() - started, time.process_time() - cpu


class PeakMemory:
    """Polls the resident memory of a process and each of its children every 50 ms: the peak of
    every process on its own, and the peak of their sum."""

    def __init__(self, process: psutil.Process, limit: int) -> None:
        self.process = process
        self.limit = limit  # bytes; above it the whole tree is killed (a shared machine)
        self.killed = False
        self.peak = 0
        self.per_process: dict[int, int] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        while not self.stop.is_set():
            try:
                tree = [self.process, *self.process.children(recursive=True)]
            except psutil.Error:
                tree = []
            total = 0
            for process in tree:
                try:
                    rss = process.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                self.per_process[process.pid] = max(self.per_process.get(process.pid, 0), rss)
            self.peak = max(self.peak, total)
            if total > self.limit and not self.killed:
                self.killed = True
                for process in reversed(tree):
                    with contextlib.suppress(psutil.Error):
                        process.kill()
            self.stop.wait(0.05)

    def finish(self) -> tuple[float, float, list[float]]:
        """Peaks in MB: the tree, the process itself, each child (largest first)."""
        self.stop.set()
        self.thread.join()
        parent = self.per_process.pop(self.process.pid, 0)
        children = sorted((rss / 2**20 for rss in self.per_process.values()), reverse=True)
        return self.peak / 2**20, parent / 2**20, children


def children_cpu() -> float:
    """CPU seconds of all waited-for child processes so far (their own children included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_ybt(args: list[str], name: str, cells: int = 0) -> Step:
    cpu = children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(
        [*YBT, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    memory = PeakMemory(psutil.Process(process.pid), MEMORY_LIMIT)
    _, errors = process.communicate()
    seconds = time.perf_counter() - started
    peak, parent, children = memory.finish()
    note = "" if process.returncode in (0, 1) else f"exit {process.returncode}: {errors[-200:]}"
    if memory.killed:
        note = f"stopped: the process tree passed {MEMORY_LIMIT / 2**30:.1f} GB"
    step = Step(name, seconds, cells, peak, note, parent, children, children_cpu() - cpu)
    print(f"{name}: {seconds:.1f} 秒，峰值 {peak:.0f} MB（父进程 {parent:.0f}）{note}", flush=True)
    return step


def bare_write(workspace: Path, out: Path) -> dict[str, float]:
    """bench/bare_write.py in its own process: xlsxwriter alone on the export's data cells."""
    shutil.rmtree(out, ignore_errors=True)
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bare_write.py"), str(workspace), str(out)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    shutil.rmtree(out, ignore_errors=True)
    return figures


def machine() -> dict[str, object]:
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ybt 性能基准")
    parser.add_argument("--counties", type=int, default=10, help="示例县个数")
    parser.add_argument("--scale", type=int, default=12, help="每个村、社区的户数倍数")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--no-memory-check",
        dest="memory_check",
        action="store_false",
        help="不单独导入第一个县做内存对照",
    )
    options = parser.parse_args(argv)
    corpus = options.out / "corpus"
    folders, forms = generate(options.counties, options.scale, corpus, options.workers)
    files = sorted(p for f in folders for p in (f / "county").rglob("*") if p.is_file())
    cells, bare_seconds, bare_cpu = count_cells_bare(files)
    results = Results(machine(), options.counties, options.scale, len(files), forms, cells)
    print(f"语料：{len(files)} 个文件，{forms} 张表，{cells:,} 个非空单元格", flush=True)
    results.steps.append(
        Step("bare decode (python-calamine)", bare_seconds, cells, cpu_seconds=bare_cpu)
    )
    os.environ["YBT_WORKERS"] = str(options.workers)
    if options.memory_check and options.counties > 1:
        first = sorted(p for p in (folders[0] / "county").rglob("*") if p.is_file())
        first_cells, _, _ = count_cells_bare(first)
        small = options.out / "workspace-1"
        shutil.rmtree(small, ignore_errors=True)
        subprocess.run([*YBT, "init", str(small)], check=True, capture_output=True)
        results.steps.append(
            run_ybt(
                ["ingest", str(folders[0] / "county"), "-w", str(small), "--json"],
                "ybt ingest, 1 county (memory check)",
                first_cells,
            )
        )
        shutil.rmtree(small, ignore_errors=True)
    workspace = options.out / "workspace"
    shutil.rmtree(workspace, ignore_errors=True)
    subprocess.run([*YBT, "init", str(workspace)], check=True, capture_output=True)
    county_dirs = [str(f / "county") for f in folders]
    results.steps.append(
        run_ybt(
            ["ingest", *county_dirs, "-w", str(workspace), "--json"],
            f"ybt ingest, {options.counties} counties",
            cells,
        )
    )
    if not results.steps[-1].note.startswith("stopped"):  # else there is no workspace to use
        results.steps.append(
            run_ybt(
                ["ingest", *county_dirs, "-w", str(workspace), "--json"],
                "ybt ingest (unchanged, again)",
                cells,
            )
        )
        exported = options.out / "exported"
        shutil.rmtree(exported, ignore_errors=True)
        bare = bare_write(workspace, options.out / "bare-write")
        export_cells = int(bare["cells"])
        results.steps.append(
            Step(
                "bare write (xlsxwriter), data cells",
                bare["seconds"],
                export_cells,
                cpu_seconds=bare["cpu_seconds"],
            )
        )
        results.steps.append(
            run_ybt(
                ["export", "-w", str(workspace), "--out", str(exported)], "ybt export", export_cells
            )
        )
        results.steps.append(
            run_ybt(
                [
                    "report",
                    "-w",
                    str(workspace),
                    "--format",
                    "json",
                    "--out",
                    str(options.out / "report"),
                ],
                "ybt report",
            )
        )
    results.steps.append(run_ybt(["--help"], "ybt --help"))
    results.ratios = ratios(results)
    report(results, options.out)
    return 0


def _step(results: Results, prefix: str) -> Step | None:
    return next((s for s in results.steps if s.name.startswith(prefix)), None)


def ratios(results: Results) -> dict[str, float]:
    """ybt against its engines, and the memory of N counties against one."""
    found: dict[str, float] = {}
    decode = _step(results, "bare decode")
    ingest = _step(results, f"ybt ingest, {results.counties} counties")
    again = _step(results, "ybt ingest (unchanged")
    write = _step(results, "bare write")
    export = _step(results, "ybt export")
    small = _step(results, "ybt ingest, 1 county")
    if decode and ingest and decode.cells_per_second:
        found["ingest / bare decode (cells/s)"] = ingest.cells_per_second / decode.cells_per_second
    if ingest and again and ingest.seconds:
        found["re-ingest / ingest (seconds)"] = again.seconds / ingest.seconds
    if write and export and write.cells_per_second:
        found["export / bare write (cells/s)"] = export.cells_per_second / write.cells_per_second
    if write and export and write.cells_per_cpu_second:
        found["export / bare write (cells per CPU s)"] = (
            export.cells_per_cpu_second / write.cells_per_cpu_second
        )
    if small and ingest and small.peak_mb and small.parent_mb:
        found["memory N/1: process tree"] = ingest.peak_mb / small.peak_mb
        found["memory N/1: parent"] = ingest.parent_mb / small.parent_mb
        if small.workers_mb and ingest.workers_mb:
            found["memory N/1: largest worker"] = ingest.workers_mb[0] / small.workers_mb[0]
    return found


def report(results: Results, out: Path) -> None:
    bare = results.steps[0].cells_per_second
    print(f"机器：{results.machine}")
    print(
        f"语料：{results.counties} 个示例县 × 规模 {results.scale}，{results.files} 个文件，"
        f"{results.forms} 张表，{results.cells:,} 个非空单元格"
    )
    print(
        f"{'步骤':<38}{'秒':>9}{'CPU秒':>9}{'单元格/秒':>12}{'对引擎':>8}"
        f"{'峰值MB:进程树':>10}{'父进程':>8}{'各子进程':>10}"
    )
    for step in results.steps:
        ratio = f"{step.cells_per_second / bare:.3f}" if step.cells and bare else ""
        if step.name.startswith("bare write") or step.name == "ybt export":
            ratio = ""  # export is compared with the writer, below
        rate = f"{step.cells_per_second:,.0f}" if step.cells else ""
        tree = f"{step.peak_mb:.0f}" if step.peak_mb else ""
        parent = f"{step.parent_mb:.0f}" if step.parent_mb else ""
        workers = " ".join(f"{mb:.0f}" for mb in step.workers_mb[:4])
        if len(step.workers_mb) > 4:
            workers += f" …（共 {len(step.workers_mb)} 个）"
        print(
            f"{step.name:<38}{step.seconds:>9.2f}{step.cpu_seconds:>9.2f}{rate:>12}{ratio:>8}"
            f"{tree:>10}{parent:>8}  {workers}" + (f"  {step.note}" if step.note else "")
        )
    for name, value in results.ratios.items():
        print(f"{name:<38}{value:>9.3f}")
    out.mkdir(parents=True, exist_ok=True)
    document = asdict(results)
    for item, step in zip(document["steps"], results.steps, strict=True):
        item["cells_per_second"] = round(step.cells_per_second)
        item["cells_per_cpu_second"] = round(step.cells_per_cpu_second)
    (out / "results.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8"
    )


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: ybt against the engines it stands on, on a generated region of sample counties.

Generates N copies of the sample county (each with its own seed and county name, so every form
is a distinct submission), then measures in one run, on the same files:
  - bare decoding with python-calamine (the reader's own speed, the reference),
  - `ybt ingest` end to end (cells/s, wall time, peak memory of the whole process tree),
  - re-ingest of the unchanged corpus,
  - `ybt export` of all forms and `ybt report`, where those commands exist,
  - `ybt --help` start-up time.
Prints a table with the ratios ybt/engine and writes the figures as JSON.

    .venv/bin/python bench/bench.py --counties 10 [--out bench/out] [--workers 2]
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil
import python_calamine

ROOT = Path(__file__).resolve().parents[1]
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
    peak_mb: float = 0.0
    note: str = ""

    @property
    def cells_per_second(self) -> float:
        return self.cells / self.seconds if self.seconds and self.cells else 0.0


@dataclass
class Results:
    machine: dict[str, object]
    counties: int
    files: int
    cells: int
    steps: list[Step] = field(default_factory=list)


def generate(counties: int, target: Path) -> list[Path]:
    """Write ``counties`` sample counties under target/县NN/ (cached between runs)."""
    sys.path.insert(0, str(ROOT / "sample_forms"))
    build = importlib.import_module("gen.build")
    folders = []
    for number in range(counties):
        folder = target / f"county{number:03d}"
        folders.append(folder)
        if (folder / "manifest.json").exists():
            continue
        name = f"样例{number:03d}旗"
        for module_name in NAME_HOLDERS:
            importlib.import_module(module_name).COUNTY_NAME = name
        build.build_county(folder, seed=build.SEED + number)
    return folders


def count_cells_bare(files: list[Path]) -> tuple[int, float]:
    """Decode every file with python-calamine (CSV with the csv module): cells and seconds."""
    cells = 0
    started = time.perf_counter()
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
    return cells, time.perf_counter() - started


class PeakMemory:
    """Polls the resident memory of a process and all its children every 50 ms."""

    def __init__(self, process: psutil.Process) -> None:
        self.process = process
        self.peak = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        while not self.stop.is_set():
            try:
                tree = [self.process, *self.process.children(recursive=True)]
                total = sum(p.memory_info().rss for p in tree if p.is_running())
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            self.stop.wait(0.05)

    def finish(self) -> float:
        self.stop.set()
        self.thread.join()
        return self.peak / 2**20


def run_ybt(args: list[str], name: str, cells: int = 0) -> Step:
    started = time.perf_counter()
    process = subprocess.Popen(
        [*YBT, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    memory = PeakMemory(psutil.Process(process.pid))
    _, errors = process.communicate()
    seconds = time.perf_counter() - started
    peak = memory.finish()
    note = "" if process.returncode in (0, 1) else f"exit {process.returncode}: {errors[-200:]}"
    return Step(name, seconds, cells, peak, note)


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
    parser.add_argument("--counties", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args(argv)
    corpus = options.out / "corpus"
    folders = generate(options.counties, corpus)
    files = sorted(p for f in folders for p in (f / "county").rglob("*") if p.is_file())
    cells, bare_seconds = count_cells_bare(files)
    results = Results(machine(), options.counties, len(files), cells)
    results.steps.append(Step("bare decode (python-calamine)", bare_seconds, cells))
    workspace = options.out / "workspace"
    shutil.rmtree(workspace, ignore_errors=True)
    subprocess.run([*YBT, "init", str(workspace)], check=True, capture_output=True)
    os.environ["YBT_WORKERS"] = str(options.workers)
    county_dirs = [str(f / "county") for f in folders]
    results.steps.append(
        run_ybt(["ingest", *county_dirs, "-w", str(workspace), "--json"], "ybt ingest", cells)
    )
    results.steps.append(
        run_ybt(
            ["ingest", *county_dirs, "-w", str(workspace), "--json"],
            "ybt ingest (unchanged, again)",
            cells,
        )
    )
    exported = options.out / "exported"
    shutil.rmtree(exported, ignore_errors=True)
    results.steps.append(
        run_ybt(["export", "-w", str(workspace), "--out", str(exported)], "ybt export")
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
    report(results, options.out)
    return 0


def report(results: Results, out: Path) -> None:
    bare = results.steps[0].cells_per_second
    print(f"机器：{results.machine}")
    print(
        f"语料：{results.counties} 个示例县，{results.files} 个文件，{results.cells:,} 个非空单元格"
    )
    print(f"{'步骤':<34}{'秒':>9}{'单元格/秒':>14}{'峰值内存MB':>12}{'对引擎':>9}")
    for step in results.steps:
        ratio = f"{step.cells_per_second / bare:.3f}" if step.cells and bare else ""
        rate = f"{step.cells_per_second:,.0f}" if step.cells else ""
        print(
            f"{step.name:<34}{step.seconds:>9.2f}{rate:>14}{step.peak_mb:>12.0f}{ratio:>9}"
            + (f"  {step.note}" if step.note else "")
        )
    out.mkdir(parents=True, exist_ok=True)
    document = asdict(results)
    for item, step in zip(document["steps"], results.steps, strict=True):
        item["cells_per_second"] = round(step.cells_per_second)
    (out / "results.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8"
    )


if __name__ == "__main__":
    raise SystemExit(main())

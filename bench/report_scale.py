"""Timing `ybt report` on a workspace of at least 5 million observations (issue 8).

Builds the sample county once (init_workspace + ingest_paths, workers=2), then multiplies it
inside DuckDB until the workspace holds ≥ 5,000,000 observations, and times the whole
`python -m yibiaotong report --workspace … --out …` command (default formats: terminal + HTML)
as a subprocess, three times; prints the median, the observation count and a phase profile,
and writes everything as JSON.

    .venv/bin/python bench/report_scale.py [--copies N] [--out DIR] [--runs 3] [--rebuild]

How the county is multiplied. Copy k (1 … N−1; the ingested county is copy 0) is another
township submitting the same forms about its own people:
  - files, forms, form_columns, form_rows, observations and findings are copied with new ids
    (file_id, form_id and finding_id shifted by k × (largest id)); each copied file gets a new
    sha256 (sha256 of "<old sha>:k") and name ("<stem>-副本k<ext>", also in findings'
    locations and conflicts' file names), so every copy is a distinct submission. Form keys are
    kept: the same 106 forms, each with N instances (periods).
  - every entity gets a new id per copy ("<kind letter>" + md5("<old id>:k")[:14]), so the
    copies' persons, households, houses, grids … are distinct entities and every ledger grows
    N-fold; row_entities, ledger_values and conflicts are copied with those ids.
  - the values that identify people and places are rewritten per copy, in observations, ledger
    values, conflicts and entity keys alike: ID numbers (every element of type id_number) get
    their six region digits shifted by 7k and a recomputed GB 11643 check digit; addresses
    (type address) and the text keys of households, houses, grids, villages and organisations
    get a letter tag prefix ("Xab…"); the tag has no digits, so normalise_address(tag + a) ==
    tag + normalise_address(a) and matching by address behaves in each copy as in the county.
    Credit codes and area codes are left as written.
The ledger tables are copied rather than recomputed with yibiaotong.resolve.rebuild_ledgers:
resolution is row-level Python (union-find over every row's keys) and would take many minutes
and gigabytes at this size, it is not what this benchmark measures, and copying keeps each
copy's entities exactly as resolution made them for the county. The copied sequences are not
advanced: the scaled workspace is for reading (report, export), not for further ingests.

The phase profile runs the report's steps in one child process with perf_counter around each
(imports, schema load, building the report, HTML, terminal) and cProfile cumulative times of
the functions in yibiaotong/report/ while the report is built. With --pyinstrument (needs
`pip install pyinstrument` in .venv) it also saves a pyinstrument text profile of one run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
COUNTY = ROOT / "sample_forms" / "county"
TARGET_OBSERVATIONS = 5_000_000
# Text keys of entities (resolve.ENTITY_KEYS) that get the copy's tag; codes with check digits
# (uscc, admin_code) are left as written.
TAGGED_KEYS = (
    "household_no",
    "house_code",
    "grid_code",
    "grid_name",
    "village",
    "org_name",
    "social_org_reg_no",
    "social_org_name",
    "party_org_name",
)
_ID_WEIGHTS = "[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]"

# The macros that rewrite a value of copy k; `kind` is 'id', 'tag' or NULL (kept).
_MACROS = f"""
CREATE OR REPLACE TEMP MACRO copy_tag(k) AS 'X' || chr(97 + k // 26) || chr(97 + k % 26);
CREATE OR REPLACE TEMP MACRO id_body(v, k) AS
    lpad(((substr(v, 1, 6)::INTEGER + 7 * k) % 1000000)::VARCHAR, 6, '0') || substr(v, 7, 11);
CREATE OR REPLACE TEMP MACRO id_check(body) AS substr('10X98765432',
    list_sum(list_transform(range(17),
        lambda i: substr(body, i + 1, 1)::INTEGER * {_ID_WEIGHTS}[i + 1]))::BIGINT % 11 + 1, 1);
CREATE OR REPLACE TEMP MACRO new_id(v, k) AS
    CASE WHEN regexp_full_match(v, '[0-9]{{17}}[0-9X]')
         THEN id_body(v, k) || id_check(id_body(v, k)) ELSE v END;
CREATE OR REPLACE TEMP MACRO rewrite(v, kind, k) AS
    CASE WHEN v IS NULL OR kind IS NULL THEN v
         WHEN kind = 'id' THEN new_id(v, k)
         ELSE copy_tag(k) || v END;
CREATE OR REPLACE TEMP MACRO new_entity(e, k) AS
    substr(e, 1, 1) || substr(md5(e || ':' || k::VARCHAR), 1, 14);
CREATE OR REPLACE TEMP MACRO new_sha(s, k) AS sha256(s || ':' || k::VARCHAR);
CREATE OR REPLACE TEMP MACRO new_name(n, k) AS
    CASE WHEN contains(n, '.')
         THEN regexp_replace(n, '\\.([^.]*)$', '-副本' || k::VARCHAR || '.\\1')
         ELSE n || '-副本' || k::VARCHAR END;
"""


def _copy_sql() -> list[str]:
    """One INSERT … SELECT per table, over copies k in `copy_numbers`; SELECT * REPLACE keeps
    any column added later."""

    def insert(table: str, select: str) -> str:
        return f"INSERT INTO {table} {select}"

    return [
        insert(
            "files",
            "SELECT f.* REPLACE (f.file_id + c.k * m.files AS file_id, new_sha(f.sha256, c.k) "
            "AS sha256, new_name(f.path, c.k) AS path, new_name(f.name, c.k) AS name) "
            "FROM base_files f, copy_numbers c, strides m",
        ),
        insert(
            "forms",
            "SELECT f.* REPLACE (f.form_id + c.k * m.forms AS form_id, f.file_id + c.k * m.files "
            "AS file_id) FROM base_forms f, copy_numbers c, strides m",
        ),
        insert(
            "form_columns",
            "SELECT f.* REPLACE (f.form_id + c.k * m.forms AS form_id) "
            "FROM base_form_columns f, copy_numbers c, strides m",
        ),
        insert(
            "form_rows",
            "SELECT f.* REPLACE (f.form_id + c.k * m.forms AS form_id) "
            "FROM base_form_rows f, copy_numbers c, strides m",
        ),
        insert(
            "observations",
            "SELECT o.* REPLACE (o.form_id + c.k * m.forms AS form_id, "
            "rewrite(o.value, t.kind, c.k) AS value, "
            "CASE WHEN t.kind = 'id' AND o.raw = o.value THEN rewrite(o.value, t.kind, c.k) "
            "WHEN t.kind = 'tag' THEN rewrite(o.raw, t.kind, c.k) ELSE o.raw END AS raw) "
            "FROM base_observations o LEFT JOIN rewrites t USING (element_id), "
            "copy_numbers c, strides m",
        ),
        insert(
            "findings",
            "SELECT f.* REPLACE (f.finding_id + c.k * m.findings AS finding_id, "
            "f.file_id + c.k * m.files AS file_id, f.form_id + c.k * m.forms AS form_id, "
            "new_name(f.file_name, c.k) AS file_name, "
            "new_name(f.file_name, c.k) || substr(f.location, length(f.file_name) + 1) "
            "AS location) FROM base_findings f, copy_numbers c, strides m",
        ),
        insert(
            "entities",
            "SELECT e.* REPLACE (new_entity(e.entity_id, c.k) AS entity_id, "
            "CASE WHEN e.key_kind = 'row' THEN new_sha(split_part(e.key_value, ':', 1), c.k) "
            "|| substr(e.key_value, strpos(e.key_value, ':')) "
            "ELSE rewrite(e.key_value, t.kind, c.k) END AS key_value) "
            "FROM base_entities e LEFT JOIN rewrites t ON t.element_id = e.key_kind, "
            "copy_numbers c",
        ),
        insert(
            "row_entities",
            "SELECT r.* REPLACE (r.form_id + c.k * m.forms AS form_id, "
            "new_entity(r.entity_id, c.k) AS entity_id) "
            "FROM base_row_entities r, copy_numbers c, strides m",
        ),
        insert(
            "ledger_values",
            "SELECT v.* REPLACE (new_entity(v.entity_id, c.k) AS entity_id, "
            "rewrite(v.value, t.kind, c.k) AS value, v.form_id + c.k * m.forms AS form_id) "
            "FROM base_ledger_values v LEFT JOIN rewrites t USING (element_id), "
            "copy_numbers c, strides m",
        ),
        insert(
            "conflicts",
            "SELECT v.* REPLACE (new_entity(v.entity_id, c.k) AS entity_id, "
            "rewrite(v.value, t.kind, c.k) AS value, rewrite(v.compare, t.kind, c.k) AS compare, "
            "v.form_id + c.k * m.forms AS form_id, new_name(v.file_name, c.k) AS file_name) "
            "FROM base_conflicts v LEFT JOIN rewrites t USING (element_id), "
            "copy_numbers c, strides m",
        ),
    ]


COPIED = (
    "files",
    "forms",
    "form_columns",
    "form_rows",
    "observations",
    "findings",
    "entities",
    "row_entities",
    "ledger_values",
    "conflicts",
)


def build_county(workspace: Path) -> float:
    """The sample county ingested into a new workspace; seconds taken."""
    from yibiaotong.ingest import ingest_paths
    from yibiaotong.settings import load_settings
    from yibiaotong.storage import init_workspace

    started = time.perf_counter()
    folder = init_workspace(workspace, county="青山旗")
    ingest_paths([COUNTY], load_settings({"workspace": folder, "workers": 2}, environ={}))
    return time.perf_counter() - started


def multiply(workspace: Path, copies: int) -> dict[str, int]:
    """Copies 1 … copies−1 of the ingested county, in one transaction; table → row count."""
    from yibiaotong.schema import load_schema
    from yibiaotong.settings import load_settings
    from yibiaotong.storage import Store

    settings = load_settings({"workspace": workspace}, environ={})
    schema = load_schema(settings.schema_extensions)
    rewrites = [(e.id, "id") for e in schema.elements.values() if e.type == "id_number"]
    rewrites += [(e.id, "tag") for e in schema.elements.values() if e.type == "address"]
    rewrites += [(key, "tag") for key in TAGGED_KEYS if key in schema.elements]
    with Store.open(settings.database) as store:
        db = store.connection
        db.execute(_MACROS)
        db.execute("BEGIN TRANSACTION")
        db.execute("CREATE TEMP TABLE rewrites (element_id VARCHAR, kind VARCHAR)")
        db.executemany("INSERT INTO rewrites VALUES (?, ?)", rewrites)
        db.execute(
            "CREATE TEMP TABLE copy_numbers AS SELECT range::INTEGER AS k FROM range(1, ?)",
            [copies],
        )
        db.execute(
            "CREATE TEMP TABLE strides AS SELECT (SELECT max(file_id) FROM files) AS files, "
            "(SELECT max(form_id) FROM forms) AS forms, "
            "(SELECT max(finding_id) FROM findings) AS findings"
        )
        for table in COPIED:
            db.execute(f"CREATE TEMP TABLE base_{table} AS SELECT * FROM {table}")
        for statement in _copy_sql():
            db.execute(statement)
        db.execute("COMMIT")
        db.execute("CHECKPOINT")
        return {
            table: int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
            for table in COPIED
        }


def copies_needed(observations: int) -> int:
    return max(1, math.ceil(TARGET_OBSERVATIONS / observations))


def county_observations(workspace: Path) -> int:
    from yibiaotong.settings import load_settings
    from yibiaotong.storage import Store

    settings = load_settings({"workspace": workspace}, environ={})
    with Store.open(settings.database, read_only=True) as store:
        return int(store.scalar("SELECT count(*) FROM observations"))


def time_report(workspace: Path, out: Path, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of the whole `ybt report` command (default
    formats), `runs` times. CPU time tells more than wall time on a machine others load."""
    command = [sys.executable, "-m", "yibiaotong", "report", "--workspace", str(workspace)]
    command += ["--out", str(out / "reports")]
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        wall.append(round(time.perf_counter() - started, 3))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        cpu.append(round(used, 3))
    return wall, cpu


_PHASES = r"""
import cProfile, io, json, pstats, sys, time
from pathlib import Path
started = time.perf_counter()
marks = {}
import yibiaotong.cli  # the CLI's own start-up: typer, rich, the message catalogue
marks["import CLI"] = time.perf_counter()
from yibiaotong.report.output import make_report, write_report
from yibiaotong.report.render_terminal import render_terminal
from yibiaotong.schema import load_schema
from yibiaotong.settings import load_settings
from yibiaotong.storage import Store
marks["import report"] = time.perf_counter()
settings = load_settings({"workspace": Path(sys.argv[1])})
schema = load_schema(settings.schema_extensions)
marks["load schema"] = time.perf_counter()
profile = cProfile.Profile()
with Store.open(settings.database, read_only=True) as store:
    profile.enable()
    report = make_report(store, schema, settings)
    profile.disable()
marks["build report"] = time.perf_counter()
write_report(report, ["html"], Path(sys.argv[2]))
marks["write HTML"] = time.perf_counter()
from rich.console import Console
render_terminal(report, Console(file=io.StringIO(), width=80))
marks["terminal"] = time.perf_counter()
phases, last = {}, started
for name, mark in marks.items():
    phases[name] = round(mark - last, 3)
    last = mark
stats = pstats.Stats(profile)
steps = {}
for (path, line, function), (_, _, _, cumulative, _) in stats.stats.items():
    if "yibiaotong/report/" in path.replace("\\", "/") and cumulative >= 0.01:
        steps[f"{Path(path).stem}.{function}"] = round(cumulative, 3)
steps = dict(sorted(steps.items(), key=lambda kv: -kv[1]))
print(json.dumps({"phases": phases, "build_steps": steps}))
"""


def phase_profile(workspace: Path, out: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", _PHASES, str(workspace), str(out / "reports")],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def pyinstrument_profile(workspace: Path, out: Path) -> Path:
    target = out / "report-pyinstrument.txt"
    subprocess.run(
        [
            *(sys.executable, "-m", "pyinstrument", "-r", "text", "-o", str(target), "-m"),
            *("yibiaotong", "report", "--workspace", str(workspace), "--out", str(out / "reports")),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return target


def prepare(out: Path, copies: int | None, rebuild: bool) -> tuple[Path, dict[str, Any]]:
    """The scaled workspace under ``out``, reused when it was built with the same copies."""
    workspace = out / "workspace"
    marker = out / "workspace.json"
    if not rebuild and marker.exists() and workspace.exists():
        built = json.loads(marker.read_text(encoding="utf-8"))
        if copies is None or built["copies"] == copies:
            return workspace, built
    shutil.rmtree(workspace, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    ingest_seconds = build_county(workspace)
    base = county_observations(workspace)
    chosen = copies or copies_needed(base)
    started = time.perf_counter()
    counts = multiply(workspace, chosen)
    built = {
        "copies": chosen,
        "county_observations": base,
        "ingest_seconds": round(ingest_seconds, 1),
        "multiply_seconds": round(time.perf_counter() - started, 1),
        "rows": counts,
    }
    marker.write_text(json.dumps(built, ensure_ascii=False, indent=2), encoding="utf-8")
    return workspace, built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--copies", type=int, help="copies of the county, the ingested one included"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "report_scale")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="build the workspace again")
    parser.add_argument("--pyinstrument", action="store_true", help="also save a pyinstrument run")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    workspace, built = prepare(out, args.copies, args.rebuild)
    load = os.getloadavg()[0]
    runs, cpu = time_report(workspace, out, args.runs)
    profile = phase_profile(workspace, out)
    results: dict[str, Any] = {
        "observations": built["rows"]["observations"],
        "copies": built["copies"],
        "runs_seconds": runs,
        "median_seconds": statistics.median(runs),
        "runs_cpu_seconds": cpu,
        "median_cpu_seconds": statistics.median(cpu),
        "load_average_before": round(load, 2),
        "cpus": os.cpu_count(),
        "workspace": built,
        **profile,
    }
    if args.pyinstrument:
        results["pyinstrument"] = str(pyinstrument_profile(workspace, out))
    (out / "report_scale.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    _print_table(results)


def _print_table(results: dict[str, Any]) -> None:
    rows = [
        ("observations", f"{results['observations']:,}"),
        ("copies of the county", str(results["copies"])),
        ("ybt report runs (s)", ", ".join(f"{s:.2f}" for s in results["runs_seconds"])),
        ("ybt report median (s)", f"{results['median_seconds']:.2f}"),
        ("ybt report median CPU (s)", f"{results['median_cpu_seconds']:.2f}"),
        ("load average / CPUs", f"{results['load_average_before']:.1f} / {results['cpus']}"),
    ]
    rows += [(f"  phase: {name}", f"{seconds:.3f}") for name, seconds in results["phases"].items()]
    rows += [
        (f"  build: {name}", f"{seconds:.3f}")
        for name, seconds in list(results["build_steps"].items())[:12]
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value:>12}")


if __name__ == "__main__":
    main()

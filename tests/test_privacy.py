"""Nothing personal in what ybt prints: no full ID number or mobile number of anyone in the sample
county appears in the output of ingest, findings, ledger, conflicts or doctor (text or --json).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from stdnum.cn import ric

from yibiaotong.schema import load_schema
from yibiaotong.storage import Store, init_workspace

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
COUNTY = ROOT / "sample_forms" / "county"

ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
# Run the CLI as a script would, with a wide terminal so no value is folded over two lines.
RUNNER = "import sys, yibiaotong.cli.doctor_commands; from yibiaotong.cli import main; main()"


def ybt(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUNNER, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "400", "YBT_WORKSPACE_KEY": ""},
        timeout=300,
    )


@pytest.fixture(scope="module")
def county_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every command's output (stdout and stderr) on a workspace holding the sample county."""
    workspace = init_workspace(tmp_path_factory.mktemp("privacy") / "ws", county="青山旗")
    w = ("-w", str(workspace))
    runs = {"ingest": ybt("ingest", str(COUNTY), *w)}
    readers = {
        "ingest --json": ("ingest", str(COUNTY), "--json"),  # all unchanged now
        "findings": ("findings", "--limit", "1000"),
        "findings --json": ("findings", "--json"),
        "conflicts": ("conflicts",),
        "conflicts --json": ("conflicts", "--json"),
        "doctor": ("doctor",),
        "ledger rows": ("ledger", "rows"),
    }
    for ledger in ("person", "household", "bank_account"):
        readers[f"ledger show {ledger}"] = ("ledger", "show", ledger, "--limit", "500")
        readers[f"ledger show {ledger} --json"] = (*readers[f"ledger show {ledger}"], "--json")
    with ThreadPoolExecutor(max_workers=4) as pool:  # readers side by side, as in an office
        done = {name: pool.submit(ybt, *args, *w) for name, args in readers.items()}
        runs.update({name: future.result() for name, future in done.items()})
    outputs = {name: run.stdout + run.stderr for name, run in runs.items()}
    outputs["__county__"] = _county_values(workspace)
    return outputs


def _county_values(workspace: Path) -> str:
    """The county's personal numbers: values of person ID and personal phone columns, values of
    unmapped columns, and any 18-character text that is a valid ID number wherever it stands
    (an organisation's 18-character credit code is not personal)."""
    schema = load_schema(())
    personal = [
        element.id
        for element in schema.elements.values()
        if element.type in {"id_number", "phone"}
        and element.sensitivity in {"personal", "sensitive"}
    ]
    with Store.open(workspace / "ybt.duckdb", read_only=True) as store:
        raws = store.frame(
            "SELECT DISTINCT raw, element_id IS NULL OR list_contains(?, element_id) AS personal "
            "FROM observations WHERE raw IS NOT NULL",
            [personal],
        )
    values = [raw for raw, is_personal in raws.iter_rows() if is_personal]
    values += [
        found
        for raw in raws["raw"].to_list()
        for found in ID_NUMBER.findall(raw)
        if ric.calc_check_digit(found[:17]) == found[17].upper()
    ]
    return "\n".join(values)


def test_the_commands_ran(county_outputs: dict[str, str]) -> None:
    assert "城乡低保对象花名册" in county_outputs["ingest"]
    assert "Traceback" not in "".join(county_outputs.values())
    for name, output in county_outputs.items():
        assert output.strip(), name


@pytest.mark.parametrize(("kind", "pattern"), [("ID number", ID_NUMBER), ("mobile", MOBILE)])
def test_no_full_id_or_mobile_in_any_output(
    county_outputs: dict[str, str], kind: str, pattern: re.Pattern[str]
) -> None:
    county = {value.upper() for value in pattern.findall(county_outputs["__county__"])}
    assert len(county) > 100, f"the sample county should hold many {kind}s"
    leaks = {
        name: sorted({v.upper() for v in pattern.findall(output)} & county)[:3]
        for name, output in county_outputs.items()
        if name != "__county__"
    }
    assert {name: found for name, found in leaks.items() if found} == {}


def test_each_workspace_has_its_own_pseudonym_key(tmp_path: Path) -> None:
    keys = []
    for name in ("a", "b"):
        folder = init_workspace(tmp_path / name)
        with Store.open(folder / "ybt.duckdb") as store:
            first = store.pseudonym_key()
        with Store.open(folder / "ybt.duckdb", read_only=True) as store:
            assert store.pseudonym_key() == first  # stable: entity ids stay the same
        keys.append(first)
    assert len(keys[0]) == 32
    assert keys[0] != keys[1]

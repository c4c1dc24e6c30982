"""The real `ybt` commands: Chinese help, exit codes, one-line errors, --json equals the library."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import COUNTY, ROOT
from yibiaotong import __version__
from yibiaotong.cli import app, main
from yibiaotong.review import list_findings
from yibiaotong.review_samples import review_columns
from yibiaotong.schema import load_schema
from yibiaotong.settings import load_settings
from yibiaotong.storage import Store, init_workspace

HAN = re.compile(r"[\u4e00-\u9fff]")
SOME_FORMS = [COUNTY / "民政局" / "城乡低保对象花名册.xlsx", COUNTY / "残联"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yibiaotong", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def commands() -> list[str]:
    names = [c.name for c in app.registered_commands if c.name]
    return names + [g.name for g in app.registered_groups if g.name]


def test_version() -> None:
    result = run("--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"ybt {__version__}")


@pytest.mark.parametrize("command", [[], *[[name] for name in commands()]], ids=str)
def test_help_is_chinese(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=100)
    assert result.exit_code == 0
    text = result.output
    assert "用法：" in text
    assert "显示本帮助并退出" in text
    assert "Show this message" not in text
    assert "Usage:" not in text


def test_every_command_is_documented_and_helped() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in commands():
        assert f"ybt {name}" in readme, name
    for command in app.registered_commands:
        assert HAN.search(command.help or ""), command.name


def test_unknown_command_is_a_usage_error() -> None:
    result = run("nosuch")
    assert result.returncode == 2
    assert "用法错误" in result.stderr
    assert "Traceback" not in result.stderr


def test_errors_are_one_chinese_line(tmp_path: Path) -> None:
    result = run("ledger", "show", "person", "-w", str(tmp_path / "nowhere"))
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1
    assert HAN.search(result.stderr)
    assert "Traceback" not in result.stderr
    with_debug = run("--debug", "ingest", str(tmp_path / "missing.xlsx"), "-w", str(tmp_path))
    assert with_debug.returncode != 0


@pytest.fixture(scope="module")
def small_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return init_workspace(tmp_path_factory.mktemp("cli") / "ws")


def test_ingest_json_and_exit_codes(small_workspace: Path) -> None:
    first = run("ingest", *map(str, SOME_FORMS), "-w", str(small_workspace), "--json")
    document = json.loads(first.stdout)
    assert first.returncode == 1  # the county plants errors: something needs attention
    assert document["totals"]["files"] == len(document["files"]) >= 5
    assert {f["status"] for f in document["files"]} == {"stored"}
    again = run("ingest", *map(str, SOME_FORMS), "-w", str(small_workspace), "--json")
    assert again.returncode == 0
    assert {f["status"] for f in json.loads(again.stdout)["files"]} == {"unchanged"}


def test_json_equals_the_library(small_workspace: Path) -> None:
    settings = load_settings({"workspace": small_workspace}, environ={})
    schema = load_schema()
    with Store.open(settings.database, read_only=True) as store:
        columns = review_columns(store, schema, include_all=True)
        findings = list_findings(store, schema)
    cli_columns = json.loads(run("fields", "--all", "--json", "-w", str(small_workspace)).stdout)
    cli_findings = json.loads(run("findings", "--json", "-w", str(small_workspace)).stdout)
    assert cli_columns == json.loads(json.dumps(columns, ensure_ascii=False, default=str))
    assert cli_findings == json.loads(json.dumps(findings, ensure_ascii=False, default=str))
    assert any(f["code"] == "id-checksum" for f in cli_findings)
    # Personal values are masked wherever they are shown.
    for finding in cli_findings:
        if finding["element_id"] == "id_number" and finding["raw"]:
            assert "*" in finding["raw"]


def test_main_entry_point_exit_code(small_workspace: Path) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["ledger", "-w", str(small_workspace), "--json"])
    assert stop.value.code == 0


def test_demo_ends_with_the_report(tmp_path: Path) -> None:
    result = run("demo", "--dir", str(tmp_path / "demo"))
    assert result.returncode == 0, result.stderr
    assert "报表精简率" in result.stdout
    html = next((tmp_path / "demo" / "reports").glob("*.html"))
    assert html.name in result.stdout.replace("\n", "")
    exported = list((tmp_path / "demo" / "生成的报表").rglob("*.xlsx"))
    assert len(exported) >= 60
    again = run("demo", "--dir", str(tmp_path / "demo"))  # re-runnable: a fresh workspace
    assert again.returncode == 0
    not_demo = tmp_path / "mine"
    (not_demo / "keep.txt").parent.mkdir()
    (not_demo / "keep.txt").write_text("x", encoding="utf-8")
    refused = run("demo", "--dir", str(not_demo))
    assert refused.returncode == 2
    assert (not_demo / "keep.txt").exists()

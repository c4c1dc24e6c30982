"""The DuckDB workspace: creation, permissions, transactions, locking."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from yibiaotong.errors import WorkspaceError
from yibiaotong.settings import DATABASE_NAME
from yibiaotong.storage import Decision, Store, init_workspace


def test_init_creates_private_workspace(tmp_path: Path) -> None:
    folder = init_workspace(tmp_path / "ws", county="青山旗")
    assert (folder / "ybt.toml").read_text(encoding="utf-8").count("青山旗") == 1
    mode = stat.S_IMODE(os.stat(folder / DATABASE_NAME).st_mode)
    assert mode == 0o600
    with pytest.raises(WorkspaceError):
        init_workspace(folder)


def test_transaction_rolls_back_everything(tmp_path: Path) -> None:
    folder = init_workspace(tmp_path / "ws")
    with Store.open(folder / DATABASE_NAME) as store:

        def half_stored() -> None:
            with store.transaction():
                (file_id,) = store.reserve_ids("seq_file", 1)
                store.insert_file(file_id, "abc", Path("x.xlsx"), "xlsx", None, 10)
                store.append("form_rows", pl.DataFrame({"form_id": [1], "row_no": [5]}))
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            half_stored()
        assert store.scalar("SELECT count(*) FROM files") == 0
        assert store.scalar("SELECT count(*) FROM form_rows") == 0


def test_decisions_round_trip(tmp_path: Path) -> None:
    folder = init_workspace(tmp_path / "ws")
    with Store.open(folder / DATABASE_NAME) as store:
        store.save_decision(Decision("*", "联系方式(手机)", "phone"))
        store.save_decision(Decision("*", "联系方式(手机)", "other_phone"))
        assert store.decisions() == [Decision("*", "联系方式(手机)", "other_phone", "user")]


def test_second_writer_gets_clear_message(tmp_path: Path) -> None:
    folder = init_workspace(tmp_path / "ws")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); "
            "print('ok', flush=True); time.sleep(30)",
            str(folder / DATABASE_NAME),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ok"
        with (
            pytest.raises(WorkspaceError, match="另一个 ybt 进程"),
            Store.open(folder / DATABASE_NAME),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()

"""The demo: a fresh workspace over the bundled sample county."""

from __future__ import annotations

import shutil
from pathlib import Path

from yibiaotong.errors import UsageError
from yibiaotong.messages import msg
from yibiaotong.storage import init_workspace

DEMO_MARKER = ".ybt-demo"


def sample_county() -> Path:
    """The bundled sample county (present in a source checkout)."""
    county = Path(__file__).resolve().parents[1] / "sample_forms" / "county"
    if not county.is_dir():
        raise UsageError(msg("demo.no_sample"))
    return county


def run_demo(folder: Path) -> tuple[Path, Path]:
    """(Re)create the demo workspace in ``folder``; return it and the sample county folder."""
    county = sample_county()
    folder = folder.resolve()
    if folder.exists() and any(folder.iterdir()):
        if not (folder / DEMO_MARKER).exists():
            raise UsageError(msg("demo.not_demo_folder"), str(folder))
        shutil.rmtree(folder)
    init_workspace(folder, county="青山旗")
    (folder / DEMO_MARKER).write_text("ybt demo workspace\n", encoding="utf-8")
    return folder, county

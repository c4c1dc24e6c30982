"""Regenerate the sample county 青山旗: sample_forms/county/ and sample_forms/manifest.json.

Deterministic: a fixed seed and no clock, so every run writes byte-identical files.
Usage: .venv/bin/python sample_forms/generate.py [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen.build import build_county  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成样例旗县（青山旗）的部门报表与清单")
    parser.add_argument("--out", type=Path, default=HERE, help="输出目录（默认 sample_forms/）")
    options = parser.parse_args(argv)
    options.out.mkdir(parents=True, exist_ok=True)
    manifest = build_county(options.out)
    forms = manifest["forms"]
    assert isinstance(forms, list)
    print(f"已生成 {len(forms)} 张报表 → {options.out / 'county'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

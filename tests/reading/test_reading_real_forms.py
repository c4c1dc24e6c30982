"""Real spreadsheets from public repositories (../shared/real_forms): each reads or is refused
with FileReadError. Skipped where the folder is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from yibiaotong.errors import FileReadError
from yibiaotong.reading import read_workbook

REAL_FORMS = Path(__file__).resolve().parents[3] / "shared" / "real_forms"
FILES = (
    sorted(path for path in REAL_FORMS.iterdir() if path.suffix != ".md")
    if REAL_FORMS.is_dir()
    else []
)


@pytest.mark.skipif(not FILES, reason="../shared/real_forms is not beside the repository")
@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_real_file_reads_or_fails_cleanly(path: Path) -> None:
    try:
        workbook = read_workbook(path)
    except FileReadError as error:
        failure = error
    else:
        failure = None
    if failure is not None:
        assert failure.location == path.name
        return
    assert workbook.sheets
    for sheet in workbook.sheets:
        assert all(len(row) == sheet.width for row in sheet.rows)
        assert all(
            block.last_row < sheet.height and block.last_column < sheet.width
            for block in sheet.merged
        )


@pytest.mark.skipif(not FILES, reason="../shared/real_forms is not beside the repository")
def test_real_gbk_csv_and_codes_stay_text() -> None:
    gbk = read_workbook(REAL_FORMS / "shrek_data_gbk.csv")
    assert gbk.encoding == "gb18030"
    assert gbk.sheets[0].rows[1] == ["公允价值变动损益", "2042"]
    areas = read_workbook(REAL_FORMS / "mod_areas.csv").sheets[0]
    assert areas.rows[1][:2] == ["110101", "东城区"]


@pytest.mark.skipif(not FILES, reason="../shared/real_forms is not beside the repository")
def test_real_xls_roster_title_merge_and_header() -> None:
    sheet = read_workbook(REAL_FORMS / "cms_正式党员名单.xls").sheets[0]
    assert sheet.rows[0][0] == "机械学院2016—2017学年度第1学期正式党员报表"
    assert sheet.merged[0].first_row == 0
    assert sheet.merged[0].first_column == 0
    assert "身份证号码" in sheet.rows[1]

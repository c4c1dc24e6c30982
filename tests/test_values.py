"""Value normalisation and validation: every element type, Excel quirks, masks, properties."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Sequence

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from yibiaotong.errors import SchemaError
from yibiaotong.model import CellValue
from yibiaotong.schema import CodeEntry, CodeList
from yibiaotong.values import (
    ELEMENT_TYPES,
    FINDING_CODES,
    MASK_STYLES,
    SEVERITY,
    ColumnRules,
    cell_text,
    excel_serial_to_date,
    finding_title,
    id_birth_date,
    id_checksum_ok,
    id_sex,
    mask_value,
    normalise_column,
    normalise_text,
    upgrade_legacy_id,
    uscc_check_character,
)
from yibiaotong.values.id_card import WEIGHTS, check_character

SEX = CodeList(
    id="sex",
    name="性别",
    standard="GB/T 2261.1-2003",
    entries=(
        CodeEntry("0", "未知的性别", ("未知",)),
        CodeEntry("1", "男", ("男性",)),
        CodeEntry("2", "女", ("女性",)),
        CodeEntry("9", "未说明的性别", ()),
    ),
)
RULES = {
    kind: ColumnRules(kind, code_list=SEX if kind == "code" else None) for kind in ELEMENT_TYPES
}


def one(value: CellValue, rules: ColumnRules | str) -> dict[str, str | None]:
    """The result row of a single cell."""
    if isinstance(rules, str):
        rules = RULES[rules]
    row: dict[str, str | None] = normalise_column([value], rules).row(0, named=True)
    return row


def make_id(area: str = "110105", birth: str = "19491231", sequence: str = "002") -> str:
    base = area + birth + sequence
    return base + check_character(base)


def make_uscc(base: str) -> str:
    return base + uscc_check_character(base)


# --- the result frame -------------------------------------------------------------------------


def test_result_has_one_row_per_cell_in_order_with_agreed_columns() -> None:
    values: list[CellValue] = ["13800138000", None, "  ", "不详", 13900139000.0]
    result = normalise_column(values, RULES["phone"])
    assert result.columns == ["raw", "value", "code", "detail", "severity"]
    assert all(dtype == pl.String for dtype in result.dtypes)
    assert result["raw"].to_list() == ["13800138000", None, None, "不详", "13900139000"]
    assert result["value"].to_list() == ["13800138000", None, None, "不详", "13900139000"]
    assert result["code"].to_list() == [None, None, None, "phone-format", None]
    assert result["severity"].to_list() == [None, None, None, "warning", None]


def test_accepts_a_polars_series_and_an_empty_column() -> None:
    series = pl.Series(["2024/5/1", None])
    assert normalise_column(series, RULES["date"])["value"].to_list() == ["2024-05-01", None]
    assert normalise_column(pl.Series([45413.0]), RULES["date"])["value"].to_list() == [
        "2024-05-01"
    ]
    assert normalise_column([], RULES["id_number"]).height == 0


@pytest.mark.parametrize("kind", ELEMENT_TYPES)
@pytest.mark.parametrize("blank", [None, "", "   ", "\u3000", "\u200b"])
def test_blank_cells_have_no_value_and_no_finding(kind: str, blank: CellValue) -> None:
    row = one(blank, kind)
    assert row["value"] is None
    assert row["code"] is None


def test_wu_is_a_value_not_a_blank() -> None:
    assert one("无", "text")["value"] == "无"
    assert one("无", "flag")["value"] == "0"


def test_unknown_type_and_code_without_list_are_schema_errors() -> None:
    with pytest.raises(SchemaError):
        ColumnRules("colour")
    with pytest.raises(SchemaError):
        ColumnRules("code")


def test_every_finding_code_has_a_severity_and_a_title() -> None:
    for code in FINDING_CODES:
        assert SEVERITY[code] in {"error", "warning", "info"}
        assert finding_title(code)


# --- cell_text and normalise_text -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("  张三 ", "张三"),
        ("a  b", "a  b"),
        ("", None),
        (" \t\n", None),
        (None, None),
        (123, "123"),
        (13800138000.0, "13800138000"),
        (1.5, "1.5"),
        (0.1 + 0.2, "0.3"),
        (float("nan"), None),
        (-0.0, "0"),
        (1.10101e17, "110101000000000000"),
        # What Excel shows: 15 significant digits, the rest zeros.
        (110105194912310021.0, "110105194912310000"),
        (True, "TRUE"),
        (False, "FALSE"),
        (dt.date(2024, 5, 1), "2024-05-01"),
        (dt.datetime(2024, 5, 1, 8, 30), "2024-05-01 08:30:00"),
        (dt.time(8, 30), "08:30:00"),
    ],
)
def test_cell_text(value: CellValue, text: str | None) -> None:
    assert cell_text(value) == text


def test_normalise_text_folds_width_and_whitespace() -> None:
    assert normalise_text("ＡＢＣ　１２３\u200b  内蒙古\n") == "ABC 123 内蒙古"


# --- resident ID (GB 11643) -------------------------------------------------------------------


def test_check_character_follows_the_standard() -> None:
    # GB 11643 weights are 2^(17-i) mod 11; the vectorised check relies on it.
    assert all(weight == pow(2, 17 - index, 11) for index, weight in enumerate(WEIGHTS))
    # Worked example from GB 11643-1999 (appendix): 11010519491231002X.
    assert check_character("11010519491231002") == "X"
    assert id_checksum_ok("11010519491231002X")
    assert not id_checksum_ok("110105194912310021")


def test_check_character_agrees_with_stdnum_for_every_remainder() -> None:
    # stdnum's calc_check_digit is independent of its area table (which we do not use).
    rng = random.Random(11)
    bases = [f"{rng.randint(10**16, 10**17 - 1)}" for _ in range(400)]
    assert {check_character(base) for base in bases} == set("0123456789X")
    for base in bases:
        assert check_character(base) == stdnum_ric.calc_check_digit(base + "0")
    # The vectorised check agrees too: random digits fail only on their birth date, if at all.
    ids = [base + stdnum_ric.calc_check_digit(base + "0") for base in bases]
    codes = normalise_column(ids, RULES["id_number"])["code"].to_list()
    for number, code in zip(ids, codes, strict=True):
        birth = id_birth_date(number)
        plausible = birth is not None and dt.date(1900, 1, 1) <= birth <= dt.date.today()
        assert code == (None if plausible else "id-birthdate")


def test_generated_valid_ids_pass_and_altered_ones_fail() -> None:
    rng = random.Random(7)
    valid = [
        make_id(
            f"{rng.randint(110000, 659999)}",
            f"{rng.randint(1920, 2015)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
            f"{rng.randint(0, 999):03d}",
        )
        for _ in range(300)
    ]
    result = normalise_column(valid, RULES["id_number"])
    assert result["code"].null_count() == len(valid)
    assert result["value"].to_list() == valid
    altered = [number[:16] + str((int(number[16]) + 1) % 10) + number[17] for number in valid[:100]]
    codes = normalise_column(altered, RULES["id_number"])["code"].to_list()
    assert codes == ["id-checksum"] * 100


def test_retired_area_codes_are_not_rejected() -> None:
    # 412723 (河南周口 old code) is gone from GB/T 2260 but lives on in real IDs.
    assert one(make_id("412723", "19700101", "123"), "id_number")["code"] is None


def test_lower_case_x_spaces_and_full_width_are_normalisations() -> None:
    row = one("11010519491231002x", "id_number")
    assert (row["value"], row["code"]) == ("11010519491231002X", None)
    assert row["raw"] == "11010519491231002x"
    spaced = one(" 110105 19491231 002X ", "id_number")
    assert spaced["value"] == "11010519491231002X"
    full_width = one("１１０１０５１９４９１２３１００２Ｘ", "id_number")
    assert full_width["value"] == "11010519491231002X"
    assert one("110105-19491231-002X", "id_number")["value"] == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1101051949123100", "id-format"),
        ("11010519491231002Y", "id-format"),
        ("X1010519491231002X", "id-format"),
        ("身份证号", "id-format"),
        (make_id(birth="19490230"), "id-birthdate"),
        (make_id(birth="18991231"), "id-birthdate"),
        (make_id(birth="29991231"), "id-birthdate"),
    ],
)
def test_bad_ids_are_flagged_and_kept(value: str, code: str) -> None:
    row = one(value, "id_number")
    assert row["code"] == code
    assert row["severity"] == "error"
    assert row["value"] == value.upper()


def test_legacy_15_digit_id_is_upgraded_with_an_info_finding() -> None:
    assert upgrade_legacy_id("110105491231002") == "11010519491231002X"
    row = one("110105491231002", "id_number")
    assert (row["value"], row["code"], row["severity"]) == (
        "11010519491231002X",
        "id-legacy-15",
        "info",
    )
    assert one("110105490230002", "id_number")["code"] == "id-birthdate"
    with pytest.raises(ValueError, match="15-digit"):
        upgrade_legacy_id("11010549123100")


@pytest.mark.parametrize(
    "value",
    [
        1.10101e17,  # an ID typed into a number cell: Excel kept 15 digits
        110105194912310021.0,
        110105194912310021,  # int from a reader: still a number cell
        "1.10101E+17",  # the same, exported as text
        "1.10105194912310E+17",
        "110105194912310000",  # text copied from such a cell: 000 tail, check fails
    ],
)
def test_ids_stored_as_numbers_have_lost_digits(value: CellValue) -> None:
    row = one(value, "id_number")
    assert (row["code"], row["severity"], row["value"]) == ("id-precision-lost", "error", None)
    assert row["raw"] is not None


def test_a_15_digit_legacy_id_in_a_number_cell_is_exact() -> None:
    # 15 digits fit in Excel's 15 significant digits: nothing was lost.
    assert one(110105491231002.0, "id_number")["value"] == "11010519491231002X"


def test_a_valid_id_ending_in_000_as_text_is_fine() -> None:
    candidates = (make_id(birth=f"199001{day:02d}", sequence="100") for day in range(1, 29))
    number = next(number for number in candidates if number.endswith("000"))
    assert one(number, "id_number")["code"] is None


def test_id_birth_date_and_sex() -> None:
    assert id_birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert id_birth_date("110105491231002") == dt.date(1949, 12, 31)
    assert id_birth_date(make_id(birth="20230229")) is None
    assert id_birth_date("123") is None
    assert id_sex("11010519491231002X") == "2"  # sequence 002: even
    assert id_sex(make_id(sequence="001")) == "1"
    assert id_sex("110105491231001") == "1"
    assert id_sex("123") is None


# --- USCC (GB 32100) --------------------------------------------------------------------------


def test_uscc_worked_example_and_stdnum_agree() -> None:
    assert uscc_check_character("91350100M000100Y4") == "3"
    rng = random.Random(3)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(200):
        base = "91" + "".join(rng.choice("0123456789") for _ in range(6))
        base += "".join(rng.choice(alphabet) for _ in range(9))
        assert uscc_check_character(base) == stdnum_uscc.calc_check_digit(base + "0")


def test_uscc_valid_invalid_and_letter_prefixes() -> None:
    valid = make_uscc("91350100M000100Y4")
    # 农村集体经济组织 codes start with "N2": valid, though python-stdnum rejects them.
    village = make_uscc("N2150102MA0000001")
    wrong_check = valid[:17] + ("0" if valid[17] != "0" else "1")
    result = normalise_column(
        [valid, village, valid.lower(), wrong_check, "91350100M000100Y4I", "913501"],
        RULES["uscc"],
    )
    assert result["value"].to_list()[:3] == [valid, village, valid]
    assert result["code"].to_list() == [
        None,
        None,
        None,
        "uscc-checksum",
        "uscc-format",
        "uscc-format",
    ]
    assert result["value"][3] == wrong_check


# --- phones -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        (13800138000.0, "13800138000"),
        ("13800138000.0", "13800138000"),
        ("(138)0013 8000", "13800138000"),
        ("19212345678", "19212345678"),
        ("0471-6123456", "0471-6123456"),
        ("04716123456", "0471-6123456"),
        ("（0471）6123456", "0471-6123456"),
        ("010-12345678", "010-12345678"),
        ("+86 10 12345678", "010-12345678"),
        ("110", "110"),
        ("110.0", "110"),
        ("120", "120"),
        ("12345", "12345"),
        ("400-810-8888", "4008108888"),
    ],
)
def test_phone_forms(value: CellValue, expected: str) -> None:
    row = one(value, "phone")
    assert (row["value"], row["code"]) == (expected, None)


@pytest.mark.parametrize(
    ("value", "detail_hint"),
    [
        ("1380013800", "手机号"),  # 10 digits
        ("12800138000", "手机号"),  # no 12x mobile segment
        ("6123456", "区号"),
        ("13800138000/13900139000", "多个"),
        ("不详", "手机号"),
    ],
)
def test_bad_phones_are_warnings_and_kept(value: str, detail_hint: str) -> None:
    row = one(value, "phone")
    assert (row["code"], row["severity"]) == ("phone-format", "warning")
    assert row["value"] == value
    assert detail_hint in (row["detail"] or "")


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2024-05-01",
        "2024/5/1",
        "2024/05/01",
        "2024.5.1",
        "2024年5月1日",
        "2024年05月01号",
        "20240501",
        "2024-5-1 00:00:00",
        "2024/5/1 8:30",
        "２０２４－０５－０１",
        "2024 年 5 月 1 日",
        dt.date(2024, 5, 1),
        dt.datetime(2024, 5, 1, 17, 45),
        45413,
        45413.75,
        20240501.0,
    ],
)
def test_date_forms(value: CellValue) -> None:
    row = one(value, "date")
    assert (row["value"], row["code"]) == ("2024-05-01", None)


def test_excel_serials_1900_and_1904() -> None:
    assert excel_serial_to_date(1) == dt.date(1900, 1, 1)
    assert excel_serial_to_date(59) == dt.date(1900, 2, 28)
    assert excel_serial_to_date(61) == dt.date(1900, 3, 1)
    assert excel_serial_to_date(45413.9) == dt.date(2024, 5, 1)
    with pytest.raises(ValueError, match="1900-02-29"):
        excel_serial_to_date(60)
    with pytest.raises(ValueError, match="range"):
        excel_serial_to_date(0)
    assert excel_serial_to_date(0, date_1904=True) == dt.date(1904, 1, 1)
    assert excel_serial_to_date(43951, date_1904=True) == dt.date(2024, 5, 1)
    result = normalise_column([59, 60, 61], RULES["date"])
    assert result["value"].to_list() == ["1900-02-28", "60", "1900-03-01"]
    assert result["code"].to_list() == [None, "date-format", None]
    in_1904 = normalise_column([43951, 60], ColumnRules("date", date_1904=True))
    assert in_1904["value"].to_list() == ["2024-05-01", "1904-03-01"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2024-02-30", "date-format"),
        ("2023年2月29日", "date-format"),
        ("2024-13-01", "date-format"),
        ("2024", "date-format"),
        (2024, "date-format"),  # a bare year typed as a number, not serial 2024
        ("昨天", "date-format"),
        (-5, "date-format"),
        (3_000_000, "date-format"),
        ("1850-01-01", "date-range"),
        ("2999-01-01", "date-range"),
    ],
)
def test_bad_dates(value: CellValue, code: str) -> None:
    row = one(value, "date")
    assert row["code"] == code
    if code == "date-range":
        assert row["severity"] == "warning"
        assert row["value"] == cell_text(value)
    else:
        assert row["severity"] == "error"
        assert row["value"] == normalise_text(str(cell_text(value)))


@pytest.mark.parametrize(
    "value",
    [
        "2024-05",
        "2024.5",
        "2024.05",
        "2024年5月",
        "202405",
        "2024/05",
        "2024-05-17",
        "2024年5月17日",
        dt.date(2024, 5, 31),
        45413,
        202405,
        2024.05,
    ],
)
def test_year_month_forms(value: CellValue) -> None:
    row = one(value, "year_month")
    assert (row["value"], row["code"]) == ("2024-05", None)


def test_year_month_october_typed_as_a_number_is_ambiguous() -> None:
    assert one("2024.10", "year_month")["value"] == "2024-10"
    assert one("2024.1", "year_month")["value"] == "2024-01"
    typed_as_number = one(2024.1, "year_month")  # 2024.10 or 2024.1?
    assert (typed_as_number["code"], typed_as_number["value"]) == ("date-format", None)
    assert one("2024-13", "year_month")["code"] == "date-format"


# --- codes and flags --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["男", "1", 1, 1.0, "1-男", "男(1)", "男性", " 男 "])
def test_code_lookup(value: CellValue) -> None:
    assert one(value, "code")["value"] == "1"


def test_unknown_code_has_no_value() -> None:
    row = one("男的", "code")
    assert (row["value"], row["code"], row["severity"]) == (None, "code-unknown", "warning")
    assert row["raw"] == "男的"
    assert "性别" in (row["detail"] or "")


@pytest.mark.parametrize(
    ("value", "flag"),
    [
        ("是", "1"),
        ("否", "0"),
        ("√", "1"),
        ("×", "0"),
        ("Y", "1"),
        ("n", "0"),
        ("1", "1"),
        (0, "0"),
        (1.0, "1"),
        ("有", "1"),
        ("无", "0"),
        (True, "1"),
        ("false", "0"),
    ],
)
def test_flags(value: CellValue, flag: str) -> None:
    assert one(value, "flag")["value"] == flag


def test_unknown_flag_and_flag_code_list_fallback() -> None:
    assert one("也许", "flag")["code"] == "code-unknown"
    flag_list = CodeList(
        "flag", "是否", None, (CodeEntry("1", "是", ("是的",)), CodeEntry("0", "否"))
    )
    rules = ColumnRules("flag", code_list=flag_list)
    assert normalise_column(["是的", "√", "也许"], rules)["value"].to_list() == ["1", "1", None]


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,200元", "1200"),
        ("１２００", "1200"),
        ("3人", "3"),
        ("2.5亩", "2.5"),
        ("120平方米", "120"),
        ("120㎡", "120"),
        ("¥1,234.50", "1234.5"),
        ("1200元/年", "1200"),
        ("007", "7"),
        ("-0", "0"),
        (".5", "0.5"),
        ("三", "3"),
        ("一百零五", "105"),
        ("两万三千", "23000"),
        (1200, "1200"),
        (1200.0, "1200"),
        (0.5, "0.5"),
        (1e-05, "0.00001"),
    ],
)
def test_decimal_forms(value: CellValue, expected: str) -> None:
    row = one(value, "decimal")
    assert (row["value"], row["code"]) == (expected, None)


@pytest.mark.parametrize("value", ["abc", "1,2", "1.2万元", "-", "约100", "1.2.3"])
def test_bad_numbers(value: str) -> None:
    row = one(value, "decimal")
    assert (row["value"], row["code"], row["severity"]) == (value, "number-format", "error")


def test_integers_and_bounds() -> None:
    rules = ColumnRules("integer", minimum=0, maximum=150)
    result = normalise_column(["35岁", "12.5", "12.0", "-3", "200", 80.0], rules)
    assert result["value"].to_list() == ["35", "12.5", "12", "-3", "200", "80"]
    codes = result["code"].to_list()
    assert codes == [None, "number-format", None, "number-format", "number-format", None]
    details = result["detail"].to_list()
    assert "整数" in details[1]
    assert "0" in details[3]
    assert "150" in details[4]


# --- accounts, admin codes, text, names, addresses --------------------------------------------


def test_accounts() -> None:
    result = normalise_column(
        [
            "6222 0212 3456 7890 123",
            "6222-0212-3456-7890",
            6.22202123456789e18,
            "12345",
            123456789012.0,
        ],
        RULES["account"],
    )
    assert result["value"].to_list() == [
        "6222021234567890123",
        "6222021234567890",
        None,
        "12345",
        "123456789012",
    ]
    assert result["code"].to_list() == [
        None,
        None,
        "account-precision-lost",
        "account-format",
        None,
    ]


def test_admin_codes() -> None:
    result = normalise_column(
        ["150102", "150102001", "150102001001", 150102001001.0, "15010", "15010200100A"],
        RULES["admin_code"],
    )
    assert result["code"].to_list() == [None] * 4 + ["admin-code-format"] * 2
    assert result["value"][3] == "150102001001"


def test_names() -> None:
    result = normalise_column(
        ["张 三", "张　三 丰", "阿依古丽.买买提", "阿依古丽•买买提", "John  Smith", "李四2"],
        RULES["name"],
    )
    assert result["value"].to_list() == [
        "张三",
        "张三丰",
        "阿依古丽·买买提",
        "阿依古丽·买买提",
        "John Smith",
        "李四2",
    ]
    assert result["code"].to_list() == [None] * 5 + ["name-format"]


def test_text_and_address_are_normalised_only() -> None:
    assert one("  新城区　海拉尔东路  3号 ", "address")["value"] == "新城区 海拉尔东路 3号"
    assert one(12, "text")["value"] == "12"


def test_pattern_flags_otherwise_valid_values() -> None:
    rules = ColumnRules("text", pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+")
    result = normalise_column(["a@b.cn", "not mail", None], rules)
    assert result["code"].to_list() == [None, "pattern-mismatch", None]
    assert result["value"].to_list() == ["a@b.cn", "not mail", None]


def test_details_never_contain_the_value() -> None:
    values: list[CellValue] = [make_id(birth="19490230"), "110105194912310021", 1.10101e17]
    for row in normalise_column(values, RULES["id_number"]).iter_rows(named=True):
        assert row["detail"]
        assert not re.search(r"[0-9]{6,}", row["detail"])


# --- masks ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "style", "masked"),
    [
        ("11010519491231002X", "none", "11010519491231002X"),
        ("11010519491231002X", "id_middle", "110105********002X"),
        ("11010519491231002X", "id_tail", "1101051949********"),
        ("13800138000", "phone_middle", "138****8000"),
        ("6222021234567890123", "account_tail", "********0123"),
        ("张三", "name_partial", "张*"),
        ("欧阳修文", "name_partial", "欧***"),
        ("123", "id_middle", "********"),
        (
            "内蒙古呼和浩特市新城区海拉尔东路街道锡林社区3号楼2单元301",
            "address_partial",
            "内蒙古呼和浩特市新城区海拉尔东路街道锡林社区***",
        ),
        ("某县某镇某村三组15号", "address_partial", "某县某镇某村***"),
        ("某市某区幸福路88号", "address_partial", "某市某区幸福路***"),
        ("某市某区88号", "address_partial", "某市某区***"),
        ("88号", "address_partial", "***"),
    ],
)
def test_masks(value: str, style: str, masked: str) -> None:
    assert mask_value(value, style) == masked


def test_unknown_mask_is_a_schema_error() -> None:
    with pytest.raises(SchemaError):
        mask_value("x", "blur")


# --- properties -------------------------------------------------------------------------------

cell_values = st.one_of(
    st.none(),
    st.text(max_size=25),
    st.text(alphabet="0123456789Xx-/.年月日 +()", max_size=22),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(cell_values, max_size=12))
def test_no_input_crashes_any_type(values: list[CellValue]) -> None:
    for kind in ELEMENT_TYPES:
        result = normalise_column(values, RULES[kind])
        assert result.height == len(values)
        for row in result.iter_rows(named=True):
            if row["code"] is not None:
                assert row["severity"] == SEVERITY[row["code"]]
            if row["raw"] is None:
                assert row["value"] is None


@given(st.text())
def test_normalise_text_is_idempotent(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(cell_values, max_size=12))
def test_normalising_a_normalised_value_changes_nothing(values: list[CellValue]) -> None:
    for kind in ELEMENT_TYPES:
        first = normalise_column(values, RULES[kind])
        normalised: Sequence[str | None] = first["value"].to_list()
        second = normalise_column(list(normalised), RULES[kind])
        assert second["value"].to_list() == list(normalised), kind


@given(
    value=st.text(st.characters(blacklist_characters="*"), max_size=40),
    style=st.sampled_from(sorted(MASK_STYLES)),
)
def test_masks_never_reveal_more_than_the_style_allows(value: str, style: str) -> None:
    masked = mask_value(value, style)
    if style == "none":
        assert masked == value
        return
    allowed = {
        "id_middle": (6, 4),
        "id_tail": (10, 0),
        "phone_middle": (3, 4),
        "account_tail": (0, 4),
        "name_partial": (1, 0),
    }
    if style == "address_partial":
        shown = masked.removesuffix("***")
        assert value.startswith(shown)
        assert masked == value or not re.search("[0-9０-９]", shown)
        return
    head, tail = allowed[style]
    stars = re.search(r"\*+", masked)
    if stars is None:  # a value with nothing to hide: only the empty string
        assert value == masked == ""
        return
    shown_head, shown_tail = masked[: stars.start()], masked[stars.end() :]
    assert len(shown_head) <= head
    assert len(shown_tail) <= tail
    assert value.startswith(shown_head)
    assert value.endswith(shown_tail)
    assert len(value) - len(shown_head) - len(shown_tail) >= 1 or not value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1991.04", "1991-04"),
        ("194907", "1949-07"),
        ("2010年12月", "2010-12"),
        ("2024-05", "2024-05"),
    ],
)
def test_month_precision_dates_keep_their_precision(value: CellValue, expected: str) -> None:
    # 出生年月 columns write months; the value keeps that precision, no day is invented.
    row = one(value, "date")
    assert (row["value"], row["code"]) == (expected, None)

"""Check characters and code lists (GB 11643, GB 32100, GB 11714, GB 3304) the county needs."""

from __future__ import annotations

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def id_check_char(first17: str) -> str:
    """GB 11643 check character for the first 17 digits of a citizen ID."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def is_valid_id(number: str) -> bool:
    return (
        len(number) == 18
        and number[:17].isdigit()
        and number[17] in "0123456789X"
        and id_check_char(number[:17]) == number[17]
    )


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character: C18 = 31 - (sum mod 31), where 31 becomes 0."""
    total = sum(
        USCC_ALPHABET.index(char) * weight
        for char, weight in zip(first17, USCC_WEIGHTS, strict=True)
    )
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    return (
        len(code) == 18
        and all(char in USCC_ALPHABET for char in code)
        and uscc_check_char(code[:17]) == code[17]
    )


def org_code_check_char(first8: str) -> str:
    """GB 11714 check character of the 9-character organisation code inside a USCC."""
    total = sum(
        (int(char) if char.isdigit() else ord(char) - 55) * weight
        for char, weight in zip(first8, ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


# GB 3304-91: name and 2-digit code of the nationalities that occur in the county.
ETHNICITY_CODES = {
    "汉族": "01",
    "蒙古族": "02",
    "回族": "03",
    "藏族": "04",
    "朝鲜族": "10",
    "满族": "11",
    "达斡尔族": "31",
    "鄂温克族": "45",
    "鄂伦春族": "52",
}

SEX_CODES = {"男": "1", "女": "2"}

# GB/T 2261.3 disability categories as the 残联 writes them (code 61–67).
DISABILITY_CATEGORIES = {
    "视力残疾": "61",
    "听力残疾": "62",
    "言语残疾": "63",
    "肢体残疾": "64",
    "智力残疾": "65",
    "精神残疾": "66",
    "多重残疾": "67",
}
DISABILITY_LEVELS = {"一级": "1", "二级": "2", "三级": "3", "四级": "4"}

# GB/T 4658 education, short list.
EDUCATION_CODES = {
    "研究生": "10",
    "大学本科": "20",
    "大学专科": "30",
    "中专": "40",
    "高中": "60",
    "初中": "70",
    "小学": "80",
    "文盲或半文盲": "90",
}

# GB/T 2261.2 marital status.
MARITAL_CODES = {"未婚": "10", "已婚": "20", "丧偶": "30", "离婚": "40"}

# GB/T 4762 political status, short list.
POLITICAL_CODES = {
    "中共党员": "01",
    "中共预备党员": "02",
    "共青团员": "03",
    "群众": "13",
}

HEALTH_CODES = {"健康或良好": "1", "一般或较弱": "2", "有慢性病": "3", "残疾": "6"}

RELATION_CODES = {
    "户主": "02",
    "配偶": "10",
    "子": "20",
    "女": "30",
    "父母": "50",
    "孙子女": "40",
    "兄弟姐妹": "70",
    "其他": "80",
}

DIGITS_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CN_NUMERALS = "〇一二三四五六七八九十"


def full_width(text: str) -> str:
    return text.translate(DIGITS_FULL_WIDTH)


def cn_small_number(number: int) -> str:
    """一 … 九十九, as used for 村民小组 (一组, 十二组)."""
    if number <= 10:
        return CN_NUMERALS[number]
    tens, ones = divmod(number, 10)
    head = "" if tens == 1 else CN_NUMERALS[tens]
    return head + "十" + (CN_NUMERALS[ones] if ones else "")

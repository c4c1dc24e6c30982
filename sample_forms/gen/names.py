"""Common surnames and given names, by sex and generation, and Mongolian names."""

from __future__ import annotations

import random


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁"
    "魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹"
    "常武乔贺赖龚文牛樊葛邢安齐庞付申闫"
)
# Frequent surnames come first; weights fall off along the string.
_SURNAME_WEIGHTS = tuple(1.0 / (1 + index / 8) for index in range(len(SURNAMES)))

_MALE_OLD = words(
    "建国 建华 国庆 德胜 福 贵 文 忠 明 永强 志刚 玉海 宝山 振华 树林 长青 海 "
    "富 占山 金山 喜 成 有才 双喜 国华 卫东 春生 满仓 俊 保国 文斌 志明 德明"
)
_MALE_MID = words(
    "伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 华 飞 波 宁 俊峰 海涛 志强 "
    "永刚 建军 晓东 红军 立新 小龙 海军 文军 利民 东升 宏伟"
)
_MALE_YOUNG = words(
    "浩 宇 凯 鑫 子轩 浩然 宇航 博文 梓豪 俊杰 一鸣 子墨 皓轩 思远 天佑 雨泽 "
    "晨阳 明轩 子豪 嘉懿 铭泽 睿 昊天 家豪 宇轩 文博"
)
_FEMALE_OLD = words(
    "秀英 桂英 玉兰 秀兰 凤英 玉珍 桂兰 淑珍 秀珍 玉梅 凤兰 桂芝 兰英 翠花 金花 "
    "素芬 淑兰 玉英 秀云 桂琴"
)
_FEMALE_MID = words(
    "芳 娜 敏 静 丽 艳 娟 霞 红 梅 燕 丽娟 晓燕 海燕 春梅 红霞 美玲 雪梅 "
    "建英 丽华 俊英 玉霞 秀梅 艳红"
)
_FEMALE_YOUNG = words(
    "婷 雪 琳 欣 怡 萱 涵 子涵 梓萱 一诺 欣怡 雨桐 可馨 诗涵 思彤 佳怡 雨萱 "
    "梦瑶 紫涵 若汐 语嫣 沐晴 安琪 佳琪"
)

_MONGOL_MALE = words(
    "巴特尔 巴雅尔 苏和 额尔敦 宝音 朝鲁 那顺 孟和 吉日嘎拉 乌力吉 布和 图门 "
    "阿拉坦 额尔德木图 宝力道 特木尔 哈斯 毕力格 达来 呼和"
)
_MONGOL_FEMALE = words(
    "其其格 乌云 萨仁 娜仁 高娃 斯琴高娃 乌兰 图雅 托娅 苏日娜 塔娜 敖登 格日勒 "
    "萨如拉 阿拉坦其其格 乌日娜 娜米拉"
)


def surname(rng: random.Random) -> str:
    return rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]


def given_name(rng: random.Random, sex: str, birth_year: int) -> str:
    if birth_year < 1960:
        pool = _MALE_OLD if sex == "男" else _FEMALE_OLD
    elif birth_year < 1990:
        pool = _MALE_MID if sex == "男" else _FEMALE_MID
    else:
        pool = _MALE_YOUNG if sex == "男" else _FEMALE_YOUNG
    return rng.choice(pool)


def mongolian_name(rng: random.Random, sex: str) -> str:
    return rng.choice(_MONGOL_MALE if sex == "男" else _MONGOL_FEMALE)

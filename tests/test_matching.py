"""Header matching against the default schema: aliases, roles, context, fuzzy, decisions."""

from __future__ import annotations

import pytest

from yibiaotong.layout import HeaderColumn
from yibiaotong.matching import HeaderMatcher, match_key
from yibiaotong.model import column_letter
from yibiaotong.schema import load_schema
from yibiaotong.storage import Decision


@pytest.fixture(scope="module")
def matcher() -> HeaderMatcher:
    return HeaderMatcher(load_schema(), accept_score=0.85, review_score=0.55)


def _columns(*paths: tuple[str, ...] | str) -> list[HeaderColumn]:
    columns = []
    for index, path in enumerate(paths):
        parts = (path,) if isinstance(path, str) else path
        columns.append(
            HeaderColumn(index, column_letter(index), parts[-1], parts, parts[-1], False, None)
        )
    return columns


def _elements(matcher: HeaderMatcher, *paths: tuple[str, ...] | str) -> list[str | None]:
    return [m.element for m in matcher.match_form(_columns(*paths), form_key="t")]


def test_match_key_normalises_script_width_and_marks() -> None:
    assert match_key("身份證號碼*") == match_key("身份证号码")
    assert match_key("联系 电话") == match_key("联系电话")
    assert match_key("ＩＤ") == "id"


@pytest.mark.parametrize(
    ("header", "element"),
    [
        ("身份证号", "id_number"),
        ("公民身份号码", "id_number"),
        ("身份證號碼", "id_number"),
        ("手机号码", "phone"),
        ("联系方式(手机)", "phone"),
        ("现住址", "current_address"),
        ("实际居住地址", "current_address"),
        ("户籍地址", "hukou_address"),
        ("出生年月", "birth_date"),
    ],
)
def test_exact_aliases(matcher: HeaderMatcher, header: str, element: str) -> None:
    (match,) = matcher.match_form(_columns(header), form_key="t")
    assert (match.element, match.status) == (element, "accepted")


def test_role_prefixed_headers_are_distinct_facts(matcher: HeaderMatcher) -> None:
    found = _elements(
        matcher, "姓名", "户主姓名", "监护人身份证号", "紧急联系人电话", "出租人联系电话"
    )
    assert found == ["name", "head_name", "guardian_id_number", "emergency_phone", "landlord_phone"]


def test_role_from_group_header(matcher: HeaderMatcher) -> None:
    found = _elements(matcher, ("姓名",), ("监护人信息", "姓名"), ("监护人信息", "联系电话"))
    assert found == ["name", "guardian_name", "guardian_phone"]


def test_subject_prefix_is_the_row_person(matcher: HeaderMatcher) -> None:
    # A subject prefix (受助人员…, like 伤残身份证号 in real 优抚 templates) names the row person.
    # Decomposed headers are weaker evidence: offered as the best candidate, for review.
    (match,) = matcher.match_form(_columns("受助人员公民身份号码"), form_key="t")
    assert (match.status, match.method) == ("review", "suffix")
    assert match.candidates[0].element == "id_number"


def test_layout_columns_are_not_data(matcher: HeaderMatcher) -> None:
    (match,) = matcher.match_form(_columns("序号"), form_key="t")
    assert (match.element, match.status, match.method) == (None, "layout", "layout")


def test_unknown_header_goes_to_review_never_dropped(matcher: HeaderMatcher) -> None:
    (match,) = matcher.match_form(_columns("最喜欢的颜色"), form_key="t")
    assert match.status == "review"
    assert match.element is None


def test_decisions_win_and_are_scoped(matcher: HeaderMatcher) -> None:
    columns = _columns("最喜欢的颜色")
    form_only = [Decision("f1", match_key("最喜欢的颜色"), "remark_free")]
    everywhere = [Decision("*", match_key("最喜欢的颜色"), "occupation")]
    assert matcher.match_form(columns, form_key="f2", decisions=form_only)[0].element is None
    decided = matcher.match_form(columns, form_key="f2", decisions=everywhere)[0]
    assert (decided.element, decided.method, decided.score) == ("occupation", "decision", 1.0)


def test_same_element_twice_goes_to_review(matcher: HeaderMatcher) -> None:
    first, second = matcher.match_form(_columns("身份证号", "公民身份号码"), form_key="t")
    assert first.element == "id_number"
    assert (second.element, second.status, second.method) == (None, "review", "duplicate")


def test_every_decision_has_method_and_score(matcher: HeaderMatcher) -> None:
    for match in matcher.match_form(
        _columns("姓名", "身分证号", "家庭地址x", "乱码"), form_key="t"
    ):
        assert match.method
        assert 0.0 <= match.score <= 1.0
        assert (match.status == "accepted") == (match.score >= 0.85 and match.element is not None)


def test_other_persons_facts_are_not_the_row_persons(matcher: HeaderMatcher) -> None:
    found = matcher.match_form(
        _columns(("外出务工父母", "父亲姓名"), ("外出务工父母", "务工地点"), "村级填报人姓名"),
        form_key="t",
    )
    assert found[0].element == "father_name"
    assert [m.status for m in found[1:]] == ["review", "review"]


def test_values_overrule_a_misleading_header(matcher: HeaderMatcher) -> None:
    columns = _columns("证件类型", "身份证号")
    samples = {0: ["1", "1", "1", "1"], 1: ["1.50999E+17"] * 4}
    kinds, ids = matcher.match_form(columns, form_key="t", samples=samples)
    assert (kinds.status, kinds.method) == ("review", "values-disagree")  # 医保's own "1" code
    assert ids.element == "id_number"  # damaged IDs are IDs all the same


def test_units_and_context_choose_between_shared_aliases(matcher: HeaderMatcher) -> None:
    facility = _columns("场所名称", "场所地址", "联系电话")
    assert matcher.match_form(facility, form_key="t")[2].element == "facility_phone"
    person = _columns("姓名", "身份证号", "联系电话")
    assert matcher.match_form(person, form_key="t")[2].element == "phone"
    in_acres = HeaderColumn(0, "A", "面积（亩）", ("面积（亩）",), "面积", False, "亩")
    in_metres = HeaderColumn(0, "A", "面积（㎡）", ("面积（㎡）",), "面积", False, "㎡")
    (acres,) = matcher.match_form([in_acres], form_key="t")
    (metres,) = matcher.match_form([in_metres], form_key="t")
    assert {c.element for c in acres.candidates}.isdisjoint({"facility_area", "house_area"})
    assert {c.element for c in metres.candidates} >= {"facility_area", "house_area"}


def test_shared_alias_falls_back_to_its_usual_meaning(matcher: HeaderMatcher) -> None:
    # 住址 may be 现住址 or 户籍地址; with nothing else to go on, the schema's first-listed
    # meaning is accepted just above the threshold, so a reviewer sorting by score sees it.
    samples = {1: ["幸福社区1号楼101室", "幸福社区2号楼102室", "红旗镇东沟村3号"]}
    _, address = matcher.match_form(_columns("姓名", "住址"), form_key="t", samples=samples)
    assert (address.element, address.method) == ("current_address", "usual")
    assert 0.85 <= address.score < 0.9
    # An empty template gives nothing to confirm the usual meaning: it stays in review.
    _, unconfirmed = matcher.match_form(_columns("姓名", "住址"), form_key="t")
    assert unconfirmed.status == "review"

import contextlib

import pytest
from django.core.management import CommandError, call_command

from gongjian.core.errors import UnitNameError
from gongjian.org import services
from gongjian.org.models import Unit, UnitAlias
from gongjian.org.selectors import UnitResolver, resolve_unit, unit_references


@pytest.fixture
def gongxin(org):
    unit = services.create_unit(
        actor=None,
        name="区工信局（招商办）",
        kind="department",
        parent=org.changle,
        aliases=["区工信局", "区招商办"],
    )
    return unit


@pytest.mark.parametrize(
    "written",
    [
        "区工信局(招商办)",
        "区工信局（招商办）",
        "區工信局(招商辦)",
        "區(qū)工信局(招商辦)",
        " 区工信局 ",
        "区招商办",
    ],
)
def test_messy_forms_resolve_to_one_unit(gongxin, written):
    assert resolve_unit(written) == gongxin


def test_unit_name_is_stored_cleaned(gongxin):
    assert gongxin.name == "区工信局(招商办)"


def test_ambiguous_name_is_an_error_naming_every_candidate(org):
    with pytest.raises(UnitNameError) as exc:
        resolve_unit("區財政局")
    assert exc.value.candidates == ["福州市 / 长乐区 / 区财政局", "福州市 / 鼓楼区 / 区财政局"]
    assert "不唯一" in exc.value.message


def test_ambiguous_name_resolves_within_a_subtree(org):
    assert resolve_unit("区财政局", within=org.changle) == org.caizheng


def test_unknown_name_is_an_error_with_close_candidates(org):
    with pytest.raises(UnitNameError) as exc:
        resolve_unit("湖南")
    assert "福州市 / 长乐区 / 湖南镇" in exc.value.candidates
    assert exc.value.message.startswith("找不到单位“湖南”")


def test_bulk_resolver_agrees_and_raises_the_same_errors(org, gongxin):
    resolver = UnitResolver()
    assert resolver.resolve("區工信局(招商辦)") == gongxin
    with pytest.raises(UnitNameError):
        resolver.resolve("区财政局")


def test_alias_equal_to_the_name_is_not_stored_twice(gongxin):
    assert services.add_alias(actor=None, unit=gongxin, alias="區工信局（招商辦）") is None
    assert UnitAlias.objects.filter(unit=gongxin).count() == 2


def test_units_resolve_command_prints_name_and_path(gongxin, capsys):
    call_command("units", "resolve", "區工信局(招商辦)")
    assert capsys.readouterr().out.splitlines() == [
        "区工信局(招商办)",
        "福州市 / 长乐区 / 区工信局(招商办)",
    ]


def test_units_resolve_command_fails_with_candidates(org):
    with pytest.raises(CommandError, match="福州市 / 鼓楼区 / 区财政局"):
        call_command("units", "resolve", "区财政局")


# --- Two units of one name: told apart as the lists write them, by the side asking, in view ---


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("区财政局（鼓楼区）", "gulou_caizheng"),
        ("区财政局(长乐区)", "caizheng"),
        ("福州市 / 长乐区 / 区财政局", "caizheng"),
        ("鼓楼区/区财政局", "gulou_caizheng"),
        ("福州市 / 区财政局", None),  # both are under 福州市
    ],
)
def test_a_name_with_the_units_above_it_tells_two_units_apart(org, written, meant):
    if meant is None:
        with pytest.raises(UnitNameError, match="不唯一"):
            resolve_unit(written)
    else:
        assert resolve_unit(written) == getattr(org, meant)
        assert UnitResolver().resolve(written) == getattr(org, meant)


def test_a_name_under_a_unit_it_is_not_under_is_not_found(org):
    with pytest.raises(UnitNameError, match="找不到单位"):
        resolve_unit("区财政局（湖南镇）")


def test_of_two_units_of_one_name_the_one_nearest_the_asker_is_meant(org):
    assert resolve_unit("区财政局", near=org.hunan) == org.caizheng
    assert resolve_unit("區財政局", near=org.gulou) == org.gulou_caizheng
    assert UnitResolver().resolve("区财政局", near=org.hunan) == org.caizheng
    with pytest.raises(UnitNameError, match="不唯一"):
        resolve_unit("区财政局", near=org.city)  # as near to one as to the other


def test_units_outside_among_are_not_candidates(org):
    assert resolve_unit("区财政局", among={org.gulou_caizheng.pk}) == org.gulou_caizheng
    assert UnitResolver(among={org.caizheng.pk}).resolve("区财政局") == org.caizheng
    with pytest.raises(UnitNameError, match="找不到单位") as exc:
        UnitResolver(among={org.hunan.pk}).resolve("区财政局")
    assert exc.value.candidates == []


def test_unit_references_read_back_as_the_same_units(org):
    refs = unit_references(Unit.objects.all())

    assert refs[org.caizheng.pk] == "区财政局（长乐区）"
    assert refs[org.gulou_caizheng.pk] == "区财政局（鼓楼区）"
    assert refs[org.hunan.pk] == "湖南镇"
    assert all(resolve_unit(text).pk == pk for pk, text in refs.items())


def test_a_resolver_reads_each_qualified_name_or_error_once_for_many_rows(
    org, django_assert_num_queries
):
    resolver = UnitResolver()
    for text in ("区财政局（鼓楼区）", "区财政局"):
        with contextlib.suppress(UnitNameError):
            resolver.resolve(text)
    with django_assert_num_queries(0):
        for _ in range(50):
            assert resolver.resolve("区财政局（鼓楼区）") == org.gulou_caizheng
            with pytest.raises(UnitNameError, match="不唯一"):
                resolver.resolve("区财政局")

"""The demo's printed logins work, and each sees only its own scope."""

import pytest

from gongjian.demo import org_data
from gongjian.org.models import Unit
from gongjian.org.selectors import resolve_unit


def test_demo_has_every_unit_named_in_the_seeds(demo):
    for name in [
        "长乐区",
        "福清市",
        "区发改局",
        "区自然资源和规划局",
        "福州新区长乐功能区办",
        "区工信局(招商办)",
        "区林业局",
        "区税务局",
        "区财政局",
        "区委组织部(人才办)",
        "区委组织部",
        "区法院",
        "湖南镇",
        "文武砂街道",
        "松下镇",
        "江田镇",
        "潭头镇",
        "玉田镇",
    ]:
        assert resolve_unit(name).name == name


def test_seed_spellings_resolve_in_the_demo(demo):
    assert resolve_unit("區(qū)工信局(招商辦)").name == "区工信局(招商办)"
    assert resolve_unit("福州新區(qū)長(zhǎng)樂(lè)功能區(qū)辦").name == "福州新区长乐功能区办"
    assert resolve_unit("長(zhǎng)樂(lè)區(qū)").name == "长乐区"


@pytest.mark.parametrize(
    ("username", "sees", "does_not_see"),
    [
        ("fuzhou_office", ["福清市", "湖南镇"], []),
        ("changle_office", ["湖南镇", "区发改局"], ["福清市"]),
        ("hunan_staff", ["湖南镇"], ["松下镇", "区发改局"]),
        ("songxia_staff", ["松下镇"], ["湖南镇"]),
        ("leader_lin", ["湖南镇", "文武砂街道", "区发改局"], ["松下镇"]),
        ("inspector", ["湖南镇", "松下镇"], ["福清市"]),
        ("viewer", ["湖南镇"], ["福清市"]),
        ("fagai_lead", ["区发改局"], ["福清市"]),
    ],
)
def test_each_printed_login_logs_in_and_sees_only_its_scope(
    client, demo, username, sees, does_not_see
):
    assert client.login(username=username, password=org_data.DEMO_PASSWORD)
    page = client.get("/").content.decode()
    scope_list = page.split('id="scope-units"')[1]
    for name in sees:
        assert f">{name} <" in scope_list, name
    for name in does_not_see:
        assert f">{name} <" not in scope_list, name


def test_every_user_in_the_demo_table_exists(demo):
    from gongjian.org.models import User

    assert set(User.objects.values_list("username", flat=True)) >= {u[0] for u in org_data.USERS}
    assert Unit.objects.filter(kind__in=["town", "street", "township"]).count() == 17

"""Whatever a request carries, the API answers in Chinese with a 4xx, never a server error."""

from django.conf import settings


def test_an_id_past_the_database_integers_is_refused_by_validation_on_both_databases(client, org):
    client.force_login(org.office)
    for url in (
        "/api/ledger/projects?line=69854718869892038656",
        "/api/ledger/projects/69854718869892038656",
        "/api/assessment/rounds/69854718869892038656/results",
        "/api/supervision/orders?unit_id=69854718869892038656",
    ):
        response = client.get(url)
        assert response.status_code == 422, url


def test_a_parameter_its_type_refuses_is_a_chinese_422_naming_it(client, org):
    client.force_login(org.office)
    cases = {
        "/api/ledger/projects?line=abc": ("line", "query", "参数 line 无效：应为整数，收到“abc”。"),
        "/api/ledger/projects/0": (
            "project_id",
            "path",
            "参数 project_id 无效：应不小于 1，收到 0。",
        ),
        "/api/dashboard/overview?campaign=1&on=xx": (
            "on",
            "query",
            "参数 on 无效：应为日期（如 2026-12-31），收到“xx”。",
        ),
        "/api/dashboard/overview": ("campaign", "query", "缺少必填参数 campaign。"),
    }
    for url, (field, where, message) in cases.items():
        response = client.get(url)
        body = response.json()
        assert response.status_code == 422, url
        assert (body["code"], body["field"], body["message"]) == ("invalid", field, message)
        assert body["errors"][0]["where"] == where


def test_every_refused_body_field_is_listed_and_the_first_is_the_message(client, org):
    client.force_login(org.office)
    response = client.post(
        "/api/ledger/projects", data={"code": 5}, content_type="application/json"
    )
    body = response.json()
    assert response.status_code == 422
    assert body["message"] == "参数 code 无效：应为文本（另有 3 处错误，见 errors）"
    assert [e["field"] for e in body["errors"]] == ["code", "name", "level", "unit_id"]
    assert body["errors"][1]["message"] == "缺少必填参数 name。"


def test_an_unparsable_body_and_a_missing_credential_are_refused_in_chinese(client, org):
    response = client.get("/api/ledger/projects")
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")
    assert "访问令牌" in response.json()["message"]
    client.force_login(org.office)
    response = client.post("/api/ledger/projects", data="{bad", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": "请求体无法解析：应为有效的 JSON。",
    }


def test_the_refusal_is_in_english_for_a_user_who_chose_english(client, org):
    client.force_login(org.office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/api/ledger/projects?limit=5&line=abc")
    assert response.status_code == 422
    assert response.json()["message"].startswith("Parameter line is invalid")

"""Whatever a request carries, the API answers in Chinese with a 4xx, never a server error."""


def test_an_id_past_the_database_integers_is_a_422_in_chinese(client, org):
    client.force_login(org.office)
    response = client.get("/api/ledger/projects", {"line": 69854718869892038656})
    assert response.status_code == 422
    assert response.json()["message"] == "数值超出允许范围。"

"""Whatever a request carries, the API answers in Chinese with a 4xx, never a server error."""


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

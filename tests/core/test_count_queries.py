"""The ``count_queries`` fixture counts what a request sends to the database."""


def test_count_queries_sees_each_statement_of_a_request(client, login_as, factory, count_queries):
    login_as("registrar")
    case = factory.case()
    factory.document(case)
    with count_queries() as log:
        response = client.get(f"/cases/{case.number}")
    assert response.status_code == 200
    assert len(log) > 0
    assert any("documents" in s for s in log.statements), str(log)
    with count_queries() as nothing:
        pass
    assert len(nothing) == 0

"""Ids a URL can carry: a number no row can have is a 404 on every route, never a 500 (the
database's integer would overflow), and every ``next`` goes through one safe check."""

import pytest
import sqlalchemy as sa
from werkzeug.routing import IntegerConverter

from caseapp.extensions import db
from caseapp.followups import services as fs


def _int_routes(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values())
    ]


def _values(rule, big: int, case, doc) -> dict:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = big
        elif name == "number":
            values[name] = doc.number if rule.endpoint.startswith("documents.") else case.number
        else:
            values[name] = "x"
    return values


@pytest.mark.parametrize("big", [2**63, 2**64])
def test_an_id_too_big_for_any_row_is_not_found_on_every_route(app, client, login_as, factory, big):
    case = factory.case()
    doc = factory.document(case)
    db.session.commit()
    login_as("admin")
    rules = _int_routes(app)
    assert len(rules) >= 17  # the walk sees them
    with app.test_request_context():
        urls = [
            (rule, app.url_for(rule.endpoint, **_values(rule, big, case, doc))) for rule in rules
        ]
    problems = []
    for rule, url in urls:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            status = client.open(url, method=method, data={}).status_code
            if status not in (404, 405):
                problems.append(f"{method} {url}: {status}")
            db.session.rollback()
    assert problems == []


@pytest.mark.parametrize("param", ["officer", "programme"])
def test_a_too_big_id_in_the_query_string_filters_nothing(client, login_as, param):
    login_as("officer")
    assert client.get(f"/followups/?{param}={2**64}").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "/cases/\nSet-Cookie: x=1",
        "//evil.example/",
        "/\\evil.example",
        "https://evil.example/x",
        "/cases/\u202eabc",
    ],
)
def test_a_follow_up_form_goes_back_only_to_a_plain_local_path(client, login_as, factory, target):
    case = factory.case()
    fu = fs.create_followup(case, title="Återkomma", due=case.opened_at.date(), actor=None)
    db.session.commit()
    login_as("registrar")
    response = client.post(f"/followups/{fu.id}/reopen", data={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/cases/")
    assert "evil" not in response.headers["Location"] and "\n" not in response.headers["Location"]


def test_a_follow_up_form_goes_back_to_a_local_next(client, login_as, factory):
    case = factory.case()
    fu = fs.create_followup(case, title="Återkomma", due=case.opened_at.date(), actor=None)
    db.session.commit()
    login_as("registrar")
    response = client.post(f"/followups/{fu.id}/reopen", data={"next": "/followups/?officer=1"})
    assert response.headers["Location"] == "/followups/?officer=1"


def test_the_login_page_refuses_a_newline_in_next(client, factory):
    user = factory.user("reader")
    db.session.commit()
    response = client.post(
        "/login?next=/cases/%0ASet-Cookie:x=1",
        data={"email": user.email, "password": "correct-horse-battery"},
    )
    assert response.status_code == 302 and "\n" not in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(type(user))) == 1

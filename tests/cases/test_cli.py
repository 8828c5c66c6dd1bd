"""The CLI contract for series and cases (tooling depends on it)."""

import json

from caseapp.directory.models import OrganisationKind


def test_series_create_then_cases_new_prints_only_the_number(runner, factory):
    assert (
        runner.invoke(args=["series", "create", "KS", "--name", "Kommunstyrelsen"]).exit_code == 0
    )
    factory.organisation("Ånge kommun", municipality_code="2260")
    result = runner.invoke(
        args=[
            "cases",
            "new",
            "--series",
            "KS",
            "--title",
            "Servicekontor",
            "--organisation",
            "Ånge kommun",
        ]
    )
    assert result.exit_code == 0, result.output
    number = result.stdout.strip()
    assert result.stdout == number + "\n"
    assert number.startswith("KS ") and number.endswith("/1")


def test_series_create_with_format(runner):
    result = runner.invoke(
        args=["series", "create", "bun", "--name", "BUN", "--format", "{prefix}-{year}-{seq:03d}"]
    )
    assert result.exit_code == 0
    number = runner.invoke(args=["cases", "new", "--series", "BUN", "--title", "T"]).stdout.strip()
    assert number.startswith("BUN-") and number.endswith("-001")


def test_cases_new_with_unknown_series_or_organisation_fails(runner, factory):
    assert runner.invoke(args=["cases", "new", "--series", "NOPE", "--title", "T"]).exit_code == 1
    factory.series("KS")
    result = runner.invoke(
        args=["cases", "new", "--series", "KS", "--title", "T", "--organisation", "Okänd"]
    )
    assert result.exit_code == 1 and "Okänd" in result.output


def test_cases_show_json_has_the_contract_fields(runner, factory):
    org = factory.organisation(
        "Ånge kommun", municipality_code="2260", kind=OrganisationKind.MUNICIPALITY
    )
    case = factory.case(organisation=org)
    original = factory.document(case, kind="original")
    factory.document(case, kind="forward", parent=original, subject="VB: Etablering")
    from caseapp.extensions import db

    db.session.commit()
    result = runner.invoke(args=["cases", "show", case.number, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["number"] == case.number and data["status"] == "open"
    assert data["organisation"] == {"name": "Ånge kommun", "municipality_code": "2260"}
    assert data["officer"] is None
    first, second = data["documents"]
    assert first["number"] == f"{case.number}-1" and first["forwards"] is None
    assert second["forwards"] == first["number"] and second["kind"] == "forward"
    assert first["parties"][0] == {
        "role": "from",
        "name": "Paul Larsson",
        "email": "paul.larsson@statenssc.se",
    }
    assert set(first) >= {
        "number",
        "direction",
        "kind",
        "subject",
        "document_date",
        "registered_at",
        "parties",
        "forwards",
    }
    assert first["document_date"] == "2021-06-07"


def test_cases_list_json_and_unknown_case(runner, factory):
    factory.case(title="Första")
    factory.case(title="Andra")
    from caseapp.extensions import db

    db.session.commit()
    data = json.loads(runner.invoke(args=["cases", "list", "--json"]).stdout)
    assert [c["title"] for c in data] == ["Andra", "Första"]
    missing = runner.invoke(args=["cases", "show", "KS 1999/1"])
    assert missing.exit_code == 1 and "no case" in missing.output


def test_cases_show_json_has_links_cancellation_and_moves(runner, factory):
    from caseapp.documents.services import cancel_document, move_document
    from caseapp.extensions import db

    case = factory.case(title="Ånge")
    other = factory.case(title="Bräcke")
    original = factory.document(case, kind="original")
    factory.document(case, kind="forward", parent=original, subject="VB: Etablering")
    letter = factory.document(case, kind="letter")
    reply = factory.document(case, kind="reply", parent=letter, subject="SV: Brev")
    cancel_document(factory.document(case), reason="Dubblett", actor=None)
    move_document(factory.document(case, kind="note"), to=other, actor=None)
    db.session.commit()
    data = json.loads(runner.invoke(args=["cases", "show", case.number, "--json"]).stdout)
    docs = {d["number"].rsplit("-", 1)[1]: d for d in data["documents"]}
    picked = {
        n: (d["parent"], d["relation"], d["cancelled"], d["moved_to"]) for n, d in docs.items()
    }
    n = case.number
    assert picked == {
        "1": (None, None, False, None),
        "2": (f"{n}-1", "forward", False, None),
        "3": (None, None, False, None),
        "4": (f"{n}-3", "reply", False, None),
        "5": (None, None, True, None),
        "6": (None, None, False, f"{other.number}-1"),
    }
    assert docs["4"]["replies_to"] == f"{n}-3" and docs["4"]["forwards"] is None
    assert reply.number == f"{n}-4"
    # Every key of the contract before these, on every document, the old number's too.
    for d in data["documents"]:
        assert set(d) == {
            "number",
            "direction",
            "kind",
            "subject",
            "document_date",
            "sent",
            "registered_at",
            "confidential",
            "cancelled",
            "parties",
            "forwards",
            "replies_to",
            "attachments",
            "parent",
            "relation",
            "moved_to",
        }
    moved_here = json.loads(runner.invoke(args=["cases", "show", other.number, "--json"]).stdout)
    [d] = moved_here["documents"]
    assert (d["number"], d["kind"], d["moved_to"]) == (f"{other.number}-1", "note", None)

"""`caseapp users create`."""

import sqlalchemy as sa

from caseapp.auth.models import Role, User
from caseapp.auth.passwords import verify_password
from caseapp.extensions import db


def test_create_user_with_password_from_stdin(runner):
    result = runner.invoke(
        args=["users", "create", "Rut@Example.org", "--role", "registrar", "--password-stdin"],
        input="a-long-secret-pass\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "rut@example.org"))
    assert user.role == Role.REGISTRAR
    assert verify_password(user.password_hash, "a-long-secret-pass")


def test_create_user_from_prompt_asks_twice(runner):
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "admin"],
        input="a-long-secret-pass\na-long-secret-pass\n",
    )
    assert result.exit_code == 0, result.output
    assert (
        db.session.scalar(sa.select(User.role).where(User.email == "a@example.org")) == Role.ADMIN
    )


def test_short_password_and_duplicate_address_are_refused(runner):
    short = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "reader", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code != 0 and "at least" in short.output
    ok = ["users", "create", "a@example.org", "--role", "reader", "--password-stdin"]
    assert runner.invoke(args=ok, input="a-long-secret-pass\n").exit_code == 0
    again = runner.invoke(args=ok, input="a-long-secret-pass\n")
    assert again.exit_code != 0 and "exists" in again.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_unknown_role_is_refused(runner):
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "king", "--password-stdin"],
        input="a-long-secret-pass\n",
    )
    assert result.exit_code == 2

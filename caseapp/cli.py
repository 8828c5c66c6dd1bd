"""The ``caseapp`` console script: Flask's commands plus the features' groups."""

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app() -> Flask:
    from caseapp import create_app

    # The commands that need BASE_URL (worker, serve) check it themselves.
    return create_app(command_line=True)


@click.group(cls=FlaskGroup, create_app=_create_app, load_dotenv=False)
def main() -> None:
    """caseapp: diarium with follow-up."""


def register_commands(app: Flask) -> None:
    from caseapp.auth.cli import users_cli
    from caseapp.cases.cli import cases_cli
    from caseapp.demo import demo_command
    from caseapp.documents.cli import documents_cli
    from caseapp.registry.cli import series_cli
    from caseapp.settings.cli import settings_cli

    for command in (users_cli, series_cli, cases_cli, documents_cli, settings_cli, demo_command):
        app.cli.add_command(command)

    from caseapp.followups.cli import followups_cli
    from caseapp.notifications.cli import (
        notifications_cli,
        send_reminders_command,
        worker_command,
    )
    from caseapp.notifications.serve import serve_command

    # Reminders are queued by notifications (follow-ups never import it), listed with them.
    followups_cli.add_command(send_reminders_command)
    for command in (followups_cli, notifications_cli, worker_command, serve_command):
        app.cli.add_command(command)

    from caseapp.mail import commands as mail_commands  # adds `mail import`, `fetch-imap`
    from caseapp.mail.cli import mail_cli

    for command in (mail_cli, mail_commands.mailgate_command):
        app.cli.add_command(command)

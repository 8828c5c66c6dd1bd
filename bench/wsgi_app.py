"""caseapp as the load benchmark serves it under gunicorn: ``gunicorn wsgi_app:app``.

The app is caseapp's own ``create_app()``, configured from the environment as in production
(http_bench.py sets CASEAPP_DATABASE_URL, CASEAPP_BASE_URL, CASEAPP_SECRET_KEY and
CASEAPP_INSTANCE_PATH; neither DEBUG nor TESTING). The only addition is a count of the SQL
statements each request sent, returned in the ``X-Bench-SQL`` response header: a
SQLAlchemy ``before_cursor_execute`` listener on every engine, reset when a request
starts. Gunicorn's sync workers serve one request at a time per process, so one counter per
process is the request's count.
"""

from __future__ import annotations

import sqlalchemy as sa

from caseapp import create_app

SQL_HEADER = "X-Bench-SQL"


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args) -> None:
        self.count += 1


counter = StatementCounter()
sa.event.listen(sa.engine.Engine, "before_cursor_execute", counter)
flask_app = create_app()


def app(environ, start_response):
    counter.count = 0

    def start_with_count(status, headers, exc_info=None):
        # Flask starts the response once the view has rendered it: the count is complete.
        headers.append((SQL_HEADER, str(counter.count)))
        return start_response(status, headers, exc_info)

    return flask_app(environ, start_with_count)

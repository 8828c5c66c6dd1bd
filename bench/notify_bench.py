"""Delivery throughput: N queued notifications through `run_once` to a local aiosmtpd.

    python bench/notify_bench.py [N] [--database-url URL] [--batch 100]

One SMTP connection is reused per batch; every row is committed with its attempt record.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing as mp
import socket
import time

import sqlalchemy as sa
from aiosmtpd.controller import Controller


class Counter:
    def __init__(self, count) -> None:
        self.count = count

    async def handle_DATA(self, server, session, envelope):
        with self.count.get_lock():
            self.count.value += 1
        return "250 OK"


def serve(port, ready, count) -> None:
    controller = Controller(Counter(count), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("n", nargs="?", type=int, default=2000)
    p.add_argument("--database-url", default=None)
    p.add_argument("--batch", type=int, default=100)
    args = p.parse_args()
    logging.disable(logging.INFO)

    from _fu_common import make_app

    app, db = make_app(args.database_url)
    from caseapp.cases.services import open_case
    from caseapp.documents.models import Direction
    from caseapp.documents.services import DocumentDraft, register_document
    from caseapp.notifications.models import Notification
    from caseapp.registry.services import create_series

    series = create_series("KS", name="Kommunstyrelsen", actor=None)
    case = open_case(series, title="Bänk", actor=None)
    docs = [
        register_document(
            case, DocumentDraft(direction=Direction.IN, subject=f"Handling {i}"), actor=None
        )
        for i in range(10)
    ]
    db.session.commit()
    t = Notification.__table__
    rows = [
        {
            "kind": "registration",
            "status": "queued",
            "recipient_email": f"postlista{i}@ange.se",
            "recipient_name": f"Postlista {i}",
            "language": "sv",
            "case_id": case.id,
            "document_id": docs[i % 10].id,
            "attempts": 0,
            "next_attempt_at": docs[0].registered_at,
            "created_at": docs[0].registered_at,
        }
        for i in range(args.n)
    ]
    db.session.execute(sa.insert(t), rows)
    db.session.commit()

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The server runs in its own process, as a real MTA would: it must not share our GIL.
    ready, count = mp.Event(), mp.Value("i", 0)
    server = mp.Process(target=serve, args=(port, ready, count), daemon=True)
    server.start()
    ready.wait(10)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, NOTIFY_BATCH_SIZE=args.batch)

    from caseapp.notifications.worker import run_once

    started = time.perf_counter()
    stats = run_once()
    elapsed = time.perf_counter() - started
    time.sleep(0.2)
    server.terminate()
    dialect = db.engine.dialect.name
    print(
        f"{dialect}: delivered {stats.delivered} of {args.n} in {elapsed:.2f} s "
        f"= {stats.delivered / elapsed:.0f} messages/s "
        f"(server counted {count.value}, batches {stats.batches} of {args.batch})"
    )


if __name__ == "__main__":
    main()

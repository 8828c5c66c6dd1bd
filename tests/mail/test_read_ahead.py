"""The read-ahead workers of a bulk ``mail import``: every file comes back, in order, parsed
and stored, or as None for the main process to do itself."""

from import_fixtures import make_eml

from caseapp.documents import filestore
from caseapp.mail import bulk


def test_files_come_back_in_order_prepared_by_two_workers(app, tmp_path, monkeypatch):
    paths = []
    for n in range(7):
        p = tmp_path / f"m{n}.eml"
        p.write_bytes(make_eml(n))
        paths.append(p)
    missing = tmp_path / "gone.eml"  # unreadable: left to the main process
    big = tmp_path / "big.eml"  # over the per-file limit: left to the main process
    monkeypatch.setattr(bulk, "AHEAD_BYTES", bulk.AHEAD_FILES * 1024)
    big.write_bytes(make_eml(99, body="x" * 5000))
    order = [paths[0], missing, *paths[1:4], big, *paths[4:]]

    with app.app_context():
        got = list(bulk.read_ahead(order, 2))

    assert [p for p, _ in got] == order
    by_path = dict(got)
    assert by_path[missing] is None and by_path[big] is None
    for p in paths:
        (prepared,) = by_path[p]
        assert prepared.data == p.read_bytes()
        assert prepared.chain.messages[0].subject.startswith("Fråga nummer")
        with app.app_context():  # stored (durably) by the worker before it answered
            assert filestore.exists(prepared.sha256)

"""Downloads stream from the file store: a large file in constant memory, in full or by
``Range``, revalidated by its digest, and still only for those who may read it."""

import hashlib
import tracemalloc
from urllib.parse import quote

import pytest
from flask import g

from caseapp.documents.services import AttachmentInput
from caseapp.extensions import db

SIZE = 20 * 1024 * 1024


@pytest.fixture
def big(factory):
    # Not random: the same 20 MB each run, and not one repeated byte a filter could shrink.
    block = hashlib.sha256(b"bilaga").digest() * 32768  # 1 MB
    data = block * (SIZE // len(block))
    case = factory.case()
    doc = factory.document(
        case,
        attachments=[AttachmentInput("ritning\u202egnp.pdf", "application/pdf", data)],
    )
    db.session.commit()
    url = "/documents/" + quote(doc.number, safe="/") + f"/attachments/{doc.attachments[0].id}"
    return url, hashlib.sha256(data).hexdigest()


def _stream(client, url, **headers):
    """The response and the digest and length of its body, read chunk by chunk."""
    response = client.get(url, headers=headers, buffered=False)
    digest, length = hashlib.sha256(), 0
    for chunk in response.response:
        digest.update(chunk)
        length += len(chunk)
    response.close()
    return response, digest.hexdigest(), length


def test_a_20_mb_attachment_downloads_in_full_in_constant_memory(client, login_as, big):
    url, sha = big
    login_as("reader")
    tracemalloc.start()
    try:
        response, digest, length = _stream(client, url)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    assert length == SIZE and digest == sha
    assert peak < SIZE // 10, f"peak {peak} bytes for a {SIZE} byte file"
    assert response.headers["Content-Length"] == str(SIZE)
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"] == f'"{sha}"' and "Last-Modified" in response.headers
    # The disguised name is offered without its right-to-left override.
    assert "ritninggnp.pdf" in response.headers["Content-Disposition"]
    assert "attachment" in response.headers["Content-Disposition"]


def test_a_range_is_answered_206_with_that_part(client, login_as, big):
    url, _sha = big
    login_as("reader")
    with client.get(url, headers={"Range": "bytes=10485760-10485775"}) as response:
        assert response.status_code == 206
        assert response.headers["Content-Range"] == f"bytes 10485760-10485775/{SIZE}"
        assert len(response.data) == 16
    response, _digest, length = _stream(client, url, Range=f"bytes={SIZE - 100}-")
    assert response.status_code == 206 and length == 100
    with client.get(url, headers={"Range": f"bytes={SIZE + 10}-"}) as response:
        assert response.status_code == 416


def test_a_copy_the_browser_has_is_revalidated_by_its_digest(client, login_as, big):
    url, sha = big
    login_as("reader")
    with client.get(url, headers={"If-None-Match": f'"{sha}"'}) as response:
        assert response.status_code == 304 and response.data == b""


def test_a_confidential_attachment_is_not_for_the_wrong_user_nor_kept(client, login_as, factory):
    case = factory.case(confidential=True, legal_basis="OSL 26 kap. 1 §")
    doc = factory.document(
        case, attachments=[AttachmentInput("utredning.pdf", "application/pdf", b"%PDF hemlig")]
    )
    db.session.commit()
    url = "/documents/" + quote(doc.number, safe="/")
    files = [f"{url}/attachments/{doc.attachments[0].id}"]
    login_as("reader")
    for file_url in files:
        response = client.get(file_url)
        assert response.status_code == 403
        assert b"hemlig" not in response.data
    g.pop("_login_user", None)
    login_as("registrar")
    with client.get(files[0]) as response:
        assert response.status_code == 200 and response.data == b"%PDF hemlig"
        assert response.headers["Cache-Control"] == "no-store"
    with client.get(files[0], headers={"Range": "bytes=0-3"}) as ranged:
        assert ranged.status_code == 206 and ranged.data == b"%PDF"
        assert ranged.headers["Cache-Control"] == "no-store"

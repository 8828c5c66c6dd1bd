"""Documents in the browser: a document's page, correcting, cancelling, downloading."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from caseapp.auth.permissions import Perm, require
from caseapp.cases.access import can_read
from caseapp.cases.forms import STATUS_LABELS
from caseapp.documents import filestore
from caseapp.documents.forms import (
    DIRECTION_LABELS,
    KIND_LABELS,
    ROLE_LABELS,
    CancelForm,
    DocumentEditForm,
)
from caseapp.documents.models import Attachment, Document, Party
from caseapp.documents.queries import document_children
from caseapp.documents.services import cancel_document, update_document
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.forms import form_version, show_service_error
from caseapp.i18n import labels
from caseapp.text import clean_filename

bp = Blueprint("documents", __name__, url_prefix="/documents")


def party_url(party: Party) -> str | None:
    """The directory page of the contact or mailbox a party is linked to, if there is one."""
    if party.contact_id is not None:
        return url_for("directory.contact", id=party.contact_id)
    if party.mailbox_id is not None:
        return url_for("directory.mailbox", id=party.mailbox_id)
    return None


def organisation_url(organisation) -> str | None:
    return url_for("directory.organisation", id=organisation.id) if organisation else None


def template_labels() -> dict:
    """Context for case and document templates: enum values as words (translated once per
    render, not once per row), directory links."""
    return {
        "status_labels": labels(STATUS_LABELS),
        "direction_labels": labels(DIRECTION_LABELS),
        "kind_labels": labels(KIND_LABELS),
        "role_labels": labels(ROLE_LABELS),
        "party_url": party_url,
        "organisation_url": organisation_url,
    }


bp.context_processor(template_labels)


def _actor():
    # Services store the user in relationships; they need the object, not the proxy.
    return current_user._get_current_object()


def _document_or_404(number: str) -> Document:
    if "\x00" in number or len(number) > 60:
        abort(404)  # cannot be a document number; PostgreSQL would refuse the NUL outright
    return db.first_or_404(
        sa.select(Document)
        .where(Document.number == number)
        .options(
            # One row each: in the document's own statement.
            joinedload(Document.case),
            joinedload(Document.registered_by),
            joinedload(Document.cancelled_by),
            joinedload(Document.moved_by),
            # A statement each, however many: the page links a party by its ids alone.
            selectinload(Document.parties),
            selectinload(Document.attachments),
            selectinload(Document.parent).selectinload(Document.parties),
        )
    )


def _readable_or_403(number: str) -> Document:
    """The document for a page that shows or changes it in full: 403 without need-to-know
    (its files, its edit form, cancelling it)."""
    doc = _document_or_404(number)
    if not can_read(current_user, doc):
        abort(403)
    return doc


def _render_show(doc: Document, cancel_form: CancelForm | None = None, status: int = 200):
    return render_template(
        "documents/show.html",
        doc=doc,
        case=doc.case,
        children={doc.id: document_children(doc)},
        cancel_form=cancel_form or CancelForm(formdata=None),
    ), status


@bp.get("/<path:number>")
@login_required
@require(Perm.VIEW)
def show(number: str):
    return _render_show(_document_or_404(number))


@bp.route("/<path:number>/edit", methods=["GET", "POST"])
@login_required
@require(Perm.REGISTER)
def edit(number: str):
    doc = _readable_or_403(number)
    if doc.is_cancelled and request.method == "GET":
        # Nothing to correct: back to the document. A POST is refused by the service.
        flash(_("A cancelled document cannot be changed."), "error")
        return redirect(url_for("documents.show", number=number))
    form = DocumentEditForm(obj=doc)
    status = 200
    if form.validate_on_submit():
        try:
            update_document(doc, version=form_version(form), actor=_actor(), **form.metadata())
            db.session.flush()
        except (ServiceError, StaleDataError) as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            db.session.commit()
            flash(_("Document %(number)s was saved.", number=number), "success")
            return redirect(url_for("documents.show", number=number))
    elif form.is_submitted():
        status = 400
    return render_template("documents/edit.html", form=form, doc=doc, case=doc.case), status


@bp.post("/<path:number>/cancel")
@login_required
@require(Perm.CANCEL)
def cancel(number: str):
    doc = _readable_or_403(number)
    form = CancelForm()
    if not form.validate_on_submit():
        return _render_show(doc, form, 400)
    try:
        cancel_document(doc, reason=form.reason.data, actor=_actor())
    except ServiceError as exc:
        db.session.rollback()
        return _render_show(doc, form, show_service_error(form, exc))
    db.session.commit()
    flash(_("Document %(number)s is cancelled. Its number stays taken.", number=number), "success")
    return redirect(url_for("documents.show", number=number))


def _download(sha256: str, name: str | None, fallback: str, media_type: str | None):
    """A stored file as a download, streamed from the store (never read into memory): a
    ``Range`` is answered 206 with that part, the digest is its ETag and the file's time
    its Last-Modified, so a browser revalidates rather than fetches again. The name is
    cleaned as an upload's is. Confidential content is never stored by the browser
    (``cases.views``: the view asked ``can_read`` about it)."""
    try:
        path = filestore.stored_path(sha256)
    except FileNotFoundError:
        # A registered file missing from the store is damage to the record, not a bad link.
        current_app.logger.error("stored file %s is missing", sha256)
        raise
    return send_file(
        path,
        as_attachment=True,
        download_name=clean_filename(name) or fallback,
        mimetype=media_type or "application/octet-stream",
        etag=sha256,
        conditional=True,
    )


@bp.get("/<path:number>/attachments/<int:attachment_id>")
@login_required
@require(Perm.VIEW)
def attachment(number: str, attachment_id: int):
    doc = _readable_or_403(number)
    att = db.first_or_404(
        sa.select(Attachment).where(
            Attachment.id == attachment_id, Attachment.document_id == doc.id
        )
    )
    return _download(att.sha256, att.filename, f"attachment-{att.id}", att.media_type)


@bp.get("/<path:number>/original")
@login_required
@require(Perm.VIEW)
def original(number: str):
    doc = _readable_or_403(number)
    if not doc.original_sha256:
        abort(404)
    fallback = f"{doc.number.replace('/', '-')}.eml"
    return _download(doc.original_sha256, doc.original_filename, fallback, doc.original_media_type)

"""Moving a document to another case from its page, and old numbers that lead on.

Adds to the documents blueprint; imported before the blueprint is registered.
"""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import aliased
from sqlalchemy.orm.exc import StaleDataError

from caseapp.auth.permissions import Perm, can, require
from caseapp.documents.forms import CancelForm, MoveForm
from caseapp.documents.models import Document
from caseapp.documents.queries import document_children
from caseapp.documents.services import earlier_numbers, linked_documents, move_document
from caseapp.documents.views import bp
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.forms import show_service_error

# Moving, like cancelling, corrects the register: the registrar's task (and the admin's).
MOVE = Perm.CANCEL

bp.add_app_template_global(earlier_numbers, "earlier_numbers")
bp.add_app_template_global(linked_documents, "moves_with")
bp.add_app_template_global(lambda: MoveForm(formdata=None), "empty_move_form")


def _document_or_404(number: str) -> Document:
    if "\x00" in number or len(number) > 60:
        abort(404)  # cannot be a document number; PostgreSQL would refuse the NUL outright
    return db.first_or_404(sa.select(Document).where(Document.number == number))


@bp.post("/<path:number>/move")
@login_required
@require(MOVE)
def move(number: str):
    doc = _document_or_404(number)
    form = MoveForm()
    status = 400
    if form.validate_on_submit():
        try:
            moved = [(d, d.number) for d in linked_documents(doc)]
            move_document(doc, to=form.case, actor=current_user, reason=form.reason.data)
            db.session.commit()
        except (ServiceError, StaleDataError) as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            flash(
                _(
                    "%(old)s was moved to %(new)s. The old number stays taken and leads here.",
                    old=number,
                    new=doc.number,
                ),
                "success",
            )
            for other, old in moved:
                if other is not doc:
                    flash(
                        _("%(old)s moved with it and is now %(new)s.", old=old, new=other.number),
                        "success",
                    )
            return redirect(url_for("documents.show", number=doc.number))
    return render_template(
        "documents/show.html",
        doc=doc,
        case=doc.case,
        children={doc.id: document_children(doc)},
        cancel_form=CancelForm(formdata=None),
        move_form=form,
    ), status


# Pages of a document that, asked for under an old number, are the document's own.
_FOLLOW_THE_DOCUMENT = {"documents.edit", "documents.original", "documents.attachment"}
_OLD, _NOW = aliased(Document), aliased(Document)
_NUMBER_NOW = (
    sa.select(_NOW.number)
    .join(_OLD, _OLD.moved_to_id == _NOW.id)
    .where(_OLD.number == sa.bindparam("number"))
)


@bp.before_request
def _old_number_leads_on():
    """A file or the correction form asked for under a moved document's old number: go
    to the same under its number now. (The old number's own page stays: it says where
    the document went.)"""
    if request.method not in ("GET", "HEAD") or request.endpoint not in _FOLLOW_THE_DOCUMENT:
        return None
    if not can(current_user, Perm.VIEW):
        return None  # the view asks for a login; an old number tells nobody else anything
    values = dict(request.view_args or {})
    number = values.get("number", "")
    if "\x00" in number or len(number) > 60:
        return None  # the view answers 404
    now = db.session.scalar(_NUMBER_NOW, {"number": number})
    if now is None:
        return None
    return redirect(url_for(request.endpoint, **(values | {"number": now})))

"""Mail import in the UI: upload or paste, the inbox, review and confirm."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from caseapp.auth.permissions import Perm, require
from caseapp.cases.models import Case
from caseapp.cases.services import get_case
from caseapp.documents.models import Direction
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.mail import inbox
from caseapp.mail import proposal as proposals
from caseapp.mail.forms import DiscardForm, ImportForm, review_form
from caseapp.mail.importer import ImportDecision, NewContact, NewFollowUp, register_inbox_item
from caseapp.mail.proposal import Proposal, build_proposal
from caseapp.registry.services import get_series

bp = Blueprint("mail", __name__, url_prefix="/mail")

EXCERPT = 1500

SOURCE_LABELS = {
    inbox.InboxSource.UPLOAD: _l("Uploaded"),
    inbox.InboxSource.PASTE: _l("Pasted"),
    inbox.InboxSource.SMTP: _l("By mail (SMTP)"),
    inbox.InboxSource.LMTP: _l("By mail (LMTP)"),
    inbox.InboxSource.IMAP: _l("From the mailbox (IMAP)"),
    inbox.InboxSource.CLI: _l("Command line"),
}
KIND_LABELS = {"original": _l("original"), "forward": _l("forward"), "reply": _l("reply")}
DIRECTION_LABELS = {
    Direction.IN: _l("incoming"),
    Direction.OUT: _l("outgoing"),
    Direction.INTERNAL: _l("internal"),
}
ROLE_LABELS = {
    "from": _l("sender"),
    "to": _l("recipient"),
    "cc": _l("copy"),
    "bcc": _l("blind copy"),
}
MATCH_LABELS = {
    proposals.MATCH_THREAD: _l(
        "The case was found from the thread: the mail answers or forwards a registered message."
    ),
    proposals.MATCH_REGISTERED: _l(
        "The case was found from a message of the mail that is registered already."
    ),
    proposals.MATCH_NUMBER: _l("The case was found from the case number in the subject."),
    proposals.MATCH_ORGANISATION: _l(
        "The case was found from the counterpart organisation; it is its most recent open case."
    ),
    proposals.MATCH_NEW: _l("No case was found: a new case is proposed."),
}


def case_url(case: Case) -> str:
    try:
        return url_for("cases.show", number=case.number)
    except BuildError:  # the case pages are not installed: the inbox shows the result
        return url_for("mail.inbox_list")


def link(endpoint: str, **values) -> str | None:
    """A URL, or None when that page is not installed (features are built in parallel)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.context_processor
def _labels():
    return {
        "source_labels": SOURCE_LABELS,
        "kind_labels": KIND_LABELS,
        "direction_labels": DIRECTION_LABELS,
        "role_labels": ROLE_LABELS,
        "match_labels": MATCH_LABELS,
        "link": link,
        "case_url": case_url,
    }


@bp.route("/import", methods=["GET", "POST"])
@login_required
@require(Perm.REGISTER)
def import_mail():
    form = ImportForm()
    if form.validate_on_submit():
        limit = inbox.max_size()
        uploads = [f for f in request.files.getlist(form.files.name) if f and f.filename]
        pieces: list[tuple[bytes, str | None, inbox.InboxSource]] = []
        for f in uploads:
            data = f.stream.read(limit + 1)
            if len(data) > limit:
                form.files.errors.append(
                    _(
                        "The file %(name)s is larger than %(mb)s MB; nothing was stored.",
                        name=inbox.safe_filename(f.filename) or "?",
                        mb=limit // (1024 * 1024),
                    )
                )
                continue
            if not data.strip():
                form.files.errors.append(
                    _("The file %(name)s is empty.", name=inbox.safe_filename(f.filename) or "?")
                )
                continue
            pieces.extend((p, f.filename, inbox.InboxSource.UPLOAD) for p in inbox.split_mbox(data))
        text = (form.text.data or "").strip()
        if text:
            raw = text.encode("utf-8")
            if len(raw) > limit:
                form.text.errors.append(_("The pasted text is too large; nothing was stored."))
            else:
                pieces.append((raw, None, inbox.InboxSource.PASTE))
        if not pieces and not form.errors:
            form.files.errors.append(_("Choose a file or paste a mail."))
        if not form.errors:
            items = [
                inbox.store_message(data, source=source, filename=name, actor=current_user)
                for data, name, source in pieces
            ]
            db.session.commit()
            if len(items) == 1:
                return redirect(url_for("mail.review", item_id=items[0].id))
            flash(_("%(n)s mails are waiting to be registered.", n=len(items)), "success")
            return redirect(url_for("mail.inbox_list"))
    return render_template("mail_import/import.html", form=form), 400 if form.errors else 200


@bp.get("/inbox")
@login_required
@require(Perm.REGISTER)
def inbox_list():
    items = inbox.pending_items()
    return render_template("mail_import/inbox.html", items=items, waited=inbox.waited)


def _item_or_404(item_id: int) -> inbox.InboxItem:
    item = inbox.get_item(item_id)
    if item is None:
        abort(404)
    return item


def _proposal(item: inbox.InboxItem) -> Proposal | None:
    from caseapp.mail.parse import MailParseError

    if item.parse_error:
        return None
    try:
        chain = inbox.load_chain(item)
    except MailParseError as exc:  # stored before a parser change: show why, keep the item
        item.parse_error = str(exc)[:2000]
        return None
    return build_proposal(chain)


def _render_review(item, proposal, form, status=200):
    return (
        render_template(
            "mail_import/review.html",
            item=item,
            proposal=proposal,
            form=form,
            discard_form=DiscardForm(),
            excerpt=EXCERPT,
        ),
        status,
    )


@bp.get("/inbox/<int:item_id>")
@login_required
@require(Perm.REGISTER)
def review(item_id: int):
    item = _item_or_404(item_id)
    proposal = _proposal(item) if item.is_pending else None
    form = review_form(proposal) if proposal else None
    return _render_review(item, proposal, form)


def _decision(form, proposal: Proposal) -> ImportDecision | None:
    """The registrar's choices from a validated review form; None (with field errors) if
    they do not add up."""
    decision = ImportDecision()
    if form.case_choice.data == "existing":
        case = get_case(form.case_number.data or "")
        if case is None:
            form.case_number.errors.append(_("There is no case with that number."))
            return None
        decision.case = case
    else:
        series = get_series(form.series.data or "")
        if series is None:
            form.series.errors.append(_("Choose a number series."))
            return None
        title = (form.title.data or "").strip()
        if not title:
            form.title.errors.append(_("A new case needs a title."))
            return None
        decision.new_case_series = series
        decision.new_case_title = title
        decision.new_case_organisation = proposal.organisation
    decision.indexes = [m.index for m in proposal.messages if form[f"msg_{m.index}"].data]
    decision.contacts = [
        NewContact(p.address, p.new_name, p.new_title, p.new_phone, p.organisation)
        for j, p in enumerate(proposal.new_parties)
        if form[f"contact_{j}"].data
    ]
    ok = True
    for k, f in enumerate(proposal.followups):
        if not form[f"fu_{k}"].data:
            continue
        title, due = (form[f"fu_{k}_title"].data or "").strip(), form[f"fu_{k}_due"].data
        if not title:
            form[f"fu_{k}_title"].errors.append(_("A follow-up needs a title."))
            ok = False
        if due is None:
            form[f"fu_{k}_due"].errors.append(_("A follow-up needs a due date."))
            ok = False
        decision.followups.append(NewFollowUp(title, due, f.message_index))
    return decision if ok else None


@bp.post("/inbox/<int:item_id>/confirm")
@login_required
@require(Perm.REGISTER)
def confirm(item_id: int):
    item = _item_or_404(item_id)
    if not item.is_pending:
        flash(_("This mail has been handled already."), "warning")
        return redirect(url_for("mail.review", item_id=item.id))
    proposal = _proposal(item)
    if proposal is None:
        flash(_("The mail could not be read, so it cannot be registered."), "error")
        return redirect(url_for("mail.review", item_id=item.id))
    form = review_form(proposal)
    decision = _decision(form, proposal) if form.validate() else None
    if decision is None:
        return _render_review(item, proposal, form, 400)
    try:
        result = register_inbox_item(item, decision, actor=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message(), "error")
        item = _item_or_404(item_id)
        if not item.is_pending:
            return redirect(url_for("mail.review", item_id=item.id))
        proposal = _proposal(item)
        return _render_review(item, proposal, review_form(proposal), 409)
    db.session.commit()
    if result.documents:
        flash(
            _(
                "Registered as %(numbers)s.",
                numbers=", ".join(d.number for d in result.documents),
            ),
            "success",
        )
    for i, doc in sorted(result.skipped.items()):
        flash(
            _("Message %(n)s was registered already as %(number)s.", n=i + 1, number=doc.number),
            "warning",
        )
    for note in result.diagnostics:
        flash(note, "warning")
    return redirect(case_url(result.case))


@bp.post("/inbox/<int:item_id>/discard")
@login_required
@require(Perm.REGISTER)
def discard(item_id: int):
    item = _item_or_404(item_id)
    form = DiscardForm()
    if not form.validate_on_submit():
        flash(_("Say why the mail is not registered."), "error")
        return redirect(url_for("mail.review", item_id=item.id))
    try:
        inbox.discard(item, actor=current_user, reason=form.reason.data)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message(), "error")
        return redirect(url_for("mail.review", item_id=item.id))
    db.session.commit()
    flash(_("The mail was taken off the list without being registered."), "success")
    return redirect(url_for("mail.inbox_list"))


@bp.get("/inbox/<int:item_id>/original")
@login_required
@require(Perm.REGISTER)
def original(item_id: int):
    """The mail exactly as received, as a download (never rendered in the browser)."""
    item = _item_or_404(item_id)
    response = current_app.response_class(
        inbox.raw_bytes(item), mimetype="application/octet-stream"
    )
    name = item.filename or f"inbox-{item.id}.eml"
    from urllib.parse import quote

    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"inbox-{item.id}.bin\"; filename*=UTF-8''{quote(name)}"
    )
    return response

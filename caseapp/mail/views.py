"""Mail import in the UI: upload or paste, the inbox, review and confirm."""

from __future__ import annotations

from urllib.parse import quote

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

from caseapp import navcache
from caseapp.auth.models import User
from caseapp.auth.permissions import Perm, can, require
from caseapp.cases import access
from caseapp.cases.queries import officers
from caseapp.cases.services import get_case
from caseapp.directory.models import OrganisationKind
from caseapp.documents.models import Direction
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.forms import show_service_error
from caseapp.links import case_url
from caseapp.mail import casematch, digests, inbox
from caseapp.mail import proposal as proposals
from caseapp.mail.counterparts import NewOrganisation
from caseapp.mail.forms import DiscardForm, ImportForm, review_form
from caseapp.mail.importer import ImportDecision, NewContact, NewFollowUp, register_inbox_item
from caseapp.mail.models import InboxItem, InboxSource
from caseapp.mail.parse import MailParseError
from caseapp.mail.proposal import Proposal, build_proposal
from caseapp.mail.races import replay_lost_races
from caseapp.registry.services import get_series
from caseapp.urls import MAX_ID

bp = Blueprint("mail", __name__, url_prefix="/mail")

EXCERPT = 1500
# Messages one upload may hold: each is parsed and stored within the one request, and a
# request must end well inside a web worker's timeout. More: the command line imports them.
DEFAULT_MAX_UPLOAD_MESSAGES = 500


def max_upload_messages() -> int:
    return int(current_app.config.get("MAIL_UPLOAD_MAX_MESSAGES") or DEFAULT_MAX_UPLOAD_MESSAGES)


SOURCE_LABELS = {
    InboxSource.UPLOAD: _l("Uploaded"),
    InboxSource.PASTE: _l("Pasted"),
    InboxSource.SMTP: _l("By mail (SMTP)"),
    InboxSource.LMTP: _l("By mail (LMTP)"),
    InboxSource.IMAP: _l("From the mailbox (IMAP)"),
    InboxSource.CLI: _l("Command line"),
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
    casematch.MATCH_THREAD: _l(
        "The case was found from the thread: the mail answers or forwards a registered message."
    ),
    casematch.MATCH_REGISTERED: _l(
        "The case was found from a message of the mail that is registered already."
    ),
    casematch.MATCH_NUMBER: _l("The case was found from the case number in the subject."),
    casematch.MATCH_ORGANISATION: _l(
        "The case was found from the counterpart organisation; it is its most recent open case."
    ),
    casematch.MATCH_NEW: _l("No case was found: a new case is proposed."),
    casematch.MATCH_CHOSEN: _l("The case was chosen."),
}
SAME_LABELS = {
    digests.SAME_FILE: _l("the same file"),
    digests.SAME_MESSAGE_ID: _l("the same Message-ID and content"),
    digests.SAME_CONTENT: _l("the same sender, time and text"),
    digests.QUOTED_REPLY: _l("the message the reply answers"),
}
LINK_LABELS = {
    proposals.LINK_CHAIN: _l("It wraps the message below it, which is registered with it."),
    proposals.LINK_THREAD: _l("its In-Reply-To or References header names that document"),
    proposals.LINK_QUOTED: _l("the message it quotes is that document"),
    proposals.LINK_NUMBER: _l("its subject names that document"),
}
SKIP_LABELS = {
    proposals.SKIP_REGISTERED: _l("Registered already."),
    proposals.SKIP_DUPLICATE: _l("The same message is further down in this mail."),
    proposals.SKIP_FRAGMENT: _l(
        "A quoted message whose header lacks its recipients or its date: not proposed."
    ),
    proposals.SKIP_AUTOMATIC: _l("An automatic reply: not proposed."),
    proposals.SKIP_REPORT: _l("A delivery report: not proposed."),
}
TIME_NOTES = {
    "read-as-utc": _l(
        "The time was written without a time zone and, read as Swedish time, lies before the "
        "message it quotes; it was read as UTC (%(local)s Swedish time)."
    ),
    "before-quoted": _l(
        "The stated time lies before the time of the message it quotes; it is kept as written."
    ),
}


def _inbox_count():
    """How much mail waits to be registered, for the navigation of those who register: one
    COUNT of the status index's pending entries, kept for a short time in this process
    (``caseapp.navcache``; the same for every registrar). Mail handled here shows at once;
    mail that arrives through the gateway or the poller, in their own processes, within
    ``NAV_COUNTS_SECONDS``."""
    if not can(current_user, Perm.REGISTER):
        return {"inbox_count": None}
    return {"inbox_count": navcache.cached("inbox", None, inbox.pending_count)}


def init_app(app) -> None:
    """Register the blueprint and the navigation count."""
    app.register_blueprint(bp)
    app.context_processor(_inbox_count)


@bp.context_processor
def _labels():
    return {
        "source_labels": SOURCE_LABELS,
        "kind_labels": KIND_LABELS,
        "direction_labels": DIRECTION_LABELS,
        "role_labels": ROLE_LABELS,
        "match_labels": MATCH_LABELS,
        "same_labels": SAME_LABELS,
        "link_labels": LINK_LABELS,
        "skip_labels": SKIP_LABELS,
        "time_notes": TIME_NOTES,
    }


# ---------------------------------------------------------------- intake


def _read_uploads(form: ImportForm) -> list[tuple[bytes, str | None, InboxSource]]:
    """The uploaded files' messages and the pasted text, or errors on the form."""
    limit = inbox.max_size()
    pieces = []
    for f in (f for f in request.files.getlist(form.files.name) if f and f.filename):
        name = inbox.safe_filename(f.filename) or "?"
        data = f.stream.read(limit + 1)
        if len(data) > limit:
            form.files.errors.append(
                _(
                    "The file %(name)s is larger than %(limit)s; nothing was stored.",
                    name=name,
                    limit=inbox.max_size_text(),
                )
            )
        elif not data.strip():
            form.files.errors.append(_("The file %(name)s is empty.", name=name))
        else:
            pieces.extend((p, f.filename, InboxSource.UPLOAD) for p in inbox.split_mbox(data))
    if len(pieces) > max_upload_messages():
        form.files.errors.append(
            _(
                "The upload holds %(n)s messages; at most %(limit)s can be uploaded at once, "
                "and nothing was stored. Split the mbox file, or import it from the command "
                "line (caseapp mail import).",
                n=len(pieces),
                limit=max_upload_messages(),
            )
        )
        return []
    text = (form.text.data or "").strip()
    if text:
        raw = text.encode("utf-8")
        if len(raw) > limit:
            form.text.errors.append(
                _(
                    "The pasted text is larger than %(limit)s; nothing was stored.",
                    limit=inbox.max_size_text(),
                )
            )
        else:
            pieces.append((raw, None, InboxSource.PASTE))
    if not pieces and not form.errors:
        form.files.errors.append(_("Choose a file or paste a mail."))
    return pieces


def _store_all(form, pieces) -> list[InboxItem] | None:
    """Every piece stored, or none (the refusal on the form) if one is not mail. A piece
    that waits in the inbox already is said so, and not stored twice."""
    items = []
    for data, name, source in pieces:
        if inbox.waiting_copy(data) is not None:
            label = inbox.safe_filename(name) or _("The pasted text")
            flash(_("%(name)s is waiting to be registered already.", name=label), "info")
        try:
            items.append(
                inbox.store_message(data, source=source, filename=name, actor=current_user)
            )
        except ServiceError as exc:
            db.session.rollback()
            field = form.text if source == InboxSource.PASTE else form.files
            label = inbox.safe_filename(name) or _("The pasted text")
            field.errors.append(f"{label}: {exc.message()}")
            return None
    return items


@bp.route("/import", methods=["GET", "POST"])
@login_required
@require(Perm.REGISTER)
def import_mail():
    form = ImportForm()
    if form.validate_on_submit():
        pieces = _read_uploads(form)
        items = None if form.errors else _store_all(form, pieces)
        if items:
            db.session.commit()
            if len(items) == 1:
                return redirect(url_for("mail.review", item_id=items[0].id))
            flash(_("%(n)s mails are waiting to be registered.", n=len(items)), "success")
            return redirect(url_for("mail.inbox_list"))
    status = 400 if form.errors else 200
    return render_template(
        "mail_import/import.html",
        form=form,
        max_size=inbox.max_size_text(),
        max_messages=max_upload_messages(),
    ), status


@bp.get("/inbox")
@login_required
@require(Perm.REGISTER)
def inbox_list():
    size = current_app.config["LIST_PAGE_SIZE"]
    after = _after_item()
    items = inbox.pending_items(size + 1, after=after)
    items, more = items[:size], len(items) > size
    return render_template(
        "mail_import/inbox.html",
        items=items,
        total=inbox.pending_count(),
        next_url=url_for("mail.inbox_list", after=items[-1].id) if more else None,
        first_url=url_for("mail.inbox_list") if after is not None else None,
        seen=digests.seen_elsewhere(items),
        waited=inbox.waited,
    )


def _after_item() -> InboxItem | None:
    """The item a page of the inbox starts after (``?after=<id>``): none for the first
    page, 400 for anything but the id of an inbox item."""
    raw = request.args.get("after")
    if raw is None:
        return None
    item_id = int(raw) if raw.isdigit() and len(raw) <= 10 else 0
    item = inbox.get_item(item_id) if 0 < item_id <= MAX_ID else None
    if item is None:
        abort(400)
    return item


# ---------------------------------------------------------------- review


def _item_or_404(item_id: int) -> InboxItem:
    item = inbox.get_item(item_id)
    if item is None:
        abort(404)
    return item


def _proposal(item: InboxItem) -> Proposal | None:
    if item.parse_error:
        return None
    try:
        chain = inbox.load_chain(item)
    except MailParseError as exc:  # stored before a parser change: show why, keep the item
        item.parse_error = str(exc)[:2000]
        return None
    return build_proposal(
        chain, digests=item.digests, raw_sha256=item.raw_sha256, actor=current_user
    )


def _render_review(item, proposal, form, status=200, discard_form=None):
    return (
        render_template(
            "mail_import/review.html",
            item=item,
            proposal=proposal,
            form=form,
            discard_form=discard_form or DiscardForm(formdata=None),
            excerpt=EXCERPT,
            seen=digests.seen_elsewhere([item]).get(item.id),
        ),
        status,
    )


@bp.get("/inbox/<int:item_id>")
@login_required
@require(Perm.REGISTER)
def review(item_id: int):
    item = _item_or_404(item_id)
    proposal = _proposal(item) if item.is_pending else None
    form = review_form(proposal, officers()) if proposal else None
    return _render_review(item, proposal, form)


def _person(user_id: int | None) -> User | None:
    user = db.session.get(User, user_id) if user_id else None
    return user if user is not None and user.active else None


def _case_choice(form, proposal: Proposal, decision: ImportDecision) -> bool:
    if form.case_choice.data == "existing":
        decision.case = get_case(form.case_number.data or "")
        if decision.case is None:
            form.case_number.errors.append(_("There is no case with that number."))
        elif not access.can_read(current_user, decision.case):
            # Registering into a case shows what it holds: need-to-know first.
            form.case_number.errors.append(
                _("The case is confidential and you are not on its access list.")
            )
            decision.case = None
        return decision.case is not None
    decision.new_case_series = get_series(form.series.data or "")
    decision.new_case_title = (form.title.data or "").strip()
    decision.new_case_officer = _person(form.officer.data)
    decision.new_case_organisation = proposal.organisation
    name = (form.new_organisation_name.data or "").strip()
    if proposal.new_organisation is not None and form.new_organisation.data and name:
        decision.new_organisation = NewOrganisation(
            name=name,
            domain=proposal.new_organisation.domain,
            kind=OrganisationKind.MUNICIPALITY
            if name.casefold().endswith(" kommun")
            else proposal.new_organisation.kind,
        )
    if decision.new_case_series is None:
        form.series.errors.append(_("Choose a number series."))
    if not decision.new_case_title:
        form.title.errors.append(_("A new case needs a title."))
    return decision.new_case_series is not None and bool(decision.new_case_title)


def _followup_choices(form, proposal: Proposal, decision: ImportDecision) -> bool:
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
        assignee = _person(form[f"fu_{k}_assignee"].data)
        decision.followups.append(NewFollowUp(title, due, f.message_index, assignee))
    return ok


def _decision(form, proposal: Proposal) -> ImportDecision | None:
    """The registrar's choices from a validated review form; None (with field errors) if
    they do not add up."""
    decision = ImportDecision()
    ok = _case_choice(form, proposal, decision)
    decision.indexes = [m.index for m in proposal.messages if form[f"msg_{m.index}"].data]
    decision.directions = {
        m.index: Direction(form[f"dir_{m.index}"].data) for m in proposal.messages
    }
    decision.parents = {m.index: m.parent for m in proposal.messages if m.parent is not None}
    decision.contacts = [
        NewContact(p.address, p.new_name, p.new_title, p.new_phone, p.organisation)
        for j, p in enumerate(proposal.new_parties)
        if form[f"contact_{j}"].data
    ]
    ok = _followup_choices(form, proposal, decision) and ok
    return decision if ok else None


def _flash_result(result) -> None:
    if result.documents:
        numbers = ", ".join(d.number for d in result.documents)
        flash(_("Registered as %(numbers)s.", numbers=numbers), "success")
    for i, doc in sorted(result.skipped.items()):
        flash(
            _("Message %(n)s was registered already as %(number)s.", n=i + 1, number=doc.number),
            "warning",
        )


def _register(item: InboxItem, decision: ImportDecision, proposal: Proposal):
    """One attempt at registering the item as decided, committed (replayed when it lost a
    race with a parallel import: the item's claim is taken again, so it registers once)."""
    result = register_inbox_item(item, decision, actor=current_user, chain=proposal.chain)
    db.session.commit()
    return result


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
    form = review_form(proposal, officers())
    decision = _decision(form, proposal) if form.validate() else None
    if decision is None:
        return _render_review(item, proposal, form, 400)
    try:
        # the chain the proposal was built from: the mail is not parsed a second time
        result = replay_lost_races(lambda: _register(item, decision, proposal))
    except ServiceError as exc:
        db.session.rollback()
        item = _item_or_404(item_id)
        if not item.is_pending:
            flash(exc.message(), "error")
            return redirect(url_for("mail.review", item_id=item.id))
        form.form_errors.append(exc.message())
        return _render_review(item, _proposal(item), form, 409)
    _flash_result(result)
    return redirect(case_url(result.case))


@bp.post("/inbox/<int:item_id>/discard")
@login_required
@require(Perm.REGISTER)
def discard(item_id: int):
    item = _item_or_404(item_id)
    form = DiscardForm()
    status = 400
    if form.validate_on_submit():
        try:
            inbox.discard(item, actor=current_user, reason=form.reason.data)
        except ServiceError as exc:
            db.session.rollback()
            item = _item_or_404(item_id)
            status = show_service_error(form, exc)
        else:
            status = None
    if status is not None:  # the refusal on the form, the review around it
        proposal = _proposal(item) if item.is_pending else None
        review = review_form(proposal, officers()) if proposal else None
        return _render_review(item, proposal, review, status, discard_form=form)
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
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"inbox-{item.id}.bin\"; filename*=UTF-8''{quote(name)}"
    )
    return response

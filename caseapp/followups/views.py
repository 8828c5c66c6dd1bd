"""Follow-up pages: the case panel's actions, My follow-ups, the calendar feed, groups."""

from datetime import timedelta

import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from caseapp import navcache
from caseapp.auth.models import User
from caseapp.auth.permissions import Perm, require
from caseapp.cases.access import can_read, document_title, is_confidential, know_cases
from caseapp.cases.models import Case
from caseapp.documents.models import Direction, Document
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.followups import ical, lists
from caseapp.followups import services as fs
from caseapp.followups.forms import (
    AwaitReplyForm,
    CloseForm,
    FollowUpForm,
    GroupForm,
    assignee_from,
    assignee_value,
)
from caseapp.followups.models import FollowUp, UserGroup
from caseapp.followups.rules import add_working_days, holiday_name
from caseapp.forms import form_version
from caseapp.links import case_url
from caseapp.programmes.models import Programme
from caseapp.signals import document_registered, followups_changed
from caseapp.timeutil import local_today
from caseapp.urls import MAX_ID, id_arg, safe_next

bp = Blueprint("followups", __name__, url_prefix="/followups")


def _get_or_404(model, ident: int):
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def _subject_of(fu: FollowUp):
    # A follow-up's title may quote its document ("Svar väntas: <subject>"): it is as
    # confidential as that document, or else as its case.
    return fu.document if fu.document is not None else fu.case


def followup_title(fu: FollowUp) -> str:
    """The follow-up's title, or a masked one for a user without need-to-know."""
    return fu.title if can_read(current_user, _subject_of(fu)) else _("Confidential follow-up")


def _readable_or_403(rec):
    """A case, document or follow-up for a page that changes it: 403 without need-to-know."""
    if not can_read(current_user, _subject_of(rec) if isinstance(rec, FollowUp) else rec):
        abort(403)
    return rec


def _back(case: Case):
    """Where to go after an action: a safe local ``next``, else the case page."""
    target = safe_next(request.form.get("next") or request.args.get("next"))
    return redirect(target or case_url(case, anchor="followups"))


def _flash_moved(fu: FollowUp) -> None:
    if fu.requested_due is None:
        return
    why = format_date(fu.requested_due, "EEEE")
    holiday = holiday_name(fu.requested_due)
    if holiday:
        why = f"{why}, {holiday}"
    flash(
        _(
            "Due date moved from %(requested)s (%(why)s) to %(due)s, the working day before.",
            requested=fu.requested_due.isoformat(),
            why=why,
            due=fu.due.isoformat(),
        ),
        "info",
    )


def _case_documents(case: Case) -> list[Document]:
    return list(
        db.session.scalars(
            sa.select(Document).where(Document.case_id == case.id).order_by(Document.seq)
        )
    )


def _after(name: str) -> tuple | None:
    """Where a page of a list starts: after the follow-up whose id is ``name`` in the query
    string. Missing: the first page; anything but the id of a follow-up: 400."""
    raw = request.args.get(name)
    if raw is None:
        return None
    fu_id = int(raw) if raw.isdigit() and len(raw) <= 10 else 0
    found = lists.position(fu_id) if 0 < fu_id <= MAX_ID else None
    if found is None:
        abort(400)
    return found


def _list_page(arms, param: str, today):
    """One page of a follow-up list with its totals and the link to the next page."""
    page = lists.page(arms, after=_after(param), size=current_app.config["LIST_PAGE_SIZE"])
    parts = {key: [] for key in ("overdue", "today", "this_week", "later")}
    for fu in page.rows:
        parts[lists.part_of(fu.due, today)].append(fu)
    args = request.args.to_dict()
    return {
        "page": page,
        "parts": parts,
        "totals": lists.totals(arms, today),
        "next_url": url_for("followups.mine", **(args | {param: page.last_id}))
        if page.more
        else None,
        "first_url": url_for("followups.mine", **{k: v for k, v in args.items() if k != param})
        if param in args
        else None,
    }


@bp.get("/")
@login_required
@require(Perm.VIEW)
def mine():
    officer_id = id_arg("officer")
    programme_id = id_arg("programme")
    today = local_today()
    filtered = bool(officer_id or programme_id)
    if filtered:
        arms = lists.of_cases(officer_id=officer_id, programme_id=programme_id)
    else:
        arms = lists.theirs(current_user)
    listed = _list_page(arms, "after", today)
    queue = None
    if fs.sees_registry_queue(current_user) and not filtered:
        queue = _list_page(lists.registry_queue(), "queue_after", today)
    shown = listed["page"].rows + (queue["page"].rows if queue else [])
    know_cases(current_user, [fu.case for fu in shown if is_confidential(_subject_of(fu))])
    # EXISTS per user, not "IN (every case's officer)": one look-up in the officer index per
    # user instead of reading the officer of every case.
    officers = db.session.scalars(
        sa.select(User).where(sa.exists().where(Case.officer_id == User.id)).order_by(User.name)
    ).all()
    programmes = db.session.scalars(sa.select(Programme).order_by(Programme.name)).all()
    return render_template(
        "followups/mine.html",
        mine=listed,
        queue=queue,
        today=today,
        officers=officers,
        programmes=programmes,
        officer_id=officer_id,
        programme_id=programme_id,
        feed=ical.calendar_feed(current_user),
    )


@bp.route("/case/<int:case_id>/new", methods=["GET", "POST"])
@login_required
@require(Perm.EDIT_CASE)
def create(case_id: int):
    case = _readable_or_403(_get_or_404(Case, case_id))
    form = FollowUpForm()
    document = None
    if id_arg("document"):
        document = db.session.get(Document, id_arg("document"))
        if document is not None:
            _readable_or_403(document)
    if form.validate_on_submit():
        try:
            fu = fs.create_followup(
                case,
                title=form.title.data,
                due=form.due.data,
                actor=current_user,
                assignee=assignee_from(form.assignee.data),
                document=document,
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message(), "error")
        else:
            flash(_("The follow-up was added."), "success")
            _flash_moved(fu)
            return _back(case)
    return render_template("followups/form.html", form=form, case=case, followup=None)


@bp.route("/<int:fu_id>/edit", methods=["GET", "POST"])
@login_required
@require(Perm.EDIT_CASE)
def edit(fu_id: int):
    fu = _readable_or_403(_get_or_404(FollowUp, fu_id))
    form = FollowUpForm(obj=fu if request.method == "GET" else None)
    if request.method == "GET":
        form.assignee.data = assignee_value(fu)
        form.version.data = str(fu.version)
    if form.validate_on_submit():
        try:
            fs.update_followup(
                fu,
                version=form_version(form),
                actor=current_user,
                title=form.title.data,
                due=form.due.data,
                assignee=assignee_from(form.assignee.data),
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message(), "error")
        else:
            flash(_("The follow-up was changed."), "success")
            _flash_moved(fu)
            return _back(fu.case)
    return render_template("followups/form.html", form=form, case=fu.case, followup=fu)


@bp.route("/<int:fu_id>/close", methods=["GET", "POST"])
@login_required
@require(Perm.EDIT_CASE)
def close(fu_id: int):
    fu = _readable_or_403(_get_or_404(FollowUp, fu_id))
    form = CloseForm()
    form.document.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(str(d.id), f"{d.number} {document_title(current_user, d)}")
        for d in _case_documents(fu.case)
    ]
    if request.method == "GET" and fu.reply_document_id:
        form.outcome.data = "answered"
        form.document.data = str(fu.reply_document_id)
    if form.validate_on_submit():
        doc = db.session.get(Document, int(form.document.data)) if form.document.data else None
        try:
            fs.close_followup(
                fu,
                actor=current_user,
                outcome=form.outcome.data,
                document=doc,
                note=form.note.data,
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message(), "error")
        else:
            flash(_("The follow-up was closed."), "success")
            return _back(fu.case)
    return render_template("followups/close.html", form=form, followup=fu, case=fu.case)


def _simple_action(fu_id: int, action, done_message: str):
    fu = _readable_or_403(_get_or_404(FollowUp, fu_id))
    try:
        action(fu)
        db.session.commit()
        flash(done_message, "success")
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message(), "error")
    return _back(fu.case)


@bp.post("/<int:fu_id>/cancel")
@login_required
@require(Perm.EDIT_CASE)
def cancel(fu_id: int):
    return _simple_action(
        fu_id,
        lambda fu: fs.cancel_followup(fu, actor=current_user, note=request.form.get("note")),
        _("The follow-up was cancelled."),
    )


@bp.post("/<int:fu_id>/reopen")
@login_required
@require(Perm.EDIT_CASE)
def reopen(fu_id: int):
    return _simple_action(
        fu_id,
        lambda fu: fs.reopen_followup(fu, actor=current_user),
        _("The follow-up was reopened."),
    )


@bp.post("/<int:fu_id>/close-with-reply")
@login_required
@require(Perm.EDIT_CASE)
def close_with_reply(fu_id: int):
    return _simple_action(
        fu_id,
        lambda fu: fs.close_with_reply(fu, actor=current_user),
        _("The follow-up was closed as answered by the registered reply."),
    )


@bp.route("/document/<int:document_id>/await-reply", methods=["GET", "POST"])
@login_required
@require(Perm.EDIT_CASE)
def await_reply(document_id: int):
    doc = _readable_or_403(_get_or_404(Document, document_id))
    if doc.direction != Direction.IN:
        abort(404)
    form = AwaitReplyForm()
    if request.method == "GET":
        form.due.data = add_working_days(local_today(), 10)
    if form.validate_on_submit():
        try:
            fu = fs.await_reply(
                doc,
                due=form.due.data,
                actor=current_user,
                assignee=assignee_from(form.assignee.data),
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message(), "error")
        else:
            flash(_("The document is marked as awaiting a reply."), "success")
            _flash_moved(fu)
            return _back(doc.case)
    return render_template("followups/await_reply.html", form=form, document=doc, case=doc.case)


@bp.post("/calendar/token")
@login_required
@require(Perm.VIEW)
def calendar_token():
    token = ical.issue_calendar_token(current_user)
    db.session.commit()
    # Shown once, in this response: only its hash is kept, so it cannot be shown again.
    url = url_for("followups.ical_feed", token=token, _external=True)
    return render_template("followups/calendar_token.html", url=url)


@bp.post("/calendar/revoke")
@login_required
@require(Perm.VIEW)
def calendar_revoke():
    if ical.revoke_calendar_token(current_user):
        db.session.commit()
        flash(_("The calendar link was turned off."), "success")
    return redirect(url_for("followups.mine"))


@bp.get("/ical/<token>.ics")
def ical_feed(token: str):
    user = ical.user_for_token(token)
    if user is None:
        abort(404)
    body = ical.calendar_for(user, lambda case: case_url(case, external=True))
    return Response(
        body,
        mimetype="text/calendar",
        # A person's follow-ups, some of them in confidential cases: kept by no cache.
        headers={"Cache-Control": "no-store", "Content-Disposition": "inline"},
    )


@bp.route("/groups", methods=["GET", "POST"])
@login_required
@require(Perm.ADMIN)
def groups():
    form = GroupForm()
    if form.validate_on_submit():
        name = " ".join(form.name.data.split())
        group = db.session.scalar(sa.select(UserGroup).where(UserGroup.name == name))
        if group is None:
            group = UserGroup(name=name)
            db.session.add(group)
        group.members = [db.session.get(User, uid) for uid in form.members.data]
        db.session.flush()
        # Members come and go: the follow-ups their group holds are counted anew.
        navcache.stale_after_commit("followups")
        from caseapp.audit.services import record

        record(
            "group",
            group,
            actor=current_user,
            summary=name,
            after={"members": [u.email for u in group.members]},
        )
        db.session.commit()
        flash(_("The group was saved."), "success")
        return redirect(url_for("followups.groups"))
    all_groups = db.session.scalars(sa.select(UserGroup).order_by(UserGroup.name)).all()
    return render_template("followups/groups.html", form=form, groups=all_groups)


# ------------------------------------------------------------------ wiring


def _new_form(case: Case) -> FollowUpForm:
    form = FollowUpForm(formdata=None)
    form.due.data = add_working_days(local_today(), 10)
    return form


def _nav_counts():
    """Open follow-ups of the logged-in user overdue or due today, for the navigation.

    Counted by ``lists.open_counts`` (one statement, an index range per shape) and kept per
    user for ``NAV_COUNTS_SECONDS`` in this process (``caseapp.navcache``): a follow-up
    changed in this process shows on the next request; one changed in another process, or
    a change of responsibility that touches no follow-up, within that time."""
    user = current_user
    if not getattr(user, "is_authenticated", False):
        return {"followup_counts": None}
    today = local_today()
    counts = navcache.cached(
        "followups",
        (user.id, user.role, today),
        lambda: lists.open_counts(user, today, with_queue=fs.sees_registry_queue(user)),
    )
    return {"followup_counts": counts}


def _followups_changed(_sender=None, **_kwargs) -> None:
    """Receiver of ``followups_changed``: the counts are forgotten when this commits."""
    navcache.stale_after_commit("followups")


def init_app(app: Flask) -> None:
    """Register the blueprint, the case-panel helpers, the nav count and the receivers."""
    app.register_blueprint(bp)
    app.jinja_env.globals["case_followups"] = fs.case_followups
    app.jinja_env.globals["followup_title"] = followup_title
    app.jinja_env.globals["new_followup_form"] = _new_form
    app.jinja_env.globals["followups_today"] = local_today
    app.jinja_env.globals["followups_soon"] = lambda: local_today() + timedelta(days=7)
    app.context_processor(_nav_counts)
    document_registered.connect(fs.on_document_registered)
    followups_changed.connect(_followups_changed)

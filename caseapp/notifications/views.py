"""Outbox (admin), subscriptions (registrars), unsubscribe links (anyone with the link)."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from caseapp.auth.permissions import Perm, can, require
from caseapp.cases import access
from caseapp.cases.models import Case
from caseapp.cases.services import get_case
from caseapp.directory.models import Organisation
from caseapp.errors import ServiceError
from caseapp.extensions import csrf, db
from caseapp.forms import show_service_error
from caseapp.links import case_url
from caseapp.notifications import outbox
from caseapp.notifications import subscriptions as subs
from caseapp.notifications.cancellation import on_document_cancelled
from caseapp.notifications.forms import (
    CaseSubscriptionForm,
    DirectionsForm,
    SubscriptionForm,
    directions_form,
)
from caseapp.notifications.heartbeat import delivery_health
from caseapp.notifications.mailtext import unsubscribe_url
from caseapp.notifications.message import build_message
from caseapp.notifications.models import (
    Notification,
    NotificationStatus,
    Subscription,
    SubscriptionMode,
)
from caseapp.programmes.models import Programme
from caseapp.registry.models import Series
from caseapp.signals import document_cancelled, document_registered
from caseapp.urls import MAX_ID

bp = Blueprint("notifications", __name__)


def _get_or_404(model, ident: int):
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def _to_case(case: Case):
    return redirect(case_url(case, anchor="notifications"))


# ------------------------------------------------------------------ outbox (admins)


@bp.get("/admin/outbox")
@login_required
@require(Perm.ADMIN)
def outbox_list():
    status = request.args.get("status") or None
    if status not in {s.value for s in NotificationStatus}:
        status = None
    before = _before_id()
    size = current_app.config["LIST_PAGE_SIZE"]
    page = outbox.listing(status=status, before=before, size=size)
    args = {"status": status} if status else {}
    return render_template(
        "notifications/outbox.html",
        page=page,
        status=status,
        statuses=list(NotificationStatus),
        failed=outbox.failed_count(),
        health=delivery_health(),
        next_url=url_for("notifications.outbox_list", **args, before=page.rows[-1].id)
        if page.more
        else None,
        first_url=url_for("notifications.outbox_list", **args) if before else None,
    )


def _before_id() -> int | None:
    """Where a page of the outbox starts (``?before=<id>``, newest first): none for the
    first page, 400 for anything but a row id."""
    raw = request.args.get("before")
    if raw is None:
        return None
    value = int(raw) if raw.isdigit() and len(raw) <= 10 else 0
    if not 0 < value <= MAX_ID:
        abort(400)
    return value


@bp.get("/admin/outbox/<int:nid>")
@login_required
@require(Perm.ADMIN)
def outbox_show(nid: int):
    n = db.session.scalar(
        sa.select(Notification)
        .where(Notification.id == nid)
        .options(selectinload(Notification.attempts_log))
    )
    if n is None:
        abort(404)
    raw = None
    if n.subject is not None:
        unsubscribe = None
        if n.subscription is not None:
            unsubscribe = unsubscribe_url(n.subscription)
        raw = build_message(n, unsubscribe).as_string()
    return render_template("notifications/show.html", n=n, raw=raw)


@bp.post("/admin/outbox/<int:nid>/resend")
@login_required
@require(Perm.ADMIN)
def outbox_resend(nid: int):
    n = _get_or_404(Notification, nid)
    try:
        outbox.resend(n, actor=current_user)
        db.session.commit()
        flash(_("The notification is queued to be sent again."), "success")
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message(), "error")
    return redirect(url_for("notifications.outbox_show", nid=nid))


@bp.post("/admin/outbox/<int:nid>/delivered")
@login_required
@require(Perm.ADMIN)
def outbox_mark_delivered(nid: int):
    n = _get_or_404(Notification, nid)
    try:
        outbox.mark_delivered(n, actor=current_user)
        db.session.commit()
        flash(_("The notification is marked delivered."), "success")
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message(), "error")
    return redirect(url_for("notifications.outbox_show", nid=nid))


# ------------------------------------------------------------------ subscriptions


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@bp.route("/subscriptions/", methods=["GET", "POST"])
@login_required
@require(Perm.EDIT_DIRECTORY)
def subscription_list():
    form = SubscriptionForm()
    if form.validate_on_submit():
        case = get_case(form.case_number.data) if form.case_number.data else None
        if form.case_number.data and case is None:
            form.case_number.errors.append(_("There is no case with that number."))
        else:
            try:
                subs.subscribe(
                    actor=current_user,
                    mailbox=form.mailbox.record,
                    case=case,
                    organisation=db.session.get(Organisation, _int(form.organisation.data))
                    if _int(form.organisation.data)
                    else None,
                    series=db.session.get(Series, _int(form.series.data))
                    if _int(form.series.data)
                    else None,
                    programme=db.session.get(Programme, _int(form.programme.data))
                    if _int(form.programme.data)
                    else None,
                    mode=form.mode.data,
                    language=form.language.data,
                    directions=form.directions.data,
                )
                db.session.commit()
            except ServiceError as exc:
                db.session.rollback()
                status = show_service_error(form, exc)
                return _subscription_page(form, status)
            else:
                flash(_("The subscription was saved."), "success")
                return redirect(url_for("notifications.subscription_list"))
    return _subscription_page(form, 400 if form.errors else 200)


def _subscription_page(form: SubscriptionForm, status: int, edit: DirectionsForm | None = None):
    rows = db.session.scalars(
        sa.select(Subscription)
        .where(Subscription.active.is_(True))
        .order_by(Subscription.id.desc())
    ).all()
    forms = {sub.id: directions_form(sub) for sub in rows}
    if edit is not None:
        forms[edit.sub_id] = edit
    return (
        render_template("notifications/subscriptions.html", form=form, rows=rows, forms=forms),
        status,
    )


@bp.post("/subscriptions/<int:sub_id>/directions")
@login_required
@require(Perm.EDIT_DIRECTORY)
def subscription_directions(sub_id: int):
    sub = _get_or_404(Subscription, sub_id)
    form = directions_form(sub, formdata=request.form)
    status = 400
    if form.validate():
        try:
            subs.set_directions(sub, form.directions.data, actor=current_user)
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            flash(_("The subscription now covers the chosen documents."), "success")
            return redirect(url_for("notifications.subscription_list"))
    return _subscription_page(SubscriptionForm(formdata=None), status, edit=form)


@bp.post("/subscriptions/case/<int:case_id>")
@login_required
@require(Perm.EDIT_DIRECTORY)
def subscribe_case(case_id: int):
    case = _get_or_404(Case, case_id)
    form = CaseSubscriptionForm()
    if form.validate_on_submit():
        try:
            subs.subscribe(
                actor=current_user,
                mailbox=form.mailbox.record,
                case=case,
                mode=form.mode.data,
                language=form.language.data,
                directions=form.directions.data,
            )
            db.session.commit()
            flash(_("The mailbox is subscribed to the case."), "success")
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message(), "error")
    else:
        # The case page has no room for the form again: its errors are said as a message.
        if not (form.mailbox.data or "").strip():
            flash(_("Choose a mailbox to subscribe."), "error")
        for errors in form.errors.values() if form.mailbox.data else ():
            for error in errors:
                flash(error, "error")
    return _to_case(case)


@bp.post("/subscriptions/case/<int:case_id>/follow")
@login_required
@require(Perm.VIEW)
def follow_case(case_id: int):
    case = _get_or_404(Case, case_id)
    if not access.can_read(current_user, case):
        abort(403)  # following a confidential case is reading it: need-to-know first
    mode = request.form.get("mode", "immediate")
    if mode not in {m.value for m in SubscriptionMode}:
        mode = "immediate"
    subs.subscribe(actor=current_user, user=current_user, case=case, mode=mode)
    db.session.commit()
    flash(_("You follow this case now."), "success")
    return _to_case(case)


@bp.post("/subscriptions/<int:sub_id>/end")
@login_required
@require(Perm.VIEW)
def end_subscription(sub_id: int):
    sub = _get_or_404(Subscription, sub_id)
    if sub.user_id != current_user.id and not can(current_user, Perm.EDIT_DIRECTORY):
        abort(403)
    subs.end_subscription(sub, actor=current_user)
    db.session.commit()
    flash(_("The subscription was ended."), "success")
    if sub.case is not None and request.form.get("back") == "case":
        return _to_case(sub.case)
    if can(current_user, Perm.EDIT_DIRECTORY):
        return redirect(url_for("notifications.subscription_list"))
    return redirect(url_for("followups.mine"))


# The token is the capability; a CSRF token would add nothing, and one-click unsubscribe
# (RFC 8058) posts from the mail client, which has no session.
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    sub = subs.subscription_for_token(token)
    if sub is None:
        abort(404)
    if request.method == "POST":
        subs.end_subscription(sub, actor=None, reason="unsubscribe link")
        db.session.commit()
        return render_template("notifications/unsubscribed.html", sub=sub)
    return render_template("notifications/unsubscribe.html", sub=sub, token=token)


# ------------------------------------------------------------------ wiring


def _case_subscriptions(case: Case) -> list[Subscription]:
    return list(
        db.session.scalars(
            sa.select(Subscription)
            .where(Subscription.active.is_(True), Subscription.case_id == case.id)
            .order_by(Subscription.id)
        )
    )


def init_app(app: Flask) -> None:
    """Register the blueprint, the case-panel helpers and the registration receiver."""
    app.register_blueprint(bp)
    app.jinja_env.globals["case_subscriptions"] = _case_subscriptions
    app.jinja_env.globals["case_subscription_form"] = lambda: CaseSubscriptionForm(formdata=None)
    document_registered.connect(subs.on_document_registered)
    document_cancelled.connect(on_document_cancelled)

"""The account's second factor: set it up (a QR code, confirmed with a code; recovery codes
shown once), see it, turn it off. Where the installation requires one of administrators,
an administrator without one can open no other page until it is on."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from caseapp.auth import second_factor
from caseapp.auth.forms import ConfirmSecondFactorForm, TurnOffSecondFactorForm
from caseapp.auth.qr import qr_svg
from caseapp.auth.services import LoginThrottled, count_login_attempt
from caseapp.auth.views import bp, login_source
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.forms import EmptyForm, show_service_error
from caseapp.links import start_url

# What an administrator who must set up a second factor may still open.
OPEN_WHILE_SETTING_UP = frozenset(
    {
        "auth.logout",
        "auth.set_language",
        "auth.show_second_factor",
        "auth.start_second_factor",
        "auth.confirm_second_factor",
        "static",
    }
)
# The page shows a secret (or the codes that stand in for it): no cache may keep it.
NO_STORE = {"Cache-Control": "no-store"}


@bp.before_app_request
def _hold_until_set_up():
    if not current_app.config.get("REQUIRE_ADMIN_SECOND_FACTOR"):
        return None
    if request.endpoint in OPEN_WHILE_SETTING_UP or not current_user.is_authenticated:
        return None
    if second_factor.must_set_up(current_user):
        return redirect(url_for("auth.show_second_factor"))
    return None


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _page(*, confirm_form=None, off_form=None, status: int = 200):
    user = current_user._get_current_object()
    enrolling = user.second_factor is not None and not user.has_second_factor
    uri = second_factor.provisioning_uri(user) if enrolling else None
    context = {
        "user": user,
        "required": second_factor.required_for(user),
        "confirm_form": confirm_form or ConfirmSecondFactorForm(formdata=None),
        "off_form": off_form or TurnOffSecondFactorForm(formdata=None),
        "uri": uri,
        "qr": qr_svg(uri, _("QR code for your authenticator app")) if uri else None,
        "secret": _grouped(user.second_factor.secret) if enrolling else None,
        "codes_left": second_factor.recovery_codes_left(user) if user.has_second_factor else 0,
    }
    return render_template("auth/second_factor.html", **context), status, NO_STORE


@bp.get("/account/second-factor")
@login_required
def show_second_factor():
    return _page()


@bp.post("/account/second-factor/start")
@login_required
def start_second_factor():
    if EmptyForm().validate_on_submit():
        try:
            second_factor.start_enrolment(current_user._get_current_object())
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message(), "error")
    return redirect(url_for("auth.show_second_factor"))


@bp.post("/account/second-factor/confirm")
@login_required
def confirm_second_factor():
    user = current_user._get_current_object()
    form = ConfirmSecondFactorForm()
    if not form.validate_on_submit():
        return _page(confirm_form=form, status=400)
    try:
        codes = second_factor.confirm_enrolment(user, form.code.data)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _page(confirm_form=form, status=show_service_error(form, exc))
    login_user(user)  # this session goes on with the new token; the others end
    return (
        render_template("auth/recovery_codes.html", codes=codes, next_url=start_url(user)),
        200,
        NO_STORE,
    )


@bp.post("/account/second-factor/off")
@login_required
def turn_off_second_factor():
    user = current_user._get_current_object()
    form = TurnOffSecondFactorForm()
    if not form.validate_on_submit():
        return _page(off_form=form, status=400)
    try:
        # Counted like a login: a session left open is no way to guess the codes.
        count_login_attempt(user.email, login_source())
        db.session.commit()
    except LoginThrottled:
        db.session.commit()
        form.form_errors.append(_("Too many failed attempts. Wait a while and try again."))
        return _page(off_form=form, status=429)
    try:
        second_factor.turn_off(
            user, password=form.password.data, code=form.code.data, source=login_source()
        )
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _page(off_form=form, status=show_service_error(form, exc))
    flash(_("Your second factor is off. Logging in asks for the password alone."), "success")
    return redirect(url_for("auth.show_second_factor"))

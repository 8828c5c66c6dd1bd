from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from caseapp.auth.forms import LoginForm
from caseapp.auth.models import User
from caseapp.auth.services import LoginThrottled, authenticate
from caseapp.extensions import db, login_manager
from caseapp.forms import EmptyForm
from caseapp.links import start_url
from caseapp.urls import safe_next

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # A deactivated user's open sessions end at their next request.
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def _safe_next(target: str | None) -> str:
    # Only local paths: an absolute URL in ?next= would make the login page an open redirect.
    return safe_next(target) or start_url(current_user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(start_url(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except LoginThrottled:
            db.session.commit()
            flash(_("Too many failed attempts. Wait a while and try again."), "error")
            return render_template("auth/login.html", form=form), 429
        db.session.commit()  # records the failure, or clears the count
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong e-mail address or password."), "error")
        status = 401
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def set_language():
    form = EmptyForm()
    lang = request.form.get("lang")
    if form.validate_on_submit() and lang in ("sv", "en"):
        session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")))

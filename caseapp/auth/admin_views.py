"""User administration (admins only): create, change role or name, deactivate, send a
password-reset link, remove a second factor."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from caseapp.auth import second_factor, services
from caseapp.auth.admin_forms import ROLE_LABELS, UserCreateForm, UserEditForm
from caseapp.auth.models import Role, User
from caseapp.auth.permissions import Perm, require
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.forms import EmptyForm, show_service_error
from caseapp.links import external_url
from caseapp.notifications.account_mail import queue_password_reset

bp = Blueprint("users", __name__, url_prefix="/admin/users")


@bp.get("/")
@login_required
@require(Perm.ADMIN)
def index():
    return render_template("users/index.html", users=services.list_users(), labels=ROLE_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require(Perm.ADMIN)
def new():
    form = UserCreateForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.create_user(
                form.email.data,
                name=form.name.data.strip(),
                role=Role(form.role.data),
                password=form.password.data,
                actor=current_user,
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            flash(_("The user %(email)s was created.", email=user.email), "success")
            return redirect(url_for(".index"))
    elif form.is_submitted():
        status = 400
    return render_template(
        "users/form.html", form=form, user=None, min_length=services.MIN_PASSWORD_LENGTH
    ), status


@bp.route("/<int:id>/edit", methods=["GET", "POST"])
@login_required
@require(Perm.ADMIN)
def edit(id: int):
    user = db.get_or_404(User, id)
    form = UserEditForm(obj=user) if request.method == "GET" else UserEditForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.update_user(
                user,
                name=form.name.data,
                role=Role(form.role.data),
                active=form.active.data,
                actor=current_user,
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            flash(_("The user %(email)s was saved.", email=user.email), "success")
            return redirect(url_for(".index"))
    elif form.is_submitted():
        status = 400
    return render_template(
        "users/form.html", form=form, user=user, min_length=services.MIN_PASSWORD_LENGTH
    ), status


@bp.post("/<int:id>/password-reset")
@login_required
@require(Perm.ADMIN)
def send_password_reset(id: int):
    """Mail the user a single-use link to set a new password (through the outbox)."""
    user = db.get_or_404(User, id)
    if EmptyForm().validate_on_submit():
        try:
            reset, token = services.issue_password_reset(user, actor=current_user)
            queue_password_reset(
                user,
                link=external_url("auth.reset_password", token=token),
                expires_at=reset.expires_at,
                language=str(get_locale() or "sv"),
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message(), "error")
        else:
            flash(
                _("A link to set a new password was sent to %(email)s.", email=user.email),
                "success",
            )
    return redirect(url_for(".edit", id=user.id))


@bp.post("/<int:id>/second-factor/reset")
@login_required
@require(Perm.ADMIN)
def reset_second_factor(id: int):
    """Remove the user's second factor (a lost phone); their sessions end."""
    user = db.get_or_404(User, id)
    if EmptyForm().validate_on_submit():
        try:
            second_factor.reset_second_factor(user, actor=current_user)
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message(), "error")
        else:
            flash(
                _(
                    "The second factor of %(email)s was removed and their sessions ended. "
                    "They log in with the password alone and can set up a new one.",
                    email=user.email,
                ),
                "success",
            )
    return redirect(url_for(".edit", id=user.id))

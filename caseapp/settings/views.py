"""The installation's settings page (admins only)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from caseapp.auth.permissions import Perm, require
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.forms import show_service_error
from caseapp.settings.forms import SettingsForm
from caseapp.settings.services import own_domains, set_own_domains

bp = Blueprint("settings", __name__, url_prefix="/admin/settings")


@bp.route("", methods=["GET", "POST"])
@login_required
@require(Perm.ADMIN)
def edit():
    form = SettingsForm()
    if request.method == "GET":
        form.own_domains.data = "\n".join(own_domains())
    status = 200
    if form.validate_on_submit():
        try:
            set_own_domains((form.own_domains.data or "").split(), actor=current_user)
        except ServiceError as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            db.session.commit()
            flash(_("The settings were saved."), "success")
            return redirect(url_for(".edit"))
    elif form.is_submitted():
        status = 400
    return render_template("settings/edit.html", form=form), status

"""Number series administration (admins only)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from caseapp.auth.permissions import Perm, require
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.forms import form_version, show_service_error
from caseapp.registry import services
from caseapp.registry.forms import SeriesEditForm, SeriesForm
from caseapp.registry.models import DEFAULT_FORMAT, Series
from caseapp.timeutil import local_now

bp = Blueprint("registry", __name__, url_prefix="/admin")


@bp.get("/series")
@login_required
@require(Perm.ADMIN)
def series_list():
    year = local_now().year
    rows = [(s, services.preview_number(s, year)) for s in services.list_series()]
    return render_template("registry/series_list.html", rows=rows, year=year)


@bp.route("/series/new", methods=["GET", "POST"])
@login_required
@require(Perm.ADMIN)
def series_new():
    form = SeriesForm()
    status = 200
    if form.validate_on_submit():
        try:
            series = services.create_series(
                form.prefix.data,
                name=form.name.data,
                format_template=form.format_template.data,
                per_year=form.per_year.data,
                actor=current_user,
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            flash(_("The series %(prefix)s was created.", prefix=series.prefix), "success")
            return redirect(url_for(".series_list"))
    elif form.is_submitted():
        status = 400
    return render_template(
        "registry/series_form.html", form=form, series=None, default_format=DEFAULT_FORMAT
    ), status


@bp.route("/series/<int:id>/edit", methods=["GET", "POST"])
@login_required
@require(Perm.ADMIN)
def series_edit(id: int):
    series = db.get_or_404(Series, id)
    form = SeriesEditForm(obj=series) if request.method == "GET" else SeriesEditForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.update_series(
                series,
                version=form_version(form),
                name=form.name.data,
                format_template=form.format_template.data,
                active=form.active.data,
                actor=current_user,
            )
            db.session.commit()
        except (ServiceError, StaleDataError) as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            flash(_("The series %(prefix)s was saved.", prefix=series.prefix), "success")
            return redirect(url_for(".series_list"))
    elif form.is_submitted():
        status = 400
    return render_template(
        "registry/series_form.html", form=form, series=series, default_format=DEFAULT_FORMAT
    ), status

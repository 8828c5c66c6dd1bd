"""Cases in the browser: the list, a case's page, opening and editing, registering by hand."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from caseapp.auth.models import User
from caseapp.auth.permissions import Perm, require
from caseapp.cases import access
from caseapp.cases.forms import AccessForm, CaseEditForm, CaseFilterForm, CaseForm
from caseapp.cases.models import Case, CaseAccess, CaseStatus
from caseapp.cases.queries import CaseFilter, case_page
from caseapp.cases.services import open_case, update_case
from caseapp.directory.models import Organisation
from caseapp.documents.forms import DocumentForm
from caseapp.documents.queries import case_documents, case_timeline
from caseapp.documents.services import register_document
from caseapp.documents.views import template_labels
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.forms import form_version, show_service_error
from caseapp.keyset import Pager
from caseapp.registry.models import Series
from caseapp.timeutil import local_today

bp = Blueprint("cases", __name__, url_prefix="/cases")
bp.context_processor(template_labels)


@bp.app_template_global()
@bp.app_template_test("readable")
def can_read(rec) -> bool:
    """The need-to-know rule for templates: may the logged-in user read ``rec`` in full?"""
    return access.can_read(current_user, rec)


@bp.app_template_global()
def case_title(case: Case) -> str:
    return access.case_title(current_user, case)


@bp.app_template_global()
def document_title(doc) -> str:
    return access.document_title(current_user, doc)


@bp.before_app_request
def _forget_need_to_know():
    # What cases.access learnt belongs to one request (g can outlive it, as in the tests).
    g.pop("need_to_know", None)
    g.pop("shows_confidential", None)


@bp.after_app_request
def _no_store_confidential(response):
    # Set when the page asked about a confidential record (cases.access): neither the
    # browser nor a proxy may keep a copy of it, masked or not.
    if g.get("shows_confidential"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _actor():
    # Services store the user in relationships; they need the object, not the proxy.
    return current_user._get_current_object()


def case_or_404(number: str) -> Case:
    if "\x00" in number or len(number) > 50:
        abort(404)  # cannot be a case number; PostgreSQL would refuse the NUL outright
    return db.first_or_404(
        sa.select(Case)
        .where(Case.number == number)
        # One statement: each of these is one row or none.
        .options(
            joinedload(Case.organisation),
            joinedload(Case.officer),
            joinedload(Case.series),
            joinedload(Case.programme),
            joinedload(Case.round),
        )
    )


def _readable_case_or_403(number: str) -> Case:
    """The case for a page that shows or changes it in full: 403 without need-to-know."""
    case = case_or_404(number)
    if not access.can_read(current_user, case):
        abort(403)
    return case


def _get(model, ident: int | None):
    return db.session.get(model, ident) if ident is not None else None


@bp.get("/")
@login_required
@require(Perm.VIEW)
def index():
    form = CaseFilterForm(formdata=request.args)
    form.set_choices()
    form.validate()
    filters = CaseFilter(
        status=form.value("status") or None,
        organisation_id=form.organisation.record.id if form.organisation.record else None,
        officer_id=form.value("officer"),
        series_id=form.value("series"),
        text=form.value("q"),
        sort=form.value("sort") or "number",
        readable=access.readable_cases(current_user),
    )
    # The page is found by the cursor in the URL (caseapp.keyset); "?page=" is ignored.
    pager = Pager("cases", current_app.config["CASES_PER_PAGE"])
    page = case_page(filters, pager)
    args = request.args.to_dict()
    return render_template(
        "cases/index.html",
        form=form,
        page=page,
        filtered=any(v for k, v in args.items() if k not in ("page", "sort", "after")),
    ), 400 if page.invalid else 200


@bp.get("/<path:number>")
@login_required
@require(Perm.VIEW)
def show(number: str):
    return _render_show(case_or_404(number))


def _render_show(case: Case, access_form: AccessForm | None = None, status: int = 200):
    """The case page: its details, one row per document, and the history and the sent
    notices as sections loaded on demand (cases.sections), so that its statements and its
    size do not grow with what the case has collected over the years."""
    documents = case_timeline(case)
    confidential_documents = any(d.confidential for d in documents)
    # The history and the notices name what they concern (titles, subjects): only for
    # those who may read everything the case holds.
    full = access.can_read_all(current_user, case, confidential_documents=confidential_documents)
    confidential = case.confidential or confidential_documents
    manage = confidential and access.can_manage_access(current_user, case)
    if manage and access_form is None:
        access_form = AccessForm(formdata=None)
    if access_form is not None:
        access_form.set_choices()
    return render_template(
        "cases/show.html",
        case=case,
        documents=documents,
        full=full,
        access_entries=access.access_list(case) if manage else None,
        access_form=access_form,
    ), status


@bp.post("/<path:number>/access")
@login_required
@require(Perm.VIEW)
def grant(number: str):
    case = case_or_404(number)
    if not access.can_manage_access(current_user, case):
        abort(403)
    form = AccessForm()
    form.set_choices()
    grantee = form.grantee_record() if form.validate_on_submit() else None
    if grantee is None:
        form.grantee.errors = [*form.grantee.errors, _("Choose a user or a group.")]
        return _render_show(case, form, 400)
    kind = "user" if isinstance(grantee, User) else "group"
    try:
        access.grant_access(case, actor=_actor(), **{kind: grantee})
    except ServiceError as exc:
        db.session.rollback()
        status = show_service_error(form, exc)
        return _render_show(case, form, status)
    name = grantee.name
    db.session.commit()
    flash(
        _(
            "%(name)s may now read the confidential records of %(number)s.",
            name=name,
            number=number,
        ),
        "success",
    )
    return redirect(url_for("cases.show", number=number, _anchor="access"))


@bp.post("/<path:number>/access/<int:entry_id>/remove")
@login_required
@require(Perm.VIEW)
def revoke(number: str, entry_id: int):
    case = case_or_404(number)
    if not access.can_manage_access(current_user, case):
        abort(403)
    entry = db.session.get(CaseAccess, entry_id)
    if entry is None or entry.case_id != case.id:
        abort(404)
    name = next(line.name for line in access.access_list(case) if line.id == entry.id)
    access.revoke_access(entry, actor=_actor())
    db.session.commit()
    flash(_("%(name)s no longer has access to %(number)s.", name=name, number=number), "success")
    return redirect(url_for("cases.show", number=number, _anchor="access"))


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require(Perm.EDIT_CASE)
def new():
    form = CaseForm()
    form.set_choices()
    status = 200
    if form.validate_on_submit():
        series = db.session.get(Series, form.series_id.data)
        try:
            case = open_case(
                series,
                actor=_actor(),
                organisation=_get(Organisation, form.organisation_id.data),
                officer=_get(User, form.officer_id.data),
                **form.case_fields(),
            )
        except ServiceError as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            number = case.number
            db.session.commit()
            flash(_("Opened case %(number)s.", number=number), "success")
            return redirect(url_for("cases.show", number=number))
    elif form.is_submitted():
        status = 400
    return render_template("cases/form.html", form=form, case=None), status


@bp.route("/<path:number>/edit", methods=["GET", "POST"])
@login_required
@require(Perm.EDIT_CASE)
def edit(number: str):
    case = _readable_case_or_403(number)
    form = CaseEditForm(obj=case)
    form.set_choices()
    form.keep_current_choices(case)
    status = 200
    if form.validate_on_submit():
        fields = form.case_fields() | {
            "status": CaseStatus(form.status.data),
            "organisation_id": form.organisation_id.data,
            "officer_id": form.officer_id.data,
        }
        try:
            update_case(case, version=form_version(form), actor=_actor(), **fields)
            db.session.flush()
        except (ServiceError, StaleDataError) as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            db.session.commit()
            flash(_("Case %(number)s was saved.", number=number), "success")
            return redirect(url_for("cases.show", number=number))
    elif form.is_submitted():
        status = 400
    return render_template("cases/form.html", form=form, case=case, stale=status == 409), status


@bp.route("/<path:number>/documents/new", methods=["GET", "POST"])
@login_required
@require(Perm.REGISTER)
def new_document(number: str):
    case = _readable_case_or_403(number)
    documents = case_documents(case)
    form = DocumentForm()
    form.set_parent_choices(documents, lambda d: access.document_title(current_user, d))
    if request.method == "GET":
        form.document_date.data = local_today()
    status = 200
    if form.validate_on_submit():
        parent = next((d for d in documents if d.id == form.parent_id.data), None)
        try:
            doc = register_document(case, form.draft(parent), actor=_actor())
        except ServiceError as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            doc_number, seq = doc.number, doc.seq
            db.session.commit()
            flash(_("Registered as %(number)s.", number=doc_number), "success")
            return redirect(url_for("cases.show", number=number, _anchor=f"doc-{seq}"))
    elif form.is_submitted():
        status = 400
    return render_template("documents/form.html", form=form, case=case), status

"""Directory pages: organisations, contacts and mailboxes, and merging their duplicates."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from caseapp.auth.permissions import Perm, can, require
from caseapp.cases.queries import CaseFilter, case_counts, case_page
from caseapp.directory import queries, services
from caseapp.directory.forms import (
    MAILBOX_KIND_LABELS,
    NO_ORGANISATION,
    ORGANISATION_KIND_LABELS,
    ContactEditForm,
    ContactForm,
    ContactMergeForm,
    MailboxEditForm,
    MailboxForm,
    MailboxMergeForm,
    MergeForm,
    OrganisationEditForm,
    OrganisationForm,
    OrganisationMergeForm,
    OrganisationSearchForm,
    SearchForm,
    organisation_choices,
)
from caseapp.directory.models import Contact, Mailbox, MailboxKind, Organisation, OrganisationKind
from caseapp.documents.queries import party_document_page
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.forms import form_version, show_service_error
from caseapp.keyset import Pager

bp = Blueprint("directory", __name__, url_prefix="/directory")


@bp.app_template_global()
def organisation_kind_label(kind) -> str:
    return str(ORGANISATION_KIND_LABELS.get(OrganisationKind(kind), kind))


@bp.app_template_global()
def mailbox_kind_label(kind) -> str:
    return str(MAILBOX_KIND_LABELS.get(MailboxKind(kind), kind))


def _pager(name: str) -> Pager:
    return Pager(name, current_app.config["DIRECTORY_PER_PAGE"])


def _status(page) -> int:
    """A tampered page link shows the first page, as a bad request."""
    return 400 if page.invalid else 200


def _organisation_or_none(org_id: int) -> Organisation | None:
    return db.session.get(Organisation, org_id) if org_id != NO_ORGANISATION else None


def _may_merge() -> bool:
    # Only those who may merge see the merge form: for the others, its choices (every
    # record of the kind) are not read at all.
    return can(current_user, Perm.EDIT_DIRECTORY)


def _merge(form_class: type[MergeForm], duplicate, formdata=None) -> MergeForm | None:
    """The merge form of a record's page, for those who may merge (None for the others)."""
    if not _may_merge():
        return None
    if formdata is not None:
        return form_class(formdata=formdata).leave_out(duplicate.id)
    return form_class(version=duplicate.version).leave_out(duplicate.id)


def _merged_redirect(obj, endpoint: str):
    """Merged duplicates are read-only: send the user to the record that replaced them."""
    flash(_("That record was merged into this one; make your change here."), "info")
    return redirect(url_for(endpoint, id=obj.merged_into_id))


# ---------------------------------------------------------------- organisations


@bp.get("/organisations")
@login_required
@require(Perm.VIEW)
def organisations():
    form = OrganisationSearchForm(request.args)
    form.validate()
    page = queries.organisation_page(
        form.q.data if not form.q.errors else None,
        form.kind.data if not form.kind.errors else None,
        _pager("organisations"),
    )
    return render_template(
        "directory/organisations.html",
        form=form,
        page=page,
        case_counts=case_counts([o.id for o in page.items]),
    ), _status(page)


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
@require(Perm.EDIT_DIRECTORY)
def organisation_new():
    form = OrganisationForm()
    status = 200
    if form.validate_on_submit():
        try:
            org = services.create_organisation(
                name=form.name.data,
                kind=OrganisationKind(form.kind.data),
                org_number=form.org_number.data,
                municipality_code=form.municipality_code.data,
                domains=services.parse_domains(form.domains.data),
                actor=current_user,
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            flash(_("The organisation %(name)s was created.", name=org.name), "success")
            return redirect(url_for(".organisation", id=org.id))
    elif form.is_submitted():
        status = 400
    return render_template("directory/organisation_form.html", form=form, org=None), status


def _merge_form(org: Organisation, formdata=None) -> MergeForm | None:
    return _merge(OrganisationMergeForm, org, formdata)


def _render_organisation(org: Organisation, merge_form: MergeForm, status: int = 200):
    cases = case_page(CaseFilter(organisation_id=org.id), _pager("organisation.cases"))
    return render_template(
        "directory/organisation.html",
        org=org,
        kept=db.session.get(Organisation, org.merged_into_id) if org.merged_into_id else None,
        contacts=services.active_contacts(org),
        mailboxes=services.active_mailboxes(org),
        cases=cases,
        merge_form=merge_form,
    ), max(status, _status(cases))


@bp.get("/organisations/<int:id>")
@login_required
@require(Perm.VIEW)
def organisation(id: int):
    org = db.get_or_404(Organisation, id)
    return _render_organisation(org, _merge_form(org))


@bp.route("/organisations/<int:id>/edit", methods=["GET", "POST"])
@login_required
@require(Perm.EDIT_DIRECTORY)
def organisation_edit(id: int):
    org = db.get_or_404(Organisation, id)
    if org.merged_into_id:
        return _merged_redirect(org, ".organisation")
    form = OrganisationEditForm(obj=org) if request.method == "GET" else OrganisationEditForm()
    if request.method == "GET":
        # Set after: with obj= the form would fill the field from the relationship of the
        # same name (domain rows), not from the keyword.
        form.domains.data = "\n".join(org.email_domains)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_organisation(
                org,
                version=form_version(form),
                domains=services.parse_domains(form.domains.data),
                name=form.name.data,
                kind=form.kind.data,
                org_number=form.org_number.data,
                municipality_code=form.municipality_code.data,
                actor=current_user,
            )
            db.session.commit()
        except (ServiceError, StaleDataError) as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            flash(_("The organisation %(name)s was saved.", name=org.name), "success")
            return redirect(url_for(".organisation", id=org.id))
    elif form.is_submitted():
        status = 400
    return render_template("directory/organisation_form.html", form=form, org=org), status


@bp.post("/organisations/<int:id>/merge")
@login_required
@require(Perm.EDIT_DIRECTORY)
def organisation_merge(id: int):
    duplicate = db.get_or_404(Organisation, id)
    form = _merge_form(duplicate, request.form)
    if not form.validate_on_submit():
        return _render_organisation(duplicate, form, 400)
    keep = form.keep.record
    try:
        services.merge_organisations(
            keep, duplicate, version=form_version(form), actor=current_user
        )
        db.session.commit()
    except (ServiceError, StaleDataError) as exc:
        db.session.rollback()
        status = show_service_error(form, exc)
        return _render_organisation(duplicate, form, status)
    flash(
        _("%(duplicate)s was merged into %(keep)s.", duplicate=duplicate.name, keep=keep.name),
        "success",
    )
    return redirect(url_for(".organisation", id=keep.id))


# ---------------------------------------------------------------- contacts


@bp.get("/contacts")
@login_required
@require(Perm.VIEW)
def contacts():
    form = SearchForm(request.args)
    form.validate()
    page = queries.contact_page(form.q.data if not form.q.errors else None, _pager("contacts"))
    return render_template("directory/contacts.html", form=form, page=page), _status(page)


def _contact_form(cls, **kwargs):
    form = cls(**kwargs)
    form.organisation_id.choices = organisation_choices(services.organisation_choices())
    return form


@bp.route("/contacts/new", methods=["GET", "POST"])
@login_required
@require(Perm.EDIT_DIRECTORY)
def contact_new():
    form = _contact_form(ContactForm, organisation_id=request.args.get("organisation", 0, int))
    status = 200
    if form.validate_on_submit():
        try:
            contact = services.create_contact(
                name=form.name.data,
                title=form.title.data,
                phone=form.phone.data,
                organisation=_organisation_or_none(form.organisation_id.data),
                emails=services.parse_emails(form.emails.data),
                actor=current_user,
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            flash(_("The contact %(name)s was created.", name=contact.name), "success")
            return redirect(url_for(".contact", id=contact.id))
    elif form.is_submitted():
        status = 400
    return render_template("directory/contact_form.html", form=form, contact=None), status


def _contact_merge_form(contact: Contact, formdata=None) -> MergeForm | None:
    return _merge(ContactMergeForm, contact, formdata)


def _render_contact(contact: Contact, merge_form: MergeForm, status: int = 200):
    documents = party_document_page(
        current_user, _pager("contact.documents"), contact_id=contact.id
    )
    return render_template(
        "directory/contact.html",
        contact=contact,
        kept=db.session.get(Contact, contact.merged_into_id) if contact.merged_into_id else None,
        documents=documents,
        merge_form=merge_form,
    ), max(status, _status(documents))


@bp.get("/contacts/<int:id>")
@login_required
@require(Perm.VIEW)
def contact(id: int):
    contact = db.get_or_404(Contact, id)
    return _render_contact(contact, _contact_merge_form(contact))


@bp.route("/contacts/<int:id>/edit", methods=["GET", "POST"])
@login_required
@require(Perm.EDIT_DIRECTORY)
def contact_edit(id: int):
    contact = db.get_or_404(Contact, id)
    if contact.merged_into_id:
        return _merged_redirect(contact, ".contact")
    if request.method == "GET":
        form = _contact_form(ContactEditForm, obj=contact)
        # Set after: with obj= the form would fill these from the contact's attributes of
        # the same names (address rows, a null organisation), not from keywords.
        form.organisation_id.data = contact.organisation_id or NO_ORGANISATION
        form.emails.data = "\n".join(contact.email_addresses)
    else:
        form = _contact_form(ContactEditForm)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_contact(
                contact,
                version=form_version(form),
                emails=services.parse_emails(form.emails.data),
                name=form.name.data,
                title=form.title.data,
                phone=form.phone.data,
                organisation_id=form.organisation_id.data or None,
                actor=current_user,
            )
            db.session.commit()
        except (ServiceError, StaleDataError) as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            flash(_("The contact %(name)s was saved.", name=contact.name), "success")
            return redirect(url_for(".contact", id=contact.id))
    elif form.is_submitted():
        status = 400
    return render_template("directory/contact_form.html", form=form, contact=contact), status


@bp.post("/contacts/<int:id>/merge")
@login_required
@require(Perm.EDIT_DIRECTORY)
def contact_merge(id: int):
    duplicate = db.get_or_404(Contact, id)
    form = _contact_merge_form(duplicate, request.form)
    if not form.validate_on_submit():
        return _render_contact(duplicate, form, 400)
    keep = form.keep.record
    try:
        services.merge_contacts(keep, duplicate, version=form_version(form), actor=current_user)
        db.session.commit()
    except (ServiceError, StaleDataError) as exc:
        db.session.rollback()
        return _render_contact(duplicate, form, show_service_error(form, exc))
    flash(
        _("%(duplicate)s was merged into %(keep)s.", duplicate=duplicate.name, keep=keep.name),
        "success",
    )
    return redirect(url_for(".contact", id=keep.id))


# ---------------------------------------------------------------- mailboxes


@bp.get("/mailboxes")
@login_required
@require(Perm.VIEW)
def mailboxes():
    form = SearchForm(request.args)
    form.validate()
    page = queries.mailbox_page(form.q.data if not form.q.errors else None, _pager("mailboxes"))
    return render_template("directory/mailboxes.html", form=form, page=page), _status(page)


def _mailbox_form(cls, **kwargs):
    form = cls(**kwargs)
    form.organisation_id.choices = organisation_choices(services.organisation_choices())
    return form


@bp.route("/mailboxes/new", methods=["GET", "POST"])
@login_required
@require(Perm.EDIT_DIRECTORY)
def mailbox_new():
    form = _mailbox_form(MailboxForm, organisation_id=request.args.get("organisation", 0, int))
    status = 200
    if form.validate_on_submit():
        try:
            box = services.create_mailbox(
                address=form.address.data,
                name=form.name.data,
                kind=MailboxKind(form.kind.data),
                organisation=_organisation_or_none(form.organisation_id.data),
                actor=current_user,
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            flash(_("The mailbox %(address)s was created.", address=box.address), "success")
            return redirect(url_for(".mailbox", id=box.id))
    elif form.is_submitted():
        status = 400
    return render_template("directory/mailbox_form.html", form=form, mailbox=None), status


def _mailbox_merge_form(box: Mailbox, formdata=None) -> MergeForm | None:
    return _merge(MailboxMergeForm, box, formdata)


def _render_mailbox(box: Mailbox, merge_form: MergeForm, status: int = 200):
    documents = party_document_page(current_user, _pager("mailbox.documents"), mailbox_id=box.id)
    return render_template(
        "directory/mailbox.html",
        mailbox=box,
        kept=db.session.get(Mailbox, box.merged_into_id) if box.merged_into_id else None,
        documents=documents,
        merge_form=merge_form,
    ), max(status, _status(documents))


@bp.get("/mailboxes/<int:id>")
@login_required
@require(Perm.VIEW)
def mailbox(id: int):
    box = db.get_or_404(Mailbox, id)
    return _render_mailbox(box, _mailbox_merge_form(box))


@bp.route("/mailboxes/<int:id>/edit", methods=["GET", "POST"])
@login_required
@require(Perm.EDIT_DIRECTORY)
def mailbox_edit(id: int):
    box = db.get_or_404(Mailbox, id)
    if box.merged_into_id:
        return _merged_redirect(box, ".mailbox")
    if request.method == "GET":
        form = _mailbox_form(MailboxEditForm, obj=box)
        # Set after: with obj= the form would take the mailbox's own (possibly null) value.
        form.organisation_id.data = box.organisation_id or NO_ORGANISATION
    else:
        form = _mailbox_form(MailboxEditForm)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_mailbox(
                box,
                version=form_version(form),
                address=form.address.data,
                name=form.name.data,
                kind=form.kind.data,
                organisation_id=form.organisation_id.data or None,
                actor=current_user,
            )
            db.session.commit()
        except (ServiceError, StaleDataError) as exc:
            db.session.rollback()
            status = show_service_error(form, exc)
        else:
            flash(_("The mailbox %(address)s was saved.", address=box.address), "success")
            return redirect(url_for(".mailbox", id=box.id))
    elif form.is_submitted():
        status = 400
    return render_template("directory/mailbox_form.html", form=form, mailbox=box), status


@bp.post("/mailboxes/<int:id>/merge")
@login_required
@require(Perm.EDIT_DIRECTORY)
def mailbox_merge(id: int):
    duplicate = db.get_or_404(Mailbox, id)
    form = _mailbox_merge_form(duplicate, request.form)
    if not form.validate_on_submit():
        return _render_mailbox(duplicate, form, 400)
    keep = form.keep.record
    try:
        services.merge_mailboxes(keep, duplicate, version=form_version(form), actor=current_user)
        db.session.commit()
    except (ServiceError, StaleDataError) as exc:
        db.session.rollback()
        return _render_mailbox(duplicate, form, show_service_error(form, exc))
    flash(
        _(
            "%(duplicate)s was merged into %(keep)s.",
            duplicate=duplicate.address,
            keep=keep.address,
        ),
        "success",
    )
    return redirect(url_for(".mailbox", id=keep.id))

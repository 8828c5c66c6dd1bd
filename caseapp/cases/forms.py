"""Forms for listing, opening and editing cases."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SearchField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from caseapp.auth.models import User
from caseapp.cases import queries
from caseapp.cases.models import CaseStatus
from caseapp.directory.fields import OrganisationField
from caseapp.extensions import db
from caseapp.followups.models import UserGroup
from caseapp.forms import VersionedForm

STATUS_LABELS = {
    CaseStatus.OPEN: _l("Open"),
    CaseStatus.PAUSED: _l("Paused"),
    CaseStatus.CLOSED: _l("Closed"),
}

SORT_LABELS = {
    "number": _l("Number (newest first)"),
    "number_asc": _l("Number (oldest first)"),
    "title": _l("Title"),
    "opened": _l("Opened (newest first)"),
    "updated": _l("Last changed"),
}


def int_or_none(value) -> int | None:
    """Coerce a select value: the empty option means "none"."""
    if value is None or value == "" or value == "None":
        return None
    return int(value)


def without_nul(value):
    # PostgreSQL refuses NUL in text columns; a pasted one must be dropped, not become a 500.
    return value.replace("\x00", "") if isinstance(value, str) else value


class CleanTextMeta:
    """Form options that drop NUL characters from every text field of the form."""

    def bind_field(self, form, unbound_field, options):
        if issubclass(unbound_field.field_class, StringField):
            filters = [*unbound_field.kwargs.get("filters", ()), without_nul]
            options = dict(options, filters=filters)
        return unbound_field.bind(form=form, **options)


def _none_choice(label) -> SelectChoice:
    return SelectChoice("", label)


def organisation_choices(empty_label) -> list:
    return [_none_choice(empty_label)] + [
        SelectChoice(o.id, o.name) for o in queries.organisations()
    ]


def officer_choices(empty_label) -> list:
    return [_none_choice(empty_label)] + [SelectChoice(u.id, u.name) for u in queries.officers()]


class CaseFilterForm(FlaskForm):
    """The GET form above the case list. Values that do not parse are ignored, not errors."""

    class Meta(CleanTextMeta):
        csrf = False  # a search changes nothing

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    status = SelectField(_l("Status"), validators=[Optional()])
    # Typed and looked up: a <select> of every organisation is 2 000+ options on every page.
    organisation = OrganisationField(_l("Organisation"), validators=[Optional()])
    officer = SelectField(_l("Case officer"), coerce=int_or_none, validators=[Optional()])
    series = SelectField(_l("Number series"), coerce=int_or_none, validators=[Optional()])
    sort = SelectField(_l("Sort by"), default="number", validators=[Optional()])

    def set_choices(self) -> None:
        self.status.choices = [_none_choice(_l("All"))] + [
            SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()
        ]
        self.officer.choices = officer_choices(_l("All"))
        self.series.choices = [_none_choice(_l("All"))] + [
            SelectChoice(s.id, f"{s.prefix} – {s.name}") for s in queries.series_list()
        ]
        self.sort.choices = [SelectChoice(k, label) for k, label in SORT_LABELS.items()]

    def value(self, name: str):
        """The field's value if it validated, else None (a bad URL parameter filters nothing)."""
        field = self[name]
        return None if field.errors else field.data


class _CaseFields(FlaskForm):
    """What opening and editing a case have in common. Field names match ``Case`` columns."""

    class Meta(CleanTextMeta):
        pass

    title = StringField(
        _l("Title"),
        validators=[DataRequired(message=_l("Give the case a title.")), Length(max=500)],
    )
    public_title = StringField(
        _l("Public title"),
        description=_l("Shown in public lists instead of the title when the case is confidential."),
        validators=[Optional(), Length(max=500)],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])
    organisation_id = SelectField(_l("Counterpart organisation"), coerce=int_or_none)
    officer_id = SelectField(_l("Case officer"), coerce=int_or_none)
    programme_id = SelectField(_l("Programme"), coerce=int_or_none)
    round_id = SelectField(_l("Programme round"), coerce=int_or_none)
    confidential = BooleanField(_l("Confidential"))
    legal_basis = StringField(
        _l("Legal basis for confidentiality"),
        description=_l("For example OSL 21 kap. 7 §."),
        # No Optional(): it would stop the chain before validate_legal_basis runs.
        validators=[Length(max=200)],
    )

    def set_choices(self) -> None:
        self.organisation_id.choices = organisation_choices(_l("None"))
        self.officer_id.choices = officer_choices(_l("None"))
        programmes = queries.programmes()
        self.programme_id.choices = [_none_choice(_l("None"))] + [
            SelectChoice(p.id, p.name) for p in programmes
        ]
        self.round_id.choices = [_none_choice(_l("None"))] + [
            SelectChoice(r.id, r.name, optgroup=p.name) for p in programmes for r in p.rounds
        ]
        self._round_programme = {r.id: p.id for p in programmes for r in p.rounds}

    def validate_legal_basis(self, field) -> None:
        if self.confidential.data and not (field.data or "").strip():
            raise ValidationError(_l("A confidential case needs its legal basis."))

    def validate_round_id(self, field) -> None:
        if field.data is None or self.programme_id.data is None:
            return
        if self._round_programme.get(field.data) != self.programme_id.data:
            raise ValidationError(_l("The round belongs to another programme."))

    def case_fields(self) -> dict:
        """The submitted values as keyword arguments for the case services."""
        programme_id = self.programme_id.data
        if programme_id is None and self.round_id.data is not None:
            # Choosing a round is choosing its programme.
            programme_id = self._round_programme.get(self.round_id.data)
        confidential = bool(self.confidential.data)
        return {
            "title": self.title.data.strip(),
            "public_title": (self.public_title.data or "").strip() or None,
            "description": (self.description.data or "").strip() or None,
            "confidential": confidential,
            # A legal basis only means something for a confidential case.
            "legal_basis": (self.legal_basis.data or "").strip() or None if confidential else None,
            "programme_id": programme_id,
            "round_id": self.round_id.data,
        }


class CaseForm(_CaseFields):
    """Opening a case."""

    series_id = SelectField(
        _l("Number series"),
        coerce=int_or_none,
        validators=[InputRequired(message=_l("Choose a number series."))],
    )

    def set_choices(self) -> None:
        super().set_choices()
        self.series_id.choices = [_none_choice(_l("Choose…"))] + [
            SelectChoice(s.id, f"{s.prefix} – {s.name}")
            for s in queries.series_list(active_only=True)
        ]


class CaseEditForm(VersionedForm, _CaseFields):
    """Editing a case, its status included; ``version`` detects a stale edit."""

    def keep_current_choices(self, case) -> None:
        """Keep the case's own organisation and officer choosable even when the lists leave
        them out (a merged organisation, a user who became a reader), so that saving an
        unrelated change does not fail on them."""
        for field, current, label in (
            (self.organisation_id, case.organisation, lambda o: o.name),
            (self.officer_id, case.officer, lambda u: u.name),
        ):
            if current is not None and all(c.value != current.id for c in field.choices):
                field.choices.append(SelectChoice(current.id, label(current)))

    status = SelectField(
        _l("Status"), choices=[SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()]
    )


class AccessForm(FlaskForm):
    """Giving a user or a group need-to-know on a case: one choice, ``u:<id>`` or ``g:<id>``."""

    grantee = SelectField(
        _l("Give access to"), validators=[InputRequired(message=_l("Choose a user or a group."))]
    )

    def set_choices(self) -> None:
        users = db.session.scalars(sa.select(User).where(User.active).order_by(User.name))
        groups = db.session.scalars(sa.select(UserGroup).order_by(UserGroup.name))
        self.grantee.choices = (
            [_none_choice(_l("Choose…"))]
            + [SelectChoice(f"u:{u.id}", u.name, optgroup=str(_l("Users"))) for u in users]
            + [SelectChoice(f"g:{g.id}", g.name, optgroup=str(_l("Groups"))) for g in groups]
        )

    def grantee_record(self) -> User | UserGroup | None:
        kind, _sep, ident = (self.grantee.data or "").partition(":")
        model = {"u": User, "g": UserGroup}.get(kind)
        return (
            db.session.get(model, int(ident))
            if model and ident.isdigit() and len(ident) < 10
            else None
        )

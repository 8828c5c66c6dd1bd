"""Forms of the mail import: upload or paste, review and confirm, discard."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from caseapp.auth.models import User
from caseapp.documents.models import Direction
from caseapp.mail.proposal import Proposal


class ImportForm(FlaskForm):
    files = MultipleFileField(
        _l("Mail files"),
        description=_l("Choose or drop .eml, .msg, .mbox or .txt files; several at once."),
    )
    text = TextAreaField(
        _l("Or paste the mail"),
        description=_l("Paste the whole mail, headers included (Från, Till, Ämne …)."),
        validators=[Optional()],
    )


class DiscardForm(FlaskForm):
    reason = StringField(
        _l("Why is it not registered?"),
        validators=[
            DataRequired(message=_l("Say why the mail is not registered.")),
            Length(max=2000),
        ],
    )


DIRECTION_CHOICES = [
    SelectChoice(Direction.IN.value, _l("incoming")),
    SelectChoice(Direction.OUT.value, _l("outgoing")),
    SelectChoice(Direction.INTERNAL.value, _l("internal")),
]


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def review_form(proposal: Proposal, officers: list[User]) -> FlaskForm:
    """The review form for one proposal: a field per message, new contact and follow-up,
    the new case's officer and organisation.

    Built per proposal because how many fields it has depends on the mail.
    """

    class ReviewForm(FlaskForm):
        case_choice = RadioField(
            _l("Case"),
            choices=[
                SelectChoice("existing", _l("An existing case")),
                SelectChoice("new", _l("A new case")),
            ],
            validators=[InputRequired()],
        )
        case_number = StringField(_l("Case number"), validators=[Optional(), Length(max=50)])
        series = SelectField(_l("Number series"), choices=[], validate_choice=False)
        title = StringField(_l("Title of the new case"), validators=[Optional(), Length(max=500)])
        officer = SelectField(_l("Case officer"), coerce=_int_or_none, validate_choice=False)
        new_organisation = BooleanField(_l("Create the organisation"))
        new_organisation_name = StringField(
            _l("Name of the organisation"), validators=[Optional(), Length(max=200)]
        )

    for m in proposal.messages:
        setattr(ReviewForm, f"msg_{m.index}", BooleanField(_l("Register this message")))
        setattr(
            ReviewForm,
            f"dir_{m.index}",
            SelectField(_l("Direction"), choices=DIRECTION_CHOICES),
        )
    for j, _p in enumerate(proposal.new_parties):
        setattr(ReviewForm, f"contact_{j}", BooleanField(_l("Create as a contact")))
    for k, _f in enumerate(proposal.followups):
        setattr(ReviewForm, f"fu_{k}", BooleanField(_l("Create this follow-up")))
        setattr(
            ReviewForm,
            f"fu_{k}_title",
            StringField(_l("Title"), validators=[Optional(), Length(max=500)]),
        )
        setattr(ReviewForm, f"fu_{k}_due", DateField(_l("Due"), validators=[Optional()]))
        setattr(
            ReviewForm,
            f"fu_{k}_assignee",
            SelectField(_l("Responsible"), coerce=_int_or_none, validate_choice=False),
        )

    assignee = proposal.followup_assignee
    data = {
        "case_choice": "existing" if proposal.case else "new",
        "case_number": proposal.case.number if proposal.case else "",
        "title": proposal.new_case_title,
        "officer": proposal.officer.id if proposal.officer else None,
        "new_organisation": proposal.new_organisation is not None,
        "new_organisation_name": proposal.new_organisation.name
        if proposal.new_organisation
        else "",
    }
    data |= {f"msg_{m.index}": m.selected for m in proposal.messages}
    data |= {f"dir_{m.index}": m.direction.value for m in proposal.messages}
    data |= {f"contact_{j}": p.create_default for j, p in enumerate(proposal.new_parties)}
    for k, f in enumerate(proposal.followups):
        data |= {f"fu_{k}": True, f"fu_{k}_title": f.title, f"fu_{k}_due": f.due}
        data[f"fu_{k}_assignee"] = assignee.id if assignee else None
    form = ReviewForm(data=data)  # on POST the submitted values win over these defaults
    form.series.choices = [
        SelectChoice(s.prefix, f"{s.prefix} – {s.name}") for s in proposal.series
    ]
    people = [SelectChoice(u.id, u.name) for u in officers]
    form.officer.choices = [SelectChoice("", _l("Nobody yet"))] + people
    for k in range(len(proposal.followups)):
        form[f"fu_{k}_assignee"].choices = [
            SelectChoice("", _l("The case officer (the registry if none)"))
        ] + people
    return form

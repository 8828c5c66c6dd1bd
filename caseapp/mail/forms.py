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
        _l("Why is it not registered?"), validators=[DataRequired(), Length(max=2000)]
    )


def review_form(proposal: Proposal) -> FlaskForm:
    """The review form for one proposal: a field per message, new contact and follow-up.

    Built per proposal because how many checkboxes it has depends on the mail.
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

    for m in proposal.messages:
        setattr(ReviewForm, f"msg_{m.index}", BooleanField(_l("Register this message")))
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

    data = {
        "case_choice": "existing" if proposal.case else "new",
        "case_number": proposal.case.number if proposal.case else "",
        "title": proposal.new_case_title,
    }
    data |= {f"msg_{m.index}": m.selected for m in proposal.messages}
    data |= {f"contact_{j}": p.create_default for j, p in enumerate(proposal.new_parties)}
    for k, f in enumerate(proposal.followups):
        data |= {f"fu_{k}": True, f"fu_{k}_title": f.title, f"fu_{k}_due": f.due}
    form = ReviewForm(data=data)  # on POST the submitted values win over these defaults
    form.series.choices = [
        SelectChoice(s.prefix, f"{s.prefix} – {s.name}") for s in proposal.series
    ]
    return form

"""Number series administration.

Errors a user can fix are ``SeriesRuleError``: English ``msgid`` with ``%(name)s``
placeholders, translated by the view (the CLI prints the English text), and ``field``
naming the form field concerned.
"""

import sqlalchemy as sa

from caseapp.audit.services import diff, record, snapshot
from caseapp.auth.models import User
from caseapp.errors import N_, ServiceError, StaleEdit
from caseapp.extensions import db
from caseapp.registry.models import DEFAULT_FORMAT, NumberCounter, Series
from caseapp.registry.numbering import case_scope

SERIES_FIELDS = ["prefix", "name", "per_year", "format_template", "active", "default_officer_id"]


class SeriesRuleError(ServiceError):
    """A series rule was broken. The view shows it translated, on its field."""


def list_series() -> list[Series]:
    return list(db.session.scalars(sa.select(Series).order_by(Series.prefix)))


def preview_number(series: Series, year: int) -> str:
    """The number the next case of ``series`` would get in ``year`` (nothing is taken)."""
    counter_year = year if series.per_year else 0
    last = db.session.scalar(
        sa.select(NumberCounter.last).where(
            NumberCounter.scope == case_scope(series.id), NumberCounter.year == counter_year
        )
    )
    return series.format_number(year, (last or 0) + 1)


def get_series(prefix: str) -> Series | None:
    return db.session.scalar(sa.select(Series).where(Series.prefix == prefix.strip().upper()))


def check_format(template: str) -> None:
    """Refuse a template that cannot produce unique numbers (it must use {seq})."""
    if "{seq" not in template:
        raise SeriesRuleError(N_("The number format must contain {seq}."), field="format_template")
    try:
        template.format(prefix="KS", year=2021, seq=1)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise SeriesRuleError(
            N_("The number format is invalid: %(reason)s"),
            field="format_template",
            reason=str(exc),
        ) from exc


def create_series(
    prefix: str,
    *,
    name: str,
    actor: User | None,
    format_template: str | None = None,
    per_year: bool = True,
    default_officer: User | None = None,
) -> Series:
    """Create a series; prefixes are unique and upper-case. ``default_officer``: the case
    officer a case opened in it gets when nobody else is chosen."""
    prefix = prefix.strip().upper()
    if not prefix or not prefix.replace("-", "").isalnum():
        raise SeriesRuleError(N_("A prefix is letters and digits, such as KS."), field="prefix")
    if get_series(prefix):
        raise SeriesRuleError(
            N_("The series %(prefix)s exists already."), field="prefix", prefix=prefix
        )
    if not (name or "").strip():
        raise SeriesRuleError(N_("A series needs a name."), field="name")
    template = (format_template or "").strip() or DEFAULT_FORMAT
    check_format(template)
    _check_year(template, per_year)
    series = Series(
        prefix=prefix,
        name=name.strip(),
        format_template=template,
        per_year=per_year,
        default_officer=default_officer,
    )
    db.session.add(series)
    db.session.flush()
    record("create", series, actor=actor, after=snapshot(series, SERIES_FIELDS))
    return series


def _check_year(template: str, per_year: bool) -> None:
    # Numbering that restarts each year repeats its numbers unless the year is in them.
    if per_year and "{year" not in template:
        raise SeriesRuleError(
            N_("Numbering that restarts each year needs {year} in the format."),
            field="format_template",
        )


def update_series(series: Series, *, version: int, actor: User | None, **fields) -> Series:
    """Rename, reformat or close a series. Numbers already given never change.

    The new format is checked before anything is changed, so a refused edit leaves the
    series as it was.
    """
    if series.version != version:
        raise StaleEdit(N_("The series was changed by someone else meanwhile."))
    for k in fields:
        if k not in ("name", "format_template", "active", "default_officer_id"):
            raise ValueError(f"field {k} cannot be changed")
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise SeriesRuleError(N_("A series needs a name."), field="name")
    if "format_template" in fields:
        fields["format_template"] = (fields["format_template"] or "").strip()
        check_format(fields["format_template"])
        _check_year(fields["format_template"], series.per_year)
    before = snapshot(series, SERIES_FIELDS)
    for k, v in fields.items():
        setattr(series, k, v)
    b, a = diff(before, snapshot(series, SERIES_FIELDS))
    if a:
        record("update", series, actor=actor, before=b, after=a)
    return series

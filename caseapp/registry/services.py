"""Number series administration.

Errors a user can fix are ``SeriesRuleError``: English ``msgid`` with ``%(name)s``
placeholders, translated by the view (the CLI prints the English text), and ``field``
naming the form field concerned.
"""

import re
import string

import sqlalchemy as sa

from caseapp.audit.services import diff, record, snapshot
from caseapp.auth.models import User
from caseapp.errors import N_, ServiceError, StaleEdit
from caseapp.extensions import db
from caseapp.registry.models import DEFAULT_FORMAT, NUMBER_LENGTH, NumberCounter, Series
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


# The placeholders a number is made of; a width (``{seq:04}``) is the only format allowed,
# since a precision, conversion or other format could cut a part short or repeat numbers.
_FIELDS = ("prefix", "year", "seq")
_WIDTH = re.compile(r"(?:[^{}]?[<>=^])?0?\d{0,2}d?")  # fill, align, width: 0>4, >5, 04
# The longest number a series can be asked for: a year of four digits, a million cases.
_LONGEST = {"year": 9999, "seq": 999_999}


def check_format(template: str, *, prefix: str = "KS", per_year: bool = False) -> None:
    """Refuse a template whose numbers could collide or not fit the number column.

    It must contain ``{prefix}`` (two series never share a number) and ``{seq}``, and
    ``{year}`` when the numbering restarts each year; each part may carry a width, nothing
    else; and the longest number it gives (year 9999, number 999999) must fit.
    """
    try:
        parts = [p for p in string.Formatter().parse(template) if p[1] is not None]
    except ValueError as exc:
        raise _format_error(
            N_("The number format is invalid: %(reason)s"), reason=str(exc)
        ) from exc
    for _literal, name, spec, conversion in parts:
        if name not in _FIELDS:
            raise _format_error(
                N_("The number format is invalid: %(reason)s"), reason=f"{{{name}}}"
            )
        if conversion or not _WIDTH.fullmatch(spec or "") or (name == "prefix" and spec):
            raise _format_error(
                N_("Only a width may follow {seq} or {year}, such as {seq:04}: %(part)s"),
                part=_field_text(name, spec, conversion),
            )
    names = {p[1] for p in parts}
    if "seq" not in names:
        raise _format_error(N_("The number format must contain {seq}."))
    if "prefix" not in names:
        raise _format_error(
            N_("The number format must contain {prefix}, or two series give the same numbers.")
        )
    _check_year(template, per_year)
    longest = template.format(prefix=prefix, **_LONGEST)
    if len(longest) > NUMBER_LENGTH:
        raise _format_error(
            N_(
                "Numbers in this format can be longer than %(max)s characters, such as %(example)s."
            ),
            max=NUMBER_LENGTH,
            example=longest,
        )


def _field_text(name: str, spec: str, conversion: str | None) -> str:
    """A placeholder as it was typed, to name it in a message."""
    return (
        "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
    )


def _format_error(message: str, **params) -> SeriesRuleError:
    return SeriesRuleError(message, field="format_template", **params)


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
    check_format(template, prefix=prefix, per_year=per_year)
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
    if per_year and not any(p[1] == "year" for p in string.Formatter().parse(template)):
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
        check_format(fields["format_template"], prefix=series.prefix, per_year=series.per_year)
    before = snapshot(series, SERIES_FIELDS)
    for k, v in fields.items():
        setattr(series, k, v)
    b, a = diff(before, snapshot(series, SERIES_FIELDS))
    if a:
        record("update", series, actor=actor, before=b, after=a)
    return series

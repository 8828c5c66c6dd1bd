"""Number series administration."""

import sqlalchemy as sa

from caseapp.audit.services import diff, record, snapshot
from caseapp.auth.models import User
from caseapp.errors import ServiceError, StaleEdit
from caseapp.extensions import db
from caseapp.registry.models import DEFAULT_FORMAT, Series

SERIES_FIELDS = ["prefix", "name", "per_year", "format_template", "active"]


def get_series(prefix: str) -> Series | None:
    return db.session.scalar(sa.select(Series).where(Series.prefix == prefix.strip().upper()))


def check_format(template: str) -> None:
    """Refuse a template that cannot produce unique numbers (it must use {seq})."""
    if "{seq" not in template:
        raise ServiceError("the number format must contain {seq}")
    try:
        template.format(prefix="KS", year=2021, seq=1)
    except (KeyError, IndexError, ValueError) as exc:
        raise ServiceError(f"invalid number format: {exc}") from exc


def create_series(
    prefix: str,
    *,
    name: str,
    actor: User | None,
    format_template: str | None = None,
    per_year: bool = True,
) -> Series:
    """Create a series; prefixes are unique and upper-case."""
    prefix = prefix.strip().upper()
    if not prefix or not prefix.replace("-", "").isalnum():
        raise ServiceError("a prefix is letters and digits, such as KS")
    if get_series(prefix):
        raise ServiceError(f"the series {prefix} exists already")
    template = format_template or DEFAULT_FORMAT
    check_format(template)
    if per_year and "{year" not in template:
        raise ServiceError("per-year numbering needs {year} in the format")
    series = Series(prefix=prefix, name=name.strip(), format_template=template, per_year=per_year)
    db.session.add(series)
    record("create", series, actor=actor, after=snapshot(series, SERIES_FIELDS))
    return series


def update_series(series: Series, *, version: int, actor: User | None, **fields) -> Series:
    """Rename, reformat or close a series. Numbers already given never change."""
    if series.version != version:
        raise StaleEdit("the series was changed by someone else")
    before = snapshot(series, SERIES_FIELDS)
    for k, v in fields.items():
        if k not in ("name", "format_template", "active"):
            raise ValueError(f"field {k} cannot be changed")
        setattr(series, k, v)
    check_format(series.format_template)
    b, a = diff(before, snapshot(series, SERIES_FIELDS))
    if a:
        record("update", series, actor=actor, before=b, after=a)
    return series

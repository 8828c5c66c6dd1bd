"""Translations in templates, looked up once per render instead of once per ``_()``.

Flask-Babel's template callables find the catalogue anew for every string: the request's
context, the locale (and its identifier, formatted each time), a cache lookup. On a page
with thousands of ``_()`` calls that is a quarter of the render. Here the catalogue of the
locale in force is taken once when a template is rendered (a context processor) and the
template callables read it from the render's context; a macro imported without context
has none and falls back to Flask-Babel's lookup. A render inside ``force_locale`` (mail in
the recipient's language) takes that locale's catalogue, as before.

A low module: it knows no feature.
"""

from flask import Flask
from flask_babel import get_translations
from jinja2 import pass_context

_KEY = "_catalogue"


def _catalogue(context):
    return context.get(_KEY) or get_translations()


@pass_context
def _gettext(context, string):
    return _catalogue(context).ugettext(string)


@pass_context
def _ngettext(context, singular, plural, n):
    return _catalogue(context).ungettext(singular, plural, n)


@pass_context
def _pgettext(context, msgctxt, string):
    return _catalogue(context).upgettext(msgctxt, string)


@pass_context
def _npgettext(context, msgctxt, singular, plural, n):
    return _catalogue(context).unpgettext(msgctxt, singular, plural, n)


def labels(mapping: dict) -> dict:
    """``mapping`` with its lazy labels translated now: a template that shows one of them
    per row translates each once per render, not once per row."""
    return {key: str(label) for key, label in mapping.items()}


def init_app(app: Flask) -> None:
    """Replace the template callables Flask-Babel installed (call after ``babel.init_app``)."""
    app.jinja_env.install_gettext_callables(
        gettext=_gettext,
        ngettext=_ngettext,
        newstyle=True,
        pgettext=_pgettext,
        npgettext=_npgettext,
    )
    app.context_processor(lambda: {_KEY: get_translations()})

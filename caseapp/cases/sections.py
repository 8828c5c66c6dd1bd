"""The case page's sections that grow with the years, loaded on demand: the history and
the notifications sent about the case.

Each is a page of its own, paged (the link on the case page works without script), and the
same page's section alone with ``?part=1``, which the case page's script puts in place of
the link. Both are for those who may read every record of the case: they name what the
events and notices concern (titles, subjects).

Adds to the cases blueprint; imported before the blueprint is registered.
"""

from flask import abort, current_app, render_template, request
from flask_login import current_user, login_required

from caseapp.audit.queries import case_events_select
from caseapp.audit.render import render_events
from caseapp.auth.permissions import Perm, require
from caseapp.cases import access
from caseapp.cases.models import Case
from caseapp.cases.views import bp, case_or_404
from caseapp.documents.queries import has_confidential_documents
from caseapp.extensions import db
from caseapp.notifications.outbox import case_notifications_select

# A page number past this is nonsense; clamped so that the OFFSET stays an integer.
MAX_PAGE = 1_000_000


def _case_read_in_full_or_403(number: str) -> Case:
    case = case_or_404(number)
    confidential = has_confidential_documents(case)
    if not access.can_read_all(current_user, case, confidential_documents=confidential):
        abort(403)
    return case


def _page(statement):
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    per_page = current_app.config["CASE_SECTION_PER_PAGE"]
    return db.paginate(statement, page=number, per_page=per_page, error_out=False)


def _render(name: str, case: Case, page, **context):
    # The section alone, for the case page to put in place; else a page of its own.
    template = f"cases/_{name}.html" if request.args.get("part") == "1" else f"cases/{name}.html"
    return render_template(template, case=case, page=page, **context)


@bp.get("/<path:number>/history")
@login_required
@require(Perm.VIEW)
def history(number: str):
    case = _case_read_in_full_or_403(number)
    page = _page(case_events_select(case.id))
    return _render("history", case, page, entries=render_events(page.items))


@bp.get("/<path:number>/notices")
@login_required
@require(Perm.VIEW)
def notices(number: str):
    case = _case_read_in_full_or_403(number)
    return _render("notices", case, _page(case_notifications_select(case.id)))

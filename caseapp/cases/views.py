from flask import Blueprint, render_template
from flask_login import login_required

from caseapp.auth.permissions import Perm, require
from caseapp.cases.queries import CaseFilter, case_query
from caseapp.extensions import db

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.get("/")
@login_required
@require(Perm.VIEW)
def index():
    cases = db.session.scalars(case_query(CaseFilter())).all()
    return render_template("cases/index.html", cases=cases)

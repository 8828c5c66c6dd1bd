from flask import Blueprint

bp = Blueprint("registry", __name__, url_prefix="/admin")


@bp.get("/series")
def series_list():
    return ""

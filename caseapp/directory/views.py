from flask import Blueprint

bp = Blueprint("directory", __name__, url_prefix="/directory")


@bp.get("/organisations")
def organisations():
    return ""


@bp.get("/contacts")
def contacts():
    return ""


@bp.get("/mailboxes")
def mailboxes():
    return ""

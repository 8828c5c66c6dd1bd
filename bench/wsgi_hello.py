"""The floor the load benchmark compares with: a bare Flask app that answers "Hello" under
the same gunicorn (``gunicorn wsgi_hello:app``), so a page's ratio to it is what caseapp
costs beyond the server, the network stack and Flask itself."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello"

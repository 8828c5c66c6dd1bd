"""Default configuration.

Order of precedence (later wins): these defaults, ``instance/config.py``, then environment
variables prefixed ``CASEAPP_`` (``CASEAPP_DATABASE_URL``, ``CASEAPP_SECRET_KEY``,
``CASEAPP_MAIL_SERVER`` …). ``CASEAPP_INSTANCE_PATH`` moves the whole instance folder.
"""

# Database: None means SQLite at <instance>/caseapp.db (filled in by create_app).
DATABASE_URL = None
SQLALCHEMY_ENGINE_OPTIONS: dict = {}

# Sessions and forms.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
WTF_CSRF_TIME_LIMIT = None  # a form left open over lunch must still post

# Language and time: Swedish first, English complete.
BABEL_DEFAULT_LOCALE = "sv"
BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"
LANGUAGES = ["sv", "en"]

# Login throttling: after this many failures for one address within the window,
# further attempts are refused until the window has passed.
LOGIN_MAX_FAILURES = 5
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60

# Uploads and stored files.
MAX_CONTENT_LENGTH = 60 * 1024 * 1024
MAIL_MAX_SIZE = 50 * 1024 * 1024

# Outgoing mail (Flask-Mail). Without MAIL_SERVER, mail is caught in the outbox for dev.
MAIL_SERVER = None
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USE_SSL = False
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_DEFAULT_SENDER = "caseapp@localhost"

# Lists.
CASES_PER_PAGE = 25

# Public base URL used in mail links; empty means derived from the request.
BASE_URL = ""

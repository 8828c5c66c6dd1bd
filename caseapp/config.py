"""Default configuration.

Order of precedence (later wins): these defaults, ``instance/config.py``, then environment
variables prefixed ``CASEAPP_`` (``CASEAPP_DATABASE_URL``, ``CASEAPP_SECRET_KEY``,
``CASEAPP_MAIL_SERVER`` …). ``CASEAPP_INSTANCE_PATH`` moves the whole instance folder.

Only the UPPER-CASE names are settings; the functions at the end check them.
"""

from urllib.parse import urlsplit

# Database: None means SQLite at <instance>/caseapp.db (filled in by create_app).
DATABASE_URL = None
SQLALCHEMY_ENGINE_OPTIONS: dict = {}

# Sessions and forms. The cookies are Secure in production (None: Secure unless DEBUG or
# TESTING, where http://localhost must work); production refuses to start if they are not,
# and sends HSTS_SECONDS as Strict-Transport-Security on every response.
SESSION_COOKIE_SECURE = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_SECURE = None
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
HSTS_SECONDS = 365 * 24 * 3600
WTF_CSRF_TIME_LIMIT = None  # a form left open over lunch must still post

# Language and time: Swedish first, English complete.
BABEL_DEFAULT_LOCALE = "sv"
BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"
LANGUAGES = ["sv", "en"]

# Login throttling: after this many failures within the window, further attempts are
# refused until the window has passed: for one address from one source (client IP), for one
# source whatever the address, and for one address from all sources together.
LOGIN_MAX_FAILURES = 5
LOGIN_MAX_FAILURES_PER_SOURCE = 50
LOGIN_MAX_FAILURES_PER_ADDRESS = 100
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
# Behind this many reverse proxies, the client's address is read from X-Forwarded-For.
PROXY_FIX_X_FOR = 0

# A password-reset link an admin sends works once, within this time.
PASSWORD_RESET_SECONDS = 24 * 3600

# The second factor (codes from an authenticator app). With REQUIRE_ADMIN_SECOND_FACTOR
# (CASEAPP_REQUIRE_ADMIN_SECOND_FACTOR=true) an administrator without one is sent to set
# one up at login and can open no other page until it is on. After the password, the code
# must follow within SECOND_FACTOR_PENDING_SECONDS. SECOND_FACTOR_ISSUER is the name the
# authenticator app shows beside the code.
REQUIRE_ADMIN_SECOND_FACTOR = False
SECOND_FACTOR_PENDING_SECONDS = 5 * 60
SECOND_FACTOR_ISSUER = "caseapp"

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
# The directory's lists, and the documents and cases on a directory record's page.
DIRECTORY_PER_PAGE = 50
# A long list counts its rows up to this many, then says "more than" (caseapp.keyset).
LIST_COUNT_CAP = 1000
# Follow-ups, inbox items and notices per page of their lists (each page states the total).
LIST_PAGE_SIZE = 50
# How long a process keeps a user's navigation counts (follow-ups due, mail to register);
# a change made in the same process shows at once, one made elsewhere within this time
# (see caseapp.navcache).
NAV_COUNTS_SECONDS = 30
# The history and the sent notices of a case, a page at a time (cases.sections).
CASE_SECTION_PER_PAGE = 50

# The installation's public address (https://diarium.ange.se), for the links in mail. A
# production app (neither DEBUG nor TESTING) refuses to start without it; see check_base_url.
BASE_URL = ""

# Mail in by IMAP (`caseapp mail fetch-imap`). IMAP_SECURITY: "ssl", "starttls" or "none".
IMAP_HOST = None
IMAP_PORT = 993
IMAP_SECURITY = "ssl"
IMAP_USER = None
IMAP_PASSWORD = None
IMAP_FOLDER = "INBOX"
# Fetched mail is moved here after it is stored; None means it is only flagged \Seen.
IMAP_PROCESSED_FOLDER = None

# Follow-ups: reminder stages in days relative to the due date (negative = before), and an
# escalation stage to the case officer (or FOLLOWUP_ESCALATION_EMAIL when a case has none).
FOLLOWUP_REMINDER_STAGES = [-7, 0, 3]
FOLLOWUP_ESCALATION_STAGE = 7
FOLLOWUP_ESCALATION_EMAIL = None

# Notification delivery (caseapp worker): retries back off exponentially from
# NOTIFY_RETRY_SECONDS (60 s, 2 min, 4 min …, at most NOTIFY_RETRY_MAX_SECONDS) until
# NOTIFY_MAX_ATTEMPTS; then the row is failed and shown to admins to resend.
NOTIFY_RETRY_SECONDS = 60
NOTIFY_RETRY_MAX_SECONDS = 6 * 3600
NOTIFY_MAX_ATTEMPTS = 6
NOTIFY_SMTP_TIMEOUT = 30  # seconds per SMTP step; a slow server cannot hold a worker longer
NOTIFY_BATCH_SIZE = 100  # rows claimed and sent over one SMTP connection
NOTIFY_LEASE_SECONDS = 900  # a claim older than this is taken over (its worker died)
NOTIFY_POLL_SECONDS = 5
NOTIFY_MESSAGE_ID_DOMAIN = None  # default: the sender address's domain
# A worker writes its heartbeat at most this often; the outbox page warns when no worker has
# been seen for NOTIFY_WORKER_STALE_SECONDS, or when notices have been due for longer than
# NOTIFY_OVERDUE_SECONDS.
NOTIFY_HEARTBEAT_SECONDS = 10
NOTIFY_WORKER_STALE_SECONDS = 120
NOTIFY_OVERDUE_SECONDS = 600


# ---------------------------------------------------------------- checks (not settings)


class ConfigurationError(RuntimeError):
    """The configuration cannot work; the message says what to set."""


def base_url_problem(base_url: str | None) -> str | None:
    """What is wrong with ``base_url`` as the address of links in mail, or None if nothing.

    It must be an absolute http(s) address with a host and nothing after the path.
    """
    if not base_url:
        return "CASEAPP_BASE_URL is not set"
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"CASEAPP_BASE_URL {base_url!r} is not an http(s) address with a host"
    if parts.query or parts.fragment:
        return f"CASEAPP_BASE_URL {base_url!r} has a query or a fragment"
    return None


def check_base_url(config, *, required: bool) -> None:
    """Refuse (ConfigurationError) a ``BASE_URL`` that is set but unusable, and a missing
    one when ``required`` (production: an app that is neither DEBUG nor TESTING), since
    every link in mail would then point nowhere."""
    base_url = config.get("BASE_URL")
    problem = base_url_problem(base_url)
    if problem is None or (not base_url and not required):
        return
    raise ConfigurationError(
        f"{problem}. Links in notification mail are built from it: set it to the public "
        "address of the installation, e.g. CASEAPP_BASE_URL=https://diarium.ange.se (or "
        "BASE_URL in instance/config.py). On a development machine, CASEAPP_DEBUG=1 lets "
        "links point at http://localhost instead; `make run` sets its own address."
    )


def production(config) -> bool:
    """Production is whatever is neither debugging nor testing."""
    return not (config.get("DEBUG") or config.get("TESTING"))


def apply_cookie_defaults(config) -> None:
    """Secure cookies unless configured otherwise: in production always, for debugging and
    tests not (their http://localhost would never get the cookie back)."""
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if config.get(name) is None:
            config[name] = production(config)


def check_cookies(config, *, required: bool) -> None:
    """Refuse (ConfigurationError) session cookies without Secure, HttpOnly and SameSite
    when ``required`` (production): a session sent over plain http can be taken over."""
    if not required:
        return
    for prefix in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        if not config.get(f"{prefix}_SECURE") or not config.get(f"{prefix}_HTTPONLY"):
            raise ConfigurationError(
                f"{prefix}_SECURE and {prefix}_HTTPONLY must be on in production: the "
                "session must never travel over plain http. Serve the installation over "
                "https and remove the setting that turns them off (e.g. "
                f"CASEAPP_{prefix}_SECURE=false); CASEAPP_DEBUG=1 is for development."
            )
        if config.get(f"{prefix}_SAMESITE") not in ("Lax", "Strict"):
            raise ConfigurationError(f"{prefix}_SAMESITE must be 'Lax' or 'Strict' in production.")


def check_demo_passwords(addresses: list[str]) -> None:
    """Refuse (ConfigurationError) to run in production while active accounts still have
    the published demo password."""
    if addresses:
        raise ConfigurationError(
            "These active accounts still have the published demo password: "
            f"{', '.join(addresses)}. Change each one with `caseapp users set-password "
            "EMAIL --password-stdin` (or deactivate it) before running in production; "
            "CASEAPP_DEBUG=1 is for development."
        )

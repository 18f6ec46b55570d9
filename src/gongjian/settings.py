"""Django settings, read from the environment; safe production defaults, zh-hans first."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("GONGJIAN_HOME", Path.cwd())).resolve()
VAR_DIR = Path(os.environ.get("GONGJIAN_VAR", BASE_DIR / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Take SECRET_KEY from the environment, else keep one generated in var/ (never a constant)."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


DEBUG = _env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # its Swagger page then loads its script from our static files, which the CSP allows
    "simple_history",
    "axes",
    "gongjian.core",
    "gongjian.org",
    "gongjian.campaigns",
    "gongjian.projects",
    "gongjian.supervision",
    "gongjian.assessment",
    "gongjian.dashboard",
    "gongjian.exchange",
    "gongjian.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Today's date (a site setting in the demo) read once a request, not at every call.
    "gongjian.core.clock.PerRequestToday",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Reads on the replica for marked pages, read-your-writes on the primary (core.replica).
    "gongjian.core.replica.ReplicaMiddleware",
    "gongjian.core.sessions.IdleTimeoutMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Chinese whatever the browser sends; the user's choice (org.language) after authentication.
    "gongjian.org.language.SiteLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gongjian.core.http.DomainErrorPages",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "gongjian.org.middleware.PasswordChangeMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongjian.urls"
WSGI_APPLICATION = "gongjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongjian.nav.navigation",
            ],
        },
    },
]

# SQLite (WAL, in var/) is the embedded default; production sets DATABASE_URL to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gongjian.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# A streaming read replica of the PostgreSQL primary (core/replica.py, docs/operations.md): the
# battle map's and lists' reads go there, writes and read-your-writes to the primary. In tests it
# mirrors the default database, so the suite needs no second server.
if _replica_url := os.environ.get("GONGJIAN_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["gongjian.core.replica.ReplicaRouter"]
# After a request that wrote, its session reads the primary this long (replication lag cover).
GONGJIAN_REPLICA_STICKY_SECONDS = int(os.environ.get("GONGJIAN_REPLICA_STICKY_SECONDS", "30"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

# 等保 2.0 level 3 (GB/T 22239-2019), the values offices quote: docs/security.md.
# django-axes first: it refuses a locked-out account before any password is checked; it needs
# the request, which the login views pass to authenticate().
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Single sign-on (OIDC, org/sso.py, docs/operations.md): on when a client id and the provider's
# issuer (its endpoints then read from /.well-known/openid-configuration) or its endpoints are
# set. It only matches existing accounts, by GONGJIAN_OIDC_MATCH ("username" or
# "employee_number") against the claim GONGJIAN_OIDC_CLAIM; it never creates users nor roles.
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "").rstrip("/")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
# Blank: read from the issuer's discovery document at the first login (org.sso.provider_setting).
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
# Single sign-out (RP-initiated logout): our logout also ends the identity service's session, at
# this endpoint (blank: the discovery document's end_session_endpoint), with the ID token of the
# sign-in (kept in the session for it) and the way back to the login page (org.sso).
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")
OIDC_OP_LOGOUT_URL_METHOD = os.environ.get(
    "OIDC_OP_LOGOUT_URL_METHOD", "gongjian.org.sso.provider_logout_url"
)
OIDC_STORE_ID_TOKEN = True
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid profile")
OIDC_USE_PKCE = _env_bool("OIDC_USE_PKCE", True)
OIDC_CREATE_USER = False
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
OIDC_CALLBACK_CLASS = "gongjian.org.sso.SsoCallbackView"
OIDC_AUTHENTICATE_CLASS = "gongjian.org.sso.SsoStartView"
OIDC_TIMEOUT = int(os.environ.get("OIDC_TIMEOUT", "10"))
GONGJIAN_OIDC_CLAIM = os.environ.get("GONGJIAN_OIDC_CLAIM", "preferred_username")
GONGJIAN_OIDC_MATCH = os.environ.get("GONGJIAN_OIDC_MATCH", "username")
GONGJIAN_OIDC_ENABLED = bool(
    OIDC_RP_CLIENT_ID and (OIDC_OP_ISSUER or OIDC_OP_AUTHORIZATION_ENDPOINT)
)
if GONGJIAN_OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("gongjian.org.sso.SsoBackend")
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
# Each on its own: an account after 5 failures from anywhere, an address after 5 failures
# on any accounts (the 30 wrong passwords in 18 s of issue 12 meet a lock either way).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gongjian.org.views.locked_out"
AXES_VERBOSE = False
# Successful logins are in our own security log (core.audit); axes keeps only the failures.
AXES_DISABLE_ACCESS_LOG = True
# How many proxies in front append to X-Forwarded-For (nginx in front of gunicorn: 1); 0 trusts
# only REMOTE_ADDR. Behind nginx with 0, every user shares nginx's address and one address's
# five failures would lock everyone out.
GONGJIAN_TRUSTED_PROXY_COUNT = int(os.environ.get("GONGJIAN_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "gongjian.core.audit.client_ip"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gongjian.org.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
# Days before a password must be changed (0: never); a new account changes it at first login.
GONGJIAN_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("GONGJIAN_PASSWORD_MAX_AGE_DAYS", "90"))
# Accounts that code marks exempt (the demo's, whose password is printed, and benchmarks')
# skip the password rules while this is on; a production site may turn it off.
GONGJIAN_PASSWORD_EXEMPTIONS = _env_bool("GONGJIAN_PASSWORD_EXEMPTIONS", True)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(
    parents=True, exist_ok=True
)  # WhiteNoise serves from finders; it wants the root to exist
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Uploads (core/files.py): the largest accepted, and who sends stored files once the app has
# checked the user may see them: "" (Django itself), "x-accel-redirect" (nginx, from the
# internal location below) or "x-sendfile" (Apache's mod_xsendfile, lighttpd).
GONGJIAN_MAX_UPLOAD_BYTES = int(os.environ.get("GONGJIAN_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
GONGJIAN_FILE_SENDER = os.environ.get("GONGJIAN_FILE_SENDER", "")
GONGJIAN_FILE_INTERNAL_URL = os.environ.get("GONGJIAN_FILE_INTERNAL_URL", "/protected-media/")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
# Idle logout: the session lives SESSION_COOKIE_AGE past its last renewal (a request renews it
# at most once a minute: core.sessions.IdleTimeoutMiddleware), and the cookie dies with the
# browser.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind TLS in production these are on; the demo on http://127.0.0.1 turns them off explicitly.
_SECURE = _env_bool("SECURE", not DEBUG)
SESSION_COOKIE_SECURE = _SECURE
CSRF_COOKIE_SECURE = _SECURE
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", _SECURE)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if _SECURE else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _SECURE
SECURE_HSTS_PRELOAD = _SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp 4, issue 12.4): script only from our own files, so a user's
# string that slips into a page cannot run. The pages keep no inline script or on* handler (a test
# greps the templates). Styles allow 'unsafe-inline' because ECharts writes its tooltips as HTML with
# style attributes; htmx is told (meta htmx-config) not to eval nor inject its indicator <style>.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# A fixed "today" for the whole app (the demo pins it to its December data); unset = the real date.
GONGJIAN_TODAY = os.environ.get("GONGJIAN_TODAY", "")

# Uploaded files (ledger, reports, values, plans; page, API and CLI alike) are checked against
# these before a cell is read, so a 12 KB workbook cannot make the server allocate gigabytes.
GONGJIAN_IMPORT_MAX_BYTES = int(os.environ.get("GONGJIAN_IMPORT_MAX_BYTES", 10 * 1024 * 1024))
# The sum of the sizes a .xlsx's zip directory declares for its members once unpacked.
GONGJIAN_IMPORT_MAX_UNZIPPED_BYTES = int(
    os.environ.get("GONGJIAN_IMPORT_MAX_UNZIPPED_BYTES", 200 * 1024 * 1024)
)
GONGJIAN_IMPORT_MAX_ROWS = int(os.environ.get("GONGJIAN_IMPORT_MAX_ROWS", 100_000))
GONGJIAN_IMPORT_MAX_COLUMNS = int(os.environ.get("GONGJIAN_IMPORT_MAX_COLUMNS", 200))

# Group robots (DingTalk, WeCom) accept about 20 messages a minute, then throttle: each robot is
# sent at most this many requests a minute (a robot's own setting wins), and messages that come
# within GONGJIAN_ROBOT_FOLD_SECONDS of the robot's last request wait and go as one digest.
GONGJIAN_ROBOT_RATE_PER_MINUTE = int(os.environ.get("GONGJIAN_ROBOT_RATE_PER_MINUTE", "20"))
GONGJIAN_ROBOT_FOLD_SECONDS = int(os.environ.get("GONGJIAN_ROBOT_FOLD_SECONDS", "60"))
# Where the robots' messages are sent once the commit that queued them is done: "thread" (a
# background thread, so the request does not wait for a robot) or "inline" (in the request; the
# test suite's choice, where tests assert on what a robot received).
GONGJIAN_ROBOT_DELIVERY = os.environ.get("GONGJIAN_ROBOT_DELIVERY", "thread")
# The daily digest of yellow and red orders goes to people; to the lead unit's robots as well
# only when an office turns this on.
GONGJIAN_ROBOT_LIGHT_DIGEST = _env_bool("GONGJIAN_ROBOT_LIGHT_DIGEST", False)

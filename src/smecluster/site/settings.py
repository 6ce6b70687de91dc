"""Django settings, all from the environment (12-factor): nothing secret or site-specific lives in code.

| variable | default | meaning |
| --- | --- | --- |
| SMECLUSTER_SECRET_KEY | (required unless SMECLUSTER_DEBUG) | Django's signing key |
| SMECLUSTER_DEBUG | false | debug pages; never in production |
| SMECLUSTER_ALLOWED_HOSTS | 127.0.0.1,localhost | comma-separated |
| DATABASE_URL | sqlite:///$SMECLUSTER_DATA_DIR/smecluster.sqlite3 | PostgreSQL in production and tests |
| SMECLUSTER_DATA_DIR | ~/.local/share/smecluster | holiday years, evidence files, the demo database |
| SMECLUSTER_EVIDENCE_MAX_MB | 20 | upload size limit per evidence file |
| SMECLUSTER_DATASETS_DIR | $SMECLUSTER_DATA_DIR/datasets | enterprise-year files for candidate discovery |
| SMECLUSTER_DATASET_MAX_MB | 200 | upload size limit per enterprise-year file (bigger: place and register) |
| SMECLUSTER_DATASET_MAX_ROWS | 200000000 | rows a Parquet file may declare or a CSV hold (lines) |
| SMECLUSTER_DATASET_MAX_COLUMNS | 64 | columns of an enterprise-year file (Parquet schema, CSV header) |
| SMECLUSTER_DATASET_MAX_ROW_GROUPS | 20000 | row groups a Parquet footer may declare |
| SMECLUSTER_DATASET_MAX_FOOTER_MB | 16 | size of a Parquet footer (and never more than the file) |
| SMECLUSTER_DATASET_MAX_UNCOMPRESSED_GB | 64 | uncompressed size a Parquet footer may declare |
| SMECLUSTER_DATASET_MAX_RATIO | 100 | declared uncompressed size / file size of a Parquet file |
| SMECLUSTER_DATASET_MAX_LINE_KB | 64 | longest line of a CSV enterprise-year file |
| SMECLUSTER_DATASET_MAX_GB | 64 | size of a registered enterprise-year file |
| SMECLUSTER_WORKBOOK_MAX_ROWS | 250000 | rows a sheet of an uploaded workbook may declare or hold |
| SMECLUSTER_WORKBOOK_MAX_COLUMNS | 200 | columns a sheet of an uploaded workbook may declare or reach |
| SMECLUSTER_WORKBOOK_MAX_UNCOMPRESSED_MB | 200 | uncompressed size of workbook zip members, each and all |
| SMECLUSTER_WORKBOOK_MAX_RATIO | 100 | compression ratio of a workbook's zip member (a zip bomb) |
| SMECLUSTER_EMAIL_BACKEND | console | Django e-mail backend path, or "console" |
| SMECLUSTER_DEFAULT_FROM_EMAIL | noreply@smecluster.local | sender of notifications |
| SMECLUSTER_SECURE_COOKIES | false | session and CSRF cookies only over HTTPS |
| SMECLUSTER_HSTS_SECONDS | 0 | Strict-Transport-Security max-age (31536000 in production) |
| SMECLUSTER_HSTS_INCLUDE_SUBDOMAINS | false | HSTS for every subdomain too |
| SMECLUSTER_HSTS_PRELOAD | false | ask browsers' preload lists to include the host |
| SMECLUSTER_SSL_REDIRECT | false | redirect plain HTTP to HTTPS |
| SMECLUSTER_PROXY_SSL_HEADER | (none) | TLS proxy header, e.g. X-Forwarded-Proto (value https) |
| SMECLUSTER_CSRF_TRUSTED_ORIGINS | (none) | comma-separated origins, e.g. https://cluster.example.gov.cn |
| SMECLUSTER_SESSION_IDLE_MINUTES | 30 | a session ends after this long without a request |
| SMECLUSTER_PASSWORD_MIN_LENGTH | 12 | shortest password accepted when one is set through a form or command |
| SMECLUSTER_TRUSTED_PROXY_HEADER | (none) | header carrying the client address, e.g. X-Forwarded-For |
| SMECLUSTER_TRUSTED_PROXY_COUNT | 1 | proxies in front of the site (the address: that many from the right) |
| SMECLUSTER_OBJECTIONS_PER_ADDRESS_PER_HOUR | 5 | accepted public objections per client address per hour |
| SMECLUSTER_OBJECTION_MAX_TOTAL_MB | 20 | total size of one objection's files (and its body's cap) |
| SMECLUSTER_OBJECTION_LOOKUP_MISSES_PER_ADDRESS_PER_HOUR | 10 | wrong outcome look-ups per address per hour |
| SMECLUSTER_OBJECTION_FINDING_LINK_MINUTES | 30 | life of the outcome page's links to the finding's files |
| SMECLUSTER_CAPTCHA_FONT_PATH | (fonts-dejavu-core's DejaVuSans.ttf) | font of the objection challenge |
| SMECLUSTER_CAPTCHA_TIMEOUT_MINUTES | 30 | how long an objection form's challenge can be answered |
| SMECLUSTER_LOGIN_FAILURE_LIMIT | 5 | failed logins, per account and per address, that lock logins out |
| SMECLUSTER_LOGIN_COOLOFF_MINUTES | 30 | how long a lockout lasts after the last failed attempt |
| SMECLUSTER_TWO_FACTOR_ROLES | province_admin,ministry_admin,platform_admin | who must sign in with a code |
| SMECLUSTER_TOTP_ISSUER | smecluster | the name authenticator apps show beside the account |
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from smecluster.workdays import default_data_dir

# Generic classes written with their type (``ModelAdmin[Any]``, ``ModelForm[Programme]``) for mypy must be
# subscriptable at run time too.
django_stubs_ext.monkeypatch()


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _number(name: str, default: int) -> int:
    """An integer setting; unset or empty means the default."""
    return int(os.environ.get(name, "").strip() or default)


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = default_data_dir()

DEBUG = _flag("SMECLUSTER_DEBUG")
SECRET_KEY = os.environ.get("SMECLUSTER_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("set SMECLUSTER_SECRET_KEY (or SMECLUSTER_DEBUG=1 for development)")
    SECRET_KEY = "development-only-not-secret"
ALLOWED_HOSTS = [
    host.strip() for host in os.environ.get("SMECLUSTER_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "captcha",
    "smecluster.apps.accounts",
    "smecluster.apps.audit",
    "smecluster.apps.programmes",
    "smecluster.apps.applications",
    "smecluster.apps.reviews",
    "smecluster.apps.selection",
    "smecluster.apps.notices",
    "smecluster.apps.registry",
    "smecluster.apps.oversight",
    "smecluster.apps.monitoring",
    "smecluster.apps.rosters",
    "smecluster.apps.notifications",
    "smecluster.apps.discovery",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "smecluster.site.locale.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor (django-otp) ...
    "django_otp.middleware.OTPMiddleware",
    # ... and, for every page but a few, a user who must pass it and has not is sent to do so.
    "smecluster.apps.accounts.two_factor_middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "smecluster.apps.audit.middleware.RequestIdMiddleware",
    # Last, as django-axes asks: it turns a login refused for a lockout into the locked-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smecluster.site.urls"
WSGI_APPLICATION = "smecluster.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "smecluster.apps.notifications.context.unread_notifications",
            ],
        },
    },
]

if "DATABASE_URL" not in os.environ:
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite default lives there
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'smecluster.sqlite3'}"),
        conn_max_age=60,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
# django-axes first: it refuses a locked-out login before any password is checked. It needs the request, so
# every ``authenticate`` must pass one (the test client's ``login`` takes ``request=HttpRequest()``).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Checked wherever a password is chosen (the password forms, the admin, createsuperuser, changepassword);
# ``User.set_password`` itself does not check, so the demo and test fixtures choose theirs freely.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": _number("SMECLUSTER_PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "smecluster.apps.accounts.passwords.WordThenNumberPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "site" / "static"]
# The demo and small deployments serve static files from the app itself (WhiteNoise), no web server needed.
WHITENOISE_USE_FINDERS = True

# Evidence lives outside any web root and is served only through a view that checks permission.
EVIDENCE_ROOT = Path(os.environ.get("SMECLUSTER_EVIDENCE_DIR", DATA_DIR / "evidence"))
EVIDENCE_MAX_BYTES = int(os.environ.get("SMECLUSTER_EVIDENCE_MAX_MB", "20")) * 1024 * 1024
# Enterprise-year files for candidate discovery: private (never served), uploads kept under uploads/;
# a file too big for a browser (a national registry extract) is placed in this directory and registered.
DISCOVERY_DATASETS_DIR = Path(os.environ.get("SMECLUSTER_DATASETS_DIR", DATA_DIR / "datasets"))
DISCOVERY_DATASET_MAX_BYTES = int(os.environ.get("SMECLUSTER_DATASET_MAX_MB", "200")) * 1024 * 1024
# Every enterprise-year file (uploaded, registered) is checked against these before DuckDB reads it: it
# trusts what a Parquet footer declares (see smecluster.analytics.discovery.dataset_limits). The defaults
# are twice the 10^8 firm-years one machine is built for.
DATASET_MAX_ROWS = int(os.environ.get("SMECLUSTER_DATASET_MAX_ROWS", "200000000"))
DATASET_MAX_COLUMNS = int(os.environ.get("SMECLUSTER_DATASET_MAX_COLUMNS", "64"))
DATASET_MAX_ROW_GROUPS = int(os.environ.get("SMECLUSTER_DATASET_MAX_ROW_GROUPS", "20000"))
DATASET_MAX_FOOTER_BYTES = int(os.environ.get("SMECLUSTER_DATASET_MAX_FOOTER_MB", "16")) * 1024 * 1024
DATASET_MAX_UNCOMPRESSED_BYTES = (
    int(os.environ.get("SMECLUSTER_DATASET_MAX_UNCOMPRESSED_GB", "64")) * 1024 * 1024 * 1024
)
DATASET_MAX_RATIO = int(os.environ.get("SMECLUSTER_DATASET_MAX_RATIO", "100"))
DATASET_MAX_LINE_BYTES = int(os.environ.get("SMECLUSTER_DATASET_MAX_LINE_KB", "64")) * 1024
DATASET_MAX_FILE_BYTES = int(os.environ.get("SMECLUSTER_DATASET_MAX_GB", "64")) * 1024 * 1024 * 1024
# The public objection form: the client address behind the site's own proxies (their header, read from the
# right: entries further left are whatever the client sent), and limits counted on accepted objections.
TRUSTED_PROXY_HEADER = os.environ.get("SMECLUSTER_TRUSTED_PROXY_HEADER", "").strip()
TRUSTED_PROXY_COUNT = _number("SMECLUSTER_TRUSTED_PROXY_COUNT", 1)
OBJECTIONS_PER_ADDRESS_PER_HOUR = _number("SMECLUSTER_OBJECTIONS_PER_ADDRESS_PER_HOUR", 5)
OBJECTION_MAX_TOTAL_BYTES = _number("SMECLUSTER_OBJECTION_MAX_TOTAL_MB", 20) * 1024 * 1024
# The objector's look-up of the outcome (receipt number and telephone): misses counted per address.
OBJECTION_LOOKUP_MISSES_PER_ADDRESS_PER_HOUR = _number(
    "SMECLUSTER_OBJECTION_LOOKUP_MISSES_PER_ADDRESS_PER_HOUR", 10
)
# The outcome page's signed links to the finding's evidence (``notices.finding_links``): long enough to
# download, short enough that a forwarded or logged link soon stops working.
OBJECTION_FINDING_LINK_MINUTES = _number("SMECLUSTER_OBJECTION_FINDING_LINK_MINUTES", 30)
# The image challenge before a public objection is accepted (django-simple-captcha: drawn here, no outside
# service). Its font comes from a Debian package (fonts-dejavu-core, installed by `make test` and `make
# demo`), not a copy in the repository; the library reads only paths ending in "ttf" as TrueType. The time
# allows for writing a long objection after the page opened; an unanswered challenge is a row that
# `smecluster tick` deletes once expired. CAPTCHA_TEST_MODE stays off everywhere, the tests included.
CAPTCHA_FONT_PATH = os.environ.get(
    "SMECLUSTER_CAPTCHA_FONT_PATH", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
).strip()
CAPTCHA_TIMEOUT = _number("SMECLUSTER_CAPTCHA_TIMEOUT_MINUTES", 30)
CAPTCHA_FONT_SIZE = 30
CAPTCHA_LENGTH = 4
CAPTCHA_TEST_MODE = False

# Every uploaded workbook (roster, application, annual report) is checked against these before parsing:
# a parser trusts the sizes a file declares (see smecluster.documents.workbook_limits).
WORKBOOK_MAX_ROWS = int(os.environ.get("SMECLUSTER_WORKBOOK_MAX_ROWS", "250000"))
WORKBOOK_MAX_COLUMNS = int(os.environ.get("SMECLUSTER_WORKBOOK_MAX_COLUMNS", "200"))
WORKBOOK_MAX_UNCOMPRESSED_BYTES = (
    int(os.environ.get("SMECLUSTER_WORKBOOK_MAX_UNCOMPRESSED_MB", "200")) * 1024 * 1024
)
WORKBOOK_MAX_RATIO = int(os.environ.get("SMECLUSTER_WORKBOOK_MAX_RATIO", "100"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

_email = os.environ.get("SMECLUSTER_EMAIL_BACKEND", "console")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend" if _email == "console" else _email
DEFAULT_FROM_EMAIL = os.environ.get("SMECLUSTER_DEFAULT_FROM_EMAIL", "noreply@smecluster.local")

SESSION_COOKIE_HTTPONLY = True
# An idle timeout for everyone (officers hold the most): the cookie's age is renewed on every request, so a
# session ends SMECLUSTER_SESSION_IDLE_MINUTES after the last one, and at the latest when the browser closes.
SESSION_COOKIE_AGE = _number("SMECLUSTER_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A form refused by the CSRF check (a page left open past its session) says so in Chinese, in the frame.
CSRF_FAILURE_VIEW = "smecluster.site.error_pages.csrf_failure"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-free meta tag; see base template
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = _flag("SMECLUSTER_SECURE_COOKIES")
    CSRF_COOKIE_SECURE = _flag("SMECLUSTER_SECURE_COOKIES")
# HTTPS: off by default so the demo and a plain-HTTP intranet trial work; production sets all of these.
SECURE_HSTS_SECONDS = _number("SMECLUSTER_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("SMECLUSTER_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = _flag("SMECLUSTER_HSTS_PRELOAD")
SECURE_SSL_REDIRECT = _flag("SMECLUSTER_SSL_REDIRECT")
# Behind a proxy that terminates TLS, the request reaches Django as plain HTTP; the proxy says what the
# browser used in this header (which it must overwrite, never pass on from the client).
if _proxy_header := os.environ.get("SMECLUSTER_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
CSRF_TRUSTED_ORIGINS = _list("SMECLUSTER_CSRF_TRUSTED_ORIGINS")
# Login lockout (django-axes, in the database so every worker sees the same counts): after
# SMECLUSTER_LOGIN_FAILURE_LIMIT failures for one username, or from one address, logins for it are refused
# until SMECLUSTER_LOGIN_COOLOFF_MINUTES pass without another attempt; `axes_reset_username` unlocks earlier.
# A success does not reset the counts: it would let an attacker clear their address's count by logging
# into an account of their own. Failures older than the cool-off stop counting.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = _number("SMECLUSTER_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=_number("SMECLUSTER_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "smecluster.site.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "smecluster.site.lockout.locked_out"
AXES_USERNAME_CALLABLE = "smecluster.site.lockout.attempted_username"

# Two-factor sign-in (django-otp: a TOTP authenticator, and recovery codes as its static tokens). Those
# named here must use it (roles of accounts.Role; "platform_admin" is anyone with is_staff or is_superuser);
# anyone else may enrol from the account page, and once enrolled is asked for a code too. Unset: the
# default; "none": nobody is required to.
TWO_FACTOR_ROLE_NAMES = frozenset(
    {
        "province_admin",
        "city_officer",
        "county_officer",
        "operator",
        "expert",
        "ministry_admin",
        "platform_admin",
    }
)  # accounts.Role's values and platform_admin (tests/security/test_security_two_factor.py keeps them equal)
_two_factor_roles = os.environ.get("SMECLUSTER_TWO_FACTOR_ROLES")
TWO_FACTOR_REQUIRED_ROLES = frozenset(
    ["province_admin", "ministry_admin", "platform_admin"]
    if _two_factor_roles is None
    else [name for name in _list("SMECLUSTER_TWO_FACTOR_ROLES") if name != "none"]
)
if _unknown_roles := TWO_FACTOR_REQUIRED_ROLES - TWO_FACTOR_ROLE_NAMES:
    raise ImproperlyConfigured(
        f"SMECLUSTER_TWO_FACTOR_ROLES: unknown role(s) {', '.join(sorted(_unknown_roles))}"
    )
OTP_TOTP_ISSUER = os.environ.get("SMECLUSTER_TOTP_ISSUER", "").strip() or "smecluster"

# Content-Security-Policy (django-csp 4): scripts only from this site's own files, never inline (the
# templates carry no <script> body, javascript: link or on… attribute; site/static/site.js does their
# work). Styles likewise come only from site/static/site.css: no template carries a style attribute or a
# <style> element (a test checks), and the monitoring charts are <img> data URIs of matplotlib's SVG, whose
# own styles apply inside the image only. Inline styles can exfiltrate through CSS selectors and fake
# parts of a page. htmx is told (htmx-config in base.html) not to add its own <style> or eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SMECLUSTER_LOG_LEVEL", "WARNING")},
    # A refused request (403/404) is the system working, not a warning worth a traceback.
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}

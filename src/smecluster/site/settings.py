"""Django settings, all from the environment (12-factor): nothing secret or site-specific lives in code.

| variable | default | meaning |
| --- | --- | --- |
| SMECLUSTER_SECRET_KEY | (required unless SMECLUSTER_DEBUG) | Django's signing key |
| SMECLUSTER_DEBUG | false | debug pages; never in production |
| SMECLUSTER_ALLOWED_HOSTS | 127.0.0.1,localhost | comma-separated |
| DATABASE_URL | (required unless SMECLUSTER_DEBUG: SQLite) | PostgreSQL; `smecluster serve` refuses others |
| SMECLUSTER_DATA_DIR | ~/.local/share/smecluster | holiday years, evidence files, the demo database |
| SMECLUSTER_EVIDENCE_MAX_MB | 20 | upload size limit per evidence file |
| SMECLUSTER_DATASETS_DIR | $SMECLUSTER_DATA_DIR/datasets | enterprise-year files for candidate discovery |
| SMECLUSTER_JOBS_DIR | $SMECLUSTER_DATA_DIR/jobs | files the job worker made, kept for their requester |
| SMECLUSTER_DOCUMENTS_DIR | $SMECLUSTER_DATA_DIR/documents | official documents as issued, kept as rendered |
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
| SMECLUSTER_EMAIL_BACKEND | console (smtp with a host) | "console", "smtp", or a Django e-mail backend path |
| SMECLUSTER_EMAIL_HOST | (none) | SMTP server; setting it alone selects the smtp backend |
| SMECLUSTER_EMAIL_PORT | 25 (587 with TLS, 465 with SSL) | SMTP port |
| SMECLUSTER_EMAIL_HOST_USER | (none) | SMTP login, when the server asks for one |
| SMECLUSTER_EMAIL_HOST_PASSWORD | (none) | its password |
| SMECLUSTER_EMAIL_USE_TLS | false | STARTTLS after connecting |
| SMECLUSTER_EMAIL_USE_SSL | false | TLS from the start (not with USE_TLS) |
| SMECLUSTER_EMAIL_TIMEOUT | 10 | seconds to wait for the SMTP server |
| SMECLUSTER_EMAIL_ATTEMPTS | 3 | tries per message in one run (then the daily tick tries again) |
| SMECLUSTER_EMAIL_RETRY_SECONDS | 2 | first pause between tries, doubled each time |
| SMECLUSTER_EMAIL_KEEP_DAYS | 180 | days the record of a sent mail is kept (the tick deletes older ones) |
| SMECLUSTER_DEFAULT_FROM_EMAIL | noreply@smecluster.local | sender of notifications and password resets |
| SMECLUSTER_SITE_URL | http://127.0.0.1:8000 | the site's address for mails' links, e.g. https://x.gov.cn |
| SMECLUSTER_ISSUING_DEPARTMENT | 中小企业主管部门 | who runs the platform (主办单位: login page, foot) |
| SMECLUSTER_SECURE_COOKIES | false | session and CSRF cookies only over HTTPS |
| SMECLUSTER_HSTS_SECONDS | 0 | Strict-Transport-Security max-age (31536000 in production) |
| SMECLUSTER_HSTS_INCLUDE_SUBDOMAINS | false | HSTS for every subdomain too |
| SMECLUSTER_HSTS_PRELOAD | false | ask browsers' preload lists to include the host |
| SMECLUSTER_SSL_REDIRECT | false | redirect plain HTTP to HTTPS |
| SMECLUSTER_PROXY_SSL_HEADER | (none) | TLS proxy header, e.g. X-Forwarded-Proto (value https) |
| SMECLUSTER_CSRF_TRUSTED_ORIGINS | (none) | comma-separated origins, e.g. https://cluster.example.gov.cn |
| SMECLUSTER_SESSION_IDLE_MINUTES | 30 | a session ends after this long without a request |
| SMECLUSTER_PASSWORD_MIN_LENGTH | 12 | shortest password accepted when one is set through a form or command |
| SMECLUSTER_INVITATION_DAYS | 7 | how long an account invitation's set-password link stays valid |
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
| SMECLUSTER_LOG_LEVEL | WARNING | level of the root logger (gunicorn's own log: info) |
| SMECLUSTER_LOG_FORMAT | json (debug: text) | log records as JSON lines or text, each with the request id |
| SMECLUSTER_ACCESS_LOG | true (debug: false) | one log record per request (smecluster.access) |
| SMECLUSTER_BIND | 127.0.0.1:8000 | where `smecluster serve` listens (host:port or unix:/path) |
| SMECLUSTER_WEB_WORKERS | 2 × cores + 1, at most 9 | gunicorn worker processes |
| SMECLUSTER_WEB_TIMEOUT | 120 | seconds a request may run before its worker is restarted |
| SMECLUSTER_FORWARDED_ALLOW_IPS | 127.0.0.1,::1 | proxies whose forwarded headers gunicorn believes |
| SMECLUSTER_LOCAL_LOGIN_ROLES | (every role) | who may sign in with a password (others: 统一身份认证) |
| SMECLUSTER_OIDC_ISSUER | (none: no single sign-on) | the provider's issuer (its discovery gives the rest) |
| SMECLUSTER_OIDC_CLIENT_ID | (none) | this platform's client id at the provider |
| SMECLUSTER_OIDC_CLIENT_SECRET | (none) | its secret |
| SMECLUSTER_OIDC_SCOPES | openid profile email | scopes asked for (add the one carrying role and division) |
| SMECLUSTER_OIDC_SIGN_ALGO | RS256 | the ID token's signing algorithm |
| SMECLUSTER_OIDC_{AUTHORIZATION,TOKEN,USERINFO,JWKS,END_SESSION}_ENDPOINT | (discovery) | endpoints |
| SMECLUSTER_OIDC_ROLE_CLAIM | smecluster_role | claim naming the person's role |
| SMECLUSTER_OIDC_ROLE_VALUES | (the role codes) | claim value=role pairs, e.g. 市级主管部门=city_officer |
| SMECLUSTER_OIDC_DIVISION_CLAIM | division_code | claim giving their office's GB/T 2260 code |
| SMECLUSTER_OIDC_CREATE_ROLES | (none) | roles whose account is opened at the first sign-in |
| SMECLUSTER_OIDC_DIVISIONS | (every division) | GB/T 2260 codes whose people may sign in (and below) |
| SMECLUSTER_OIDC_TRUST_MFA | claims | claims (amr/acr say so), always, or never: IdP's MFA replaces ours |
| SMECLUSTER_OIDC_MFA_AMR | mfa,otp,hwk,swk,sms,sc | amr values that mean the IdP used a second factor |
| SMECLUSTER_OIDC_MFA_ACR | (none) | acr values that mean the same |
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


def _flag(name: str, default: bool = False) -> bool:
    """A yes/no setting; unset or empty means the default."""
    value = os.environ.get(name, "").strip().lower()
    return value in {"1", "true", "yes", "on"} if value else default


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
    # django-ninja, installed so that its docs page uses the bundled Swagger UI (static files), not a CDN.
    "ninja",
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
    "smecluster.apps.yearly_data",
    "smecluster.apps.jobs",
    "smecluster.apps.issued_documents",
    "smecluster.apps.api",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    # First, so that everything below (and every log record) carries the request's id.
    "smecluster.apps.audit.middleware.RequestIdMiddleware",
    "smecluster.site.request_logging.AccessLogMiddleware",
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
                "smecluster.site.platform.platform_identity",
            ],
        },
    },
]

if "DATABASE_URL" not in os.environ:
    # Never silently: a production instance that lost its DATABASE_URL would start empty on SQLite.
    if not DEBUG:
        raise ImproperlyConfigured(
            "set DATABASE_URL (postgres://user:password@host:5432/name); only SMECLUSTER_DEBUG=1 falls back "
            "to a SQLite file for development"
        )
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
# Then the password (refused for roles that must use single sign-on, SMECLUSTER_LOCAL_LOGIN_ROLES), then
# the OpenID Connect callback (it acts only on the callback's code, state and nonce).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "smecluster.apps.accounts.local_login.PasswordBackend",
    "smecluster.apps.accounts.single_sign_on.SingleSignOnBackend",
]
# Checked wherever a password is chosen (the password forms, the admin, createsuperuser, changepassword);
# ``User.set_password`` itself does not check, so the demo and test fixtures choose theirs freely.
# Argon2id first (accounts.passwords, ADR 0023); the others only read hashes made before, which are
# re-hashed with Argon2id at the next sign-in.
PASSWORD_HASHERS = [
    "smecluster.apps.accounts.passwords.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
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
# Long work (reports, exports) runs in the job worker (`smecluster worker`, django-tasks' database backend:
# a table, no broker); the files it makes are kept here for their requester.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
JOBS_DIR = Path(os.environ.get("SMECLUSTER_JOBS_DIR", DATA_DIR / "jobs"))
# Official documents as issued (certificates, notices, applications as submitted), rendered by the worker
# and served as stored (apps/issued_documents, ADR 0024). Rendering in the request instead is the test
# suite's shortcut (settings_test), never a deployment's: under load a PDF took 11–38 s there.
ISSUED_DOCUMENTS_DIR = Path(os.environ.get("SMECLUSTER_DOCUMENTS_DIR", DATA_DIR / "documents"))
ISSUED_DOCUMENTS_RENDER_IN_REQUEST = False
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

# The API's rate limits (apps/api/access.py): requests per token and per client address, as ninja writes
# rates ("120/m", "5000/h"); counted in each server process's memory.
API_RATE_PER_TOKEN = os.environ.get("SMECLUSTER_API_RATE_PER_TOKEN", "").strip() or "120/m"
API_RATE_PER_ADDRESS = os.environ.get("SMECLUSTER_API_RATE_PER_ADDRESS", "").strip() or "300/m"

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

# --- Mail (notifications, reminders, the objector's outcome): apps/notifications/mail.py -----------------
# The backend: "console" (the demo's default: mails printed), "smtp", or a Django backend path; with
# SMECLUSTER_EMAIL_HOST set and no backend named, SMTP. One message per recipient, recorded as
# notifications.MailDelivery, sent only when the server accepted it, else failed and tried again by the tick.
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}
EMAIL_HOST = os.environ.get("SMECLUSTER_EMAIL_HOST", "").strip() or "localhost"
_email = os.environ.get("SMECLUSTER_EMAIL_BACKEND", "").strip() or (
    "smtp" if os.environ.get("SMECLUSTER_EMAIL_HOST", "").strip() else "console"
)
EMAIL_BACKEND = _EMAIL_BACKENDS.get(_email, _email)
EMAIL_USE_TLS = _flag("SMECLUSTER_EMAIL_USE_TLS")  # STARTTLS, usually port 587
EMAIL_USE_SSL = _flag("SMECLUSTER_EMAIL_USE_SSL")  # TLS from the start, usually port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("set SMECLUSTER_EMAIL_USE_TLS or SMECLUSTER_EMAIL_USE_SSL, not both")
EMAIL_PORT = _number("SMECLUSTER_EMAIL_PORT", 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
EMAIL_HOST_USER = os.environ.get("SMECLUSTER_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SMECLUSTER_EMAIL_HOST_PASSWORD", "")
EMAIL_TIMEOUT = _number("SMECLUSTER_EMAIL_TIMEOUT", 10)  # seconds per connection or reply
DEFAULT_FROM_EMAIL = os.environ.get("SMECLUSTER_DEFAULT_FROM_EMAIL", "noreply@smecluster.local")
# Tries per message in one run, pausing SMECLUSTER_EMAIL_RETRY_SECONDS, then twice that, ... between them;
# a failed message is tried again by each daily tick for MAIL_RETRY_DAYS days.
MAIL_DELIVERY_ATTEMPTS = max(1, _number("SMECLUSTER_EMAIL_ATTEMPTS", 3))
MAIL_RETRY_SECONDS = float(os.environ.get("SMECLUSTER_EMAIL_RETRY_SECONDS", "").strip() or 2)
MAIL_RETRY_DAYS = 7
# The record of a sent mail is deleted this long after (by the tick): it holds what the mail said.
MAIL_KEEP_DAYS = _number("SMECLUSTER_EMAIL_KEEP_DAYS", 180)
# The site's address as its users reach it: every link in a mail is absolute (no bare /annual-reports/11/).
SITE_URL = (os.environ.get("SMECLUSTER_SITE_URL", "").strip() or "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SMECLUSTER_SITE_URL must start with https:// or http://, not {SITE_URL!r}")
# --- end of mail ------------------------------------------------------------------------------------------
# Who runs this deployment (主办单位, e.g. 广东省工业和信息化厅): on the login page and the foot.
ISSUING_DEPARTMENT = os.environ.get("SMECLUSTER_ISSUING_DEPARTMENT", "").strip() or "中小企业主管部门"
# A reset link lives one day: long enough to read the mail, short enough that an old mail is dead.
PASSWORD_RESET_TIMEOUT = 24 * 3600
# An invitation (账号管理) lives longer: a new officer may open the mail days later. It still dies once
# used, on a new invitation, or when the account is deactivated (apps/accounts/invitations.py).
INVITATION_TIMEOUT = _number("SMECLUSTER_INVITATION_DAYS", 7) * 24 * 3600

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
# The load balancer and the monitoring ask for /healthz on the internal address, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
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
AXES_LOCKOUT_PARAMETERS = "smecluster.site.lockout.lockout_parameters"  # username and address
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

# Who may sign in with a password on the login page (the names of SMECLUSTER_TWO_FACTOR_ROLES); the others
# are told to use 统一身份认证. Unset: everyone.
_local_login_roles = os.environ.get("SMECLUSTER_LOCAL_LOGIN_ROLES")
LOCAL_LOGIN_ROLES = (
    TWO_FACTOR_ROLE_NAMES
    if _local_login_roles is None
    else frozenset(name for name in _list("SMECLUSTER_LOCAL_LOGIN_ROLES") if name != "none")
)
if _unknown_roles := LOCAL_LOGIN_ROLES - TWO_FACTOR_ROLE_NAMES:
    raise ImproperlyConfigured(
        f"SMECLUSTER_LOCAL_LOGIN_ROLES: unknown role(s) {', '.join(sorted(_unknown_roles))}"
    )

# --- Single sign-on by OpenID Connect (统一身份认证): apps/accounts/single_sign_on.py, ADR 0022 ----------
# On when an issuer and a client id are set. mozilla-django-oidc runs the code flow (state, nonce, PKCE);
# the endpoints come from the issuer's discovery document unless set one by one. Accounts are found by the
# ID token's iss+sub (accounts.SingleSignOnIdentity), never by e-mail; an unknown subject gets an account
# only when its role is in SMECLUSTER_OIDC_CREATE_ROLES and its division within SMECLUSTER_OIDC_DIVISIONS.
OIDC_ISSUER = os.environ.get("SMECLUSTER_OIDC_ISSUER", "").strip().rstrip("/")
OIDC_RP_CLIENT_ID = os.environ.get("SMECLUSTER_OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("SMECLUSTER_OIDC_CLIENT_SECRET", "").strip()
OIDC_RP_SCOPES = os.environ.get("SMECLUSTER_OIDC_SCOPES", "").strip() or "openid profile email"
OIDC_RP_SIGN_ALGO = os.environ.get("SMECLUSTER_OIDC_SIGN_ALGO", "").strip() or "RS256"
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("SMECLUSTER_OIDC_AUTHORIZATION_ENDPOINT", "").strip()
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("SMECLUSTER_OIDC_TOKEN_ENDPOINT", "").strip()
OIDC_OP_USER_ENDPOINT = os.environ.get("SMECLUSTER_OIDC_USERINFO_ENDPOINT", "").strip()
OIDC_OP_JWKS_ENDPOINT = os.environ.get("SMECLUSTER_OIDC_JWKS_ENDPOINT", "").strip()
OIDC_OP_END_SESSION_ENDPOINT = os.environ.get("SMECLUSTER_OIDC_END_SESSION_ENDPOINT", "").strip()
OIDC_ROLE_CLAIM = os.environ.get("SMECLUSTER_OIDC_ROLE_CLAIM", "").strip() or "smecluster_role"
OIDC_ROLE_VALUES = dict(pair.split("=", 1) for pair in _list("SMECLUSTER_OIDC_ROLE_VALUES") if "=" in pair)
OIDC_DIVISION_CLAIM = os.environ.get("SMECLUSTER_OIDC_DIVISION_CLAIM", "").strip() or "division_code"
OIDC_CREATE_ROLES = frozenset(_list("SMECLUSTER_OIDC_CREATE_ROLES"))
OIDC_DIVISIONS = tuple(_list("SMECLUSTER_OIDC_DIVISIONS"))
OIDC_TRUST_MFA = os.environ.get("SMECLUSTER_OIDC_TRUST_MFA", "").strip() or "claims"
if OIDC_TRUST_MFA not in {"claims", "always", "never"}:
    raise ImproperlyConfigured(
        f"SMECLUSTER_OIDC_TRUST_MFA must be claims, always or never, not {OIDC_TRUST_MFA!r}"
    )
# RFC 8176 methods that are a second factor (one-time code, hardware or software key, SMS, smart card), or
# say there were several ("mfa").
_MFA_METHODS = "mfa,otp,hwk,swk,sms,sc"
OIDC_MFA_AMR = frozenset(
    _list("SMECLUSTER_OIDC_MFA_AMR") if "SMECLUSTER_OIDC_MFA_AMR" in os.environ else _MFA_METHODS.split(",")
)
OIDC_MFA_ACR = frozenset(_list("SMECLUSTER_OIDC_MFA_ACR"))
# Mistyped role names or division codes would refuse everyone, or let nobody be created, silently.
_role_codes = TWO_FACTOR_ROLE_NAMES - {"platform_admin"}
if _unknown_roles := (OIDC_CREATE_ROLES | set(OIDC_ROLE_VALUES.values())) - _role_codes:
    raise ImproperlyConfigured(
        f"SMECLUSTER_OIDC_CREATE_ROLES / _ROLE_VALUES: unknown role(s) {', '.join(sorted(_unknown_roles))}"
    )
if _bad_codes := [code for code in OIDC_DIVISIONS if len(code) != 6 or not code.isdigit()]:
    raise ImproperlyConfigured(f"SMECLUSTER_OIDC_DIVISIONS: not GB/T 2260 codes: {', '.join(_bad_codes)}")
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the hint the provider's end_session_endpoint asks for at logout
OIDC_TIMEOUT = 10  # seconds for each call to the provider
OIDC_AUTHENTICATION_CALLBACK_URL = "single_sign_on:callback"
LOGIN_REDIRECT_URL_FAILURE = LOGIN_URL
# --- end of single sign-on ---------------------------------------------------------------------------------

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

# Logs go to standard output (systemd's journal, or the container's), one JSON object per line in
# production and plain text in development (SMECLUSTER_LOG_FORMAT=json|text overrides); every record carries
# the request id (site/request_logging.py), and smecluster.access writes one record per request at INFO.
LOG_FORMAT = os.environ.get("SMECLUSTER_LOG_FORMAT", "").strip() or ("text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"SMECLUSTER_LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "smecluster.site.request_logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("SMECLUSTER_LOG_LEVEL", "WARNING")},
    "loggers": {
        # A refused request (403/404) is the system working, not a warning worth a traceback.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # WeasyPrint and fontTools narrate every PDF at INFO: not an operator's concern.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "smecluster.access": {
            "handlers": ["console"],
            "level": "INFO" if _flag("SMECLUSTER_ACCESS_LOG", default=not DEBUG) else "WARNING",
            "propagate": False,
        },
    },
}

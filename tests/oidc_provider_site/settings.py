"""Settings of the test OpenID provider: its own SQLite file (OIDC_PROVIDER_DB), no secrets worth keeping."""

from __future__ import annotations

import os

SECRET_KEY = "test-provider-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "oidc_provider_site.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(os.path.dirname(__file__), "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["OIDC_PROVIDER_DB"]}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
LOGIN_URL = "/login/"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The platform's claims (role, division code) in their own scope, and amr in the ID token for the MFA test.
OIDC_EXTRA_SCOPE_CLAIMS = "oidc_provider_site.claims.PlatformScopeClaims"
OIDC_USERINFO = "oidc_provider_site.claims.standard_claims"
OIDC_IDTOKEN_PROCESSING_HOOK = "oidc_provider_site.claims.add_authentication_methods"
OIDC_SESSION_MANAGEMENT_ENABLE = False

"""Settings for the test suite: the real settings with a throwaway key and fast password hashing.

The database comes from DATABASE_URL like everywhere else; `make test` points it at a PostgreSQL server
it starts on loopback.
"""

import os
import tempfile

os.environ.setdefault("SMECLUSTER_SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("SMECLUSTER_DATA_DIR", tempfile.mkdtemp(prefix="smecluster-test-"))

from smecluster.site.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

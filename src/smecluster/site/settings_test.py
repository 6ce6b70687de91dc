"""Settings for the test suite: the real settings with a throwaway key and fast password hashing.

The database comes from DATABASE_URL like everywhere else; `make test` points it at a PostgreSQL server
it starts on loopback.
"""

import os
import tempfile

os.environ.setdefault("SMECLUSTER_SECRET_KEY", "test-only-not-secret")
# The suite runs under scripts/with-postgres, which sets DATABASE_URL; mypy's Django plugin loads these
# settings with no database at all, and never connects.
os.environ.setdefault("DATABASE_URL", "postgres://unset@127.0.0.1:1/run-under-scripts-with-postgres")
os.environ.setdefault("SMECLUSTER_ACCESS_LOG", "0")  # a record per request would only fill the captured logs
os.environ.setdefault("SMECLUSTER_DATA_DIR", tempfile.mkdtemp(prefix="smecluster-test-"))
# pytest-xdist workers inherit the controller's environment, hence its data directory: what the tests write
# there (evidence files, uploaded datasets) goes to a directory per worker, or two workers' files (same
# primary keys, separate databases) collide. What is read from it (holiday years) stays shared.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    scratch = tempfile.mkdtemp(prefix=f"smecluster-test-{worker}-")
    os.environ["SMECLUSTER_EVIDENCE_DIR"] = os.path.join(scratch, "evidence")
    os.environ["SMECLUSTER_DATASETS_DIR"] = os.path.join(scratch, "datasets")
    os.environ["SMECLUSTER_JOBS_DIR"] = os.path.join(scratch, "jobs")
    os.environ["SMECLUSTER_DOCUMENTS_DIR"] = os.path.join(scratch, "documents")

from smecluster.site.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Most of the suite signs officers in with force_login and is about what they do once in: no role is
# required to pass the second factor here. tests/security/test_security_two_factor.py switches the
# production default on (and checks that it is the default), and an enrolled user is asked for a code
# whatever this says.
TWO_FACTOR_REQUIRED_ROLES = frozenset[str]()
# A mail refused or unreachable is tried again at once here: pauses between tries would only slow the suite.
MAIL_RETRY_SECONDS = 0.0
# An official document not yet rendered by the worker is rendered in the request (and stored, as the worker
# would): the many tests that read a PDF need no worker. tests/web/test_issued_documents.py switches this
# off and shows the deployment's way (the waiting page, the worker, the stored file).
ISSUED_DOCUMENTS_RENDER_IN_REQUEST = True

"""Passwords are kept with Argon2id at OWASP's parameters (accounts.passwords, ADR 0023), and one kept with
an earlier hasher still signs in and is re-hashed then (the load test found PBKDF2's 1,000,000 rounds made
a sign-in 0.5 s of CPU on an idle machine and 3 s under load)."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.test import Client, override_settings

from factories import PASSWORD
from smecluster.apps.accounts.models import User
from smecluster.site import settings as production

# The suite hashes with MD5 for speed (settings_test); these tests use what production uses.
PRODUCTION_HASHERS = override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS)


@PRODUCTION_HASHERS
def test_a_new_password_is_kept_with_argon2id_at_owasps_parameters() -> None:
    # OWASP Password Storage Cheat Sheet: "Argon2id with a minimum configuration of 19 MiB of memory, an
    # iteration count of 2, and 1 degree of parallelism".
    assert make_password("长城长城长城2026!").startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.django_db
@PRODUCTION_HASHERS
def test_a_password_kept_with_pbkdf2_signs_in_and_is_rehashed_with_argon2id(
    security_users: dict[str, User],
) -> None:
    officer = security_users["county_officer"]
    pbkdf2 = PBKDF2PasswordHasher()
    officer.password = pbkdf2.encode(PASSWORD, pbkdf2.salt())
    officer.save(update_fields=["password"])
    client = Client()
    client.post("/accounts/login/", {"username": officer.username, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(officer.pk)
    officer.refresh_from_db()
    assert officer.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")

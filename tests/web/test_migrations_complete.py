"""Every model change has its migration: a merge of two branches that each changed a model (or a field's
choices) must not leave the database behind the models."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_models_need_no_new_migration() -> None:
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as missing:  # --check exits 1 when a migration is missing
        pytest.fail(f"models changed without a migration (exit {missing.code}):\n{out.getvalue()}")

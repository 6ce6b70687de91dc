"""What every view shares: the request type of a signed-in person, the object within reach or a 404, and a
service's :class:`ValidationError` shown on the form that caused it.

Views take an :class:`AuthenticatedRequest` behind ``login_required``: ``request.user`` is then a
:class:`User` (not ``AnonymousUser``) for mypy as it is at run time, and ``request.htmx`` is django-htmx's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest
from django.utils.functional import Promise
from django_htmx.middleware import HtmxDetails

from smecluster.apps.accounts.models import User

T = TypeVar("T")
K = TypeVar("K")  # the object's key: a primary key, or a code such as a jurisdiction's


class AuthenticatedRequest(HttpRequest):
    """A request behind ``login_required`` (and django-htmx's middleware)."""

    user: User
    htmx: HtmxDetails


class HtmxRequest(HttpRequest):
    """A request anyone may send (public pages), with django-htmx's details."""

    htmx: HtmxDetails


def reach_or_404(find: Callable[[User, K], T], user: User, key: K, message: str | Promise) -> T:
    """``find(user, key)`` (a selector that raises ``DoesNotExist`` outside the user's reach), or a 404 with
    ``message``: whether the object exists elsewhere is not disclosed."""
    return public_or_404(lambda each: find(user, each), key, message)


def public_or_404(find: Callable[[K], T], key: K, message: str | Promise) -> T:
    """``find(key)`` (a selector of what anyone may see: a published notice, a recognized cluster), or a 404
    with ``message``."""
    try:
        return find(key)
    except ObjectDoesNotExist:
        raise Http404(message) from None


def errors_onto_form(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError where it belongs: at its field when the form has one, else on the
    form as a whole."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, ValidationError(errors))
    else:
        form.add_error(None, error)

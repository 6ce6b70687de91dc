"""The pages a refused or failed request gets: in the site's frame and language, with the reason the view
gave and a way back (上一页, 首页).

Django's own handlers drop a reason that is not a plain ``str`` (a lazy translation given to
``Http404``/``PermissionDenied`` shows as the bare class name), and its CSRF failure page and its
fallbacks are English. These handlers keep the reason whatever its type, never show a resolver's internals
(an unmatched path has no reason, only that nothing is there), and the 500 page renders without the
request's context: no database, no session, nothing that could fail again while reporting a failure.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import Resolver404
from django.utils.functional import Promise
from django.utils.translation import gettext as _


def _reason(exception: Exception | None) -> str:
    """The message a view raised with (``Http404(_("没有这份申报…"))``), or "" when it gave none."""
    if exception is None or isinstance(exception, Resolver404) or not exception.args:
        return ""
    message = exception.args[0]
    return str(message) if isinstance(message, str | Promise) else ""


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {"reason": _reason(exception)}, status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"reason": _reason(exception)}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", {"reason": _reason(exception)}, status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form whose CSRF check failed, mostly a page left open past the session or a second tab that
    signed out: Django's reason (English, technical) is for the log, the person gets what to do."""
    explained = _("页面已过期或来源无法核实，表单没有提交。请返回上一页，刷新后重新填写提交。")
    return render(request, "403.html", {"reason": explained}, status=403)


def _static_or_nothing(name: str) -> str:
    try:
        return static(name)
    except Exception:  # a broken static setup must not turn the error page into a second error
        return ""


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page from the template alone (the language is still the request's: the locale middleware
    activated it before the view failed)."""
    body = loader.get_template("500.html").render(
        {"stylesheet": _static_or_nothing("site.css"), "script": _static_or_nothing("site.js")}
    )
    return HttpResponse(body, status=500)

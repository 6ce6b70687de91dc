from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from smecluster.site.http import AuthenticatedRequest


@login_required
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    notifications = request.user.notifications.all()[:200]
    return render(request, "notifications/list.html", {"notifications": notifications})


@login_required
@require_POST
def notification_read_all(request: AuthenticatedRequest) -> HttpResponse:
    # Marking one's own notifications read is not a change of record worth an audit event.
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications:list")

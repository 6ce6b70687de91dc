"""A job and its file are the requester's own: nobody else sees another's report or export (it was made
with the requester's reach, so showing it to another could show what they may not see)."""

from __future__ import annotations

from django.db.models import QuerySet

from smecluster.apps.accounts.models import User
from smecluster.apps.jobs.models import Job


def job_reach(user: User) -> QuerySet[Job]:
    if not user.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(requested_by=user)

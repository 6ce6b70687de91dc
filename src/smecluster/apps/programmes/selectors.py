from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from smecluster.apps.accounts.models import User
from smecluster.apps.programmes.models import YearlyCall


def calls_for(user: User) -> QuerySet[YearlyCall]:
    """The calls of programmes that reach the user's province: its own programmes and the national ones."""
    province_prefix = user.jurisdiction_id[:2]
    return YearlyCall.objects.filter(
        Q(programme__owner__isnull=True) | Q(programme__owner__code__startswith=province_prefix)
    ).select_related("programme")


def open_calls_for(user: User) -> QuerySet[YearlyCall]:
    today = timezone.localdate()
    return calls_for(user).filter(opens_on__lte=today, closes_on__gte=today)

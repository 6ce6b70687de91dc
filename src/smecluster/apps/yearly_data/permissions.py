"""Who loads the platform's yearly data: the platform administrator (is_staff or is_superuser) only. The
holiday arrangement and the rule sets are the same for every department, so no province loads its own."""

from __future__ import annotations

from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.apps.accounts.permissions import Decision, allow, deny


def can_load_yearly_data(user: User) -> Decision:
    if not user.is_authenticated:
        return deny(_("请先登录"))
    if not (user.is_staff or user.is_superuser):
        return deny(_("节假日安排和规则集由平台管理员载入"))
    return allow()

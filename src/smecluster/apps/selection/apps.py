from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelectionConfig(AppConfig):
    name = "smecluster.apps.selection"
    label = "selection"
    verbose_name = _("审核与专家评审")

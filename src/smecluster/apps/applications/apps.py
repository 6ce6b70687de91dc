from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "smecluster.apps.applications"
    label = "applications"
    verbose_name = _("认定申报")

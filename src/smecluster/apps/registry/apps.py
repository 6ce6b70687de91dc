from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "smecluster.apps.registry"
    label = "registry"
    verbose_name = _("已认定集群")

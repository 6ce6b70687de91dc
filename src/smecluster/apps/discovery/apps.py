from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscoveryConfig(AppConfig):
    name = "smecluster.apps.discovery"
    label = "discovery"
    verbose_name = _("候选集群发现")

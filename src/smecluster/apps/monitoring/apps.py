from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "smecluster.apps.monitoring"
    label = "monitoring"
    verbose_name = _("监测与评估")

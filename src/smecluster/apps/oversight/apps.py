from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "smecluster.apps.oversight"
    label = "oversight"
    verbose_name = _("动态管理")

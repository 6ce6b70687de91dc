from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "smecluster.apps.programmes"
    label = "programmes"
    verbose_name = _("认定项目与年度申报")

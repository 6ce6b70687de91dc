from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YearlyDataConfig(AppConfig):
    name = "smecluster.apps.yearly_data"
    label = "yearly_data"
    verbose_name = _("年度数据")

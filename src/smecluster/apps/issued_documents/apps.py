from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuedDocumentsConfig(AppConfig):
    name = "smecluster.apps.issued_documents"
    label = "issued_documents"
    verbose_name = _("已出具的正式文件")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "smecluster.apps.audit"
    label = "audit"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        # Imported here: the receivers' services need the app registry ready.
        from smecluster.apps.audit import login_events

        login_events.connect()

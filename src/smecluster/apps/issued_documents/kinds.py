"""The official documents the worker renders when they are issued, each by its owning app's renderer
(``refs.Renderer``), named by dotted path so this registry imports no app: one line per kind."""

from __future__ import annotations

KINDS: dict[str, str] = {
    "application": "smecluster.apps.applications.issued.render_application",
    "certificate": "smecluster.apps.registry.issued.render_certificate",
    "recognition_notice": "smecluster.apps.registry.issued.render_recognition_notice",
    "public_notice": "smecluster.apps.notices.issued.render_public_notice",
}

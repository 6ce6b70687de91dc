"""The limits uploads are held to, built from settings so that every view and service uses the same."""

from __future__ import annotations

from django.conf import settings

from smecluster.documents.workbook_limits import WorkbookLimits


def workbook_limits() -> WorkbookLimits:
    """The ``SMECLUSTER_WORKBOOK_*`` settings (see README, "Security settings")."""
    return WorkbookLimits(
        max_rows=settings.WORKBOOK_MAX_ROWS,
        max_columns=settings.WORKBOOK_MAX_COLUMNS,
        max_uncompressed_bytes=settings.WORKBOOK_MAX_UNCOMPRESSED_BYTES,
        max_ratio=settings.WORKBOOK_MAX_RATIO,
    )

"""The limits uploads are held to, built from settings so that every view and service uses the same."""

from __future__ import annotations

from django.conf import settings

from smecluster.analytics.discovery.dataset_limits import DatasetLimits
from smecluster.documents.workbook_limits import WorkbookLimits


def workbook_limits() -> WorkbookLimits:
    """The ``SMECLUSTER_WORKBOOK_*`` settings (see README, "Security settings")."""
    return WorkbookLimits(
        max_rows=settings.WORKBOOK_MAX_ROWS,
        max_columns=settings.WORKBOOK_MAX_COLUMNS,
        max_uncompressed_bytes=settings.WORKBOOK_MAX_UNCOMPRESSED_BYTES,
        max_ratio=settings.WORKBOOK_MAX_RATIO,
    )


def dataset_limits() -> DatasetLimits:
    """The ``SMECLUSTER_DATASET_*`` settings (see README, "Security settings")."""
    return DatasetLimits(
        max_bytes=settings.DATASET_MAX_FILE_BYTES,
        max_rows=settings.DATASET_MAX_ROWS,
        max_columns=settings.DATASET_MAX_COLUMNS,
        max_row_groups=settings.DATASET_MAX_ROW_GROUPS,
        max_footer_bytes=settings.DATASET_MAX_FOOTER_BYTES,
        max_uncompressed_bytes=settings.DATASET_MAX_UNCOMPRESSED_BYTES,
        max_ratio=settings.DATASET_MAX_RATIO,
        max_line_bytes=settings.DATASET_MAX_LINE_BYTES,
    )

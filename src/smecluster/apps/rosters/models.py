"""A roster: the enterprises of one application, or of one recognized cluster in one year, kept as versions.

Each import makes a new version; older versions stay and can be viewed, the latest is current. The firms
of a version are rows of :class:`RosterEnterprise` (one per firm per version), written with PostgreSQL's
COPY so that a 100,000-firm roster is stored in a second or two. The figures computed from the firms
(``analytics.roster.indicators.compute_indicators``) are kept with the version, so pages never re-add
100,000 rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import Jurisdiction
from smecluster.apps.applications.models import Application
from smecluster.apps.registry.models import RecognizedCluster


class Roster(models.Model):
    """The roster of an application (its figures' latest year) or of a recognized cluster for a year."""

    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.CASCADE, related_name="rosters"
    )
    cluster = models.ForeignKey(
        RecognizedCluster, null=True, blank=True, on_delete=models.PROTECT, related_name="rosters"
    )
    year = models.PositiveSmallIntegerField(_("名册年度"))
    # The county whose people may import; kept here so that scoped lists need no join through the owner.
    county = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("企业名册")
        verbose_name_plural = _("企业名册")
        constraints = [
            models.CheckConstraint(
                condition=Q(application__isnull=False, cluster__isnull=True)
                | Q(application__isnull=True, cluster__isnull=False),
                name="roster_of_an_application_or_a_cluster",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(application__isnull=False),
                name="one_roster_per_application",
            ),
            models.UniqueConstraint(
                fields=["cluster", "year"],
                condition=Q(cluster__isnull=False),
                name="one_roster_per_cluster_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.year}"

    @property
    def owner(self) -> Application | RecognizedCluster:
        """The application or the recognized cluster the roster belongs to (the constraint keeps one)."""
        owner = self.application if self.application_id is not None else self.cluster
        if owner is None:
            raise ValueError(f"roster {self.pk} belongs to neither an application nor a cluster")
        return owner

    @property
    def owner_name(self) -> str:
        return self.owner.name

    def get_absolute_url(self) -> str:
        if self.application_id is not None:
            return reverse("rosters:application", args=[self.application_id])
        return reverse("rosters:cluster", args=[self.cluster_id]) + f"?year={self.year}"


class RosterVersion(models.Model):
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64)
    row_count = models.PositiveIntegerField(_("企业数（家）"))
    indicators = models.JSONField(_("名册计算指标"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("名册版本")
        verbose_name_plural = _("名册版本")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["roster", "number"], name="one_roster_version_number")]

    def __str__(self) -> str:
        return f"{self.roster} v{self.number}"


class RosterEnterprise(models.Model):
    """One firm of one version, as the file gave it (amounts in 万元)."""

    # The (version, line) index below serves every lookup by version; a second one would only slow COPY.
    version = models.ForeignKey(
        RosterVersion, on_delete=models.CASCADE, related_name="enterprises", db_index=False
    )
    line = models.PositiveIntegerField(_("行号"))
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    name = models.CharField(_("企业名称"), max_length=255)
    county_code = models.CharField(_("所在县级区划代码"), max_length=6)
    industry_code = models.CharField(_("行业代码（GB/T 4754）"), max_length=5)
    employees = models.PositiveIntegerField(_("从业人员（人）"), null=True)
    revenue = models.DecimalField(_("营业收入（万元）"), max_digits=18, decimal_places=4, null=True)
    assets = models.DecimalField(_("资产总额（万元）"), max_digits=18, decimal_places=4, null=True)
    output = models.DecimalField(_("工业总产值（万元）"), max_digits=18, decimal_places=4, null=True)
    rnd = models.DecimalField(_("研发经费（万元）"), max_digits=18, decimal_places=4, null=True)
    invention_patents = models.PositiveIntegerField(_("有效发明专利（件）"), null=True)
    # Title keys (analytics.roster.reading.Title), comma-separated in a fixed order: the same on PostgreSQL
    # and on the demo's SQLite, and one text field for COPY.
    titles = models.CharField(_("称号"), max_length=80, blank=True)
    leading = models.BooleanField(_("属于主导产业"))

    class Meta:
        verbose_name = _("名册企业")
        verbose_name_plural = _("名册企业")
        ordering = ["line"]
        indexes = [models.Index(fields=["version", "line"])]

    @property
    def title_keys(self) -> list[str]:
        return [key for key in self.titles.split(",") if key]

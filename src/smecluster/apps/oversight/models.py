"""Dynamic management of recognized clusters: major-change filings (重大变动报备), the incident register,
and revocation (撤销) — proposals in the five statutory cases and the owner's decision on each.

Statuses change only through ``oversight.services``; the daily tick (``oversight.duties``) proposes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from smecluster.apps.applications.models import INCIDENT_KIND_LABELS
from smecluster.apps.evidence.models import StoredFile
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.profile import INCIDENT_LEVELS


class ChangeKind(models.TextChoices):
    """The three major changes the revocation clause names (主导产业、空间范围、运营管理机构)."""

    LEADING_INDUSTRY = "leading_industry", _("主导产业")
    SPATIAL_SCOPE = "spatial_scope", _("空间范围")
    OPERATING_AGENCY = "operating_agency", _("运营管理机构")


class MajorChange(models.Model):
    """One major change of a cluster: filed by its county (and reviewed, then decided), or found by an
    officer without a filing (``FOUND_UNFILED``).

    ``old_value`` and ``new_value`` hold the facts of the kind as JSON: ``{"leading_industry": "家具"}``,
    ``{"counties": ["440606"], "area_km2": "35.5"}`` or ``{"operating_agency": "…管委会"}``. The change
    reaches the cluster's record (``oversight.facts``) when approved or found; ``applied_at`` says when.
    A filing is due within the programme's ``change_filing_days`` of ``effective_on`` (``filing_due_on``);
    ``late`` is set when it was filed after 23:59:59 Beijing time on that day.
    """

    class Status(models.TextChoices):
        FILED = "filed", _("已报备，待审核")
        RETURNED = "returned", _("已退回修改")
        FORWARDED = "forwarded", _("已审核，待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未予批准")
        FOUND_UNFILED = "unfiled", _("未报备（核查发现）")

    cluster = models.ForeignKey(RecognizedCluster, on_delete=models.PROTECT, related_name="major_changes")
    kind = models.CharField(_("变动事项"), max_length=24, choices=ChangeKind.choices)
    old_value = models.JSONField(_("变动前"))
    new_value = models.JSONField(_("变动后"))
    effective_on = models.DateField(_("变动生效日期"))
    reason = models.TextField(_("变动原因"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, db_index=True)
    filing_due_on = models.DateField(_("报备截止日"))
    # a filing
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("报备时间"), null=True, blank=True)
    late = models.BooleanField(_("逾期报备"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审批意见"), blank=True)
    # a change found without a filing
    found_on = models.DateField(_("发现日期"), null=True, blank=True)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("发现途径"), max_length=255, blank=True)
    applied_at = models.DateTimeField(_("记入集群档案时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("重大变动")
        verbose_name_plural = _("重大变动")
        ordering = ["-effective_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.cluster.number} {self.get_kind_display()} {self.effective_on}"

    def get_absolute_url(self) -> str:
        return reverse("oversight:change_detail", args=[self.pk])


IncidentKindChoices = [(kind.value, label) for kind, label in INCIDENT_KIND_LABELS.items()]
IncidentLevelChoices = [(level, level) for level in INCIDENT_LEVELS]


class ClusterIncident(models.Model):
    """An incident in the register: what happened in the cluster's firms, at what level, and whether it
    meets the rule set's exclusion threshold (``counted_words``: the words of the class it counts under,
    as the programme's rule set stood when it was recorded)."""

    cluster = models.ForeignKey(RecognizedCluster, on_delete=models.PROTECT, related_name="incidents")
    kind = models.CharField(_("事件类别"), max_length=24, choices=IncidentKindChoices)
    level = models.CharField(_("等级"), max_length=8, choices=IncidentLevelChoices, blank=True)
    occurred_on = models.DateField(_("发生日期"))
    source = models.CharField(_("信息来源"), max_length=255)
    description = models.TextField(_("事件经过"))
    meets_threshold = models.BooleanField(_("达到撤销情形"), default=False)
    counted_words = models.CharField(_("对应条款表述"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件登记")
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.cluster.number} {self.occurred_on} {self.level}{self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        """An incident is read on its cluster's timeline."""
        return reverse("oversight:timeline", args=[self.cluster_id])


class RevocationProposal(models.Model):
    """A proposal to revoke a cluster's recognition in one of the five cases, with the article and the
    verbatim clause copied from the programme's rule set when proposed, the grounds, and the fact that
    triggered it (``source``: ``annual_report:<pk>``, ``re_review:<pk>``, ``cluster_expired:<date>``,
    ``major_change:<pk>``, ``incident:<pk>`` or ``finding:<n>`` for one recorded by hand). One proposal per
    cluster, case and source: the tick proposes each fact once.

    The owner's admin decides: accepted (the cluster is revoked, :class:`Revocation`) or dismissed."""

    class Status(models.TextChoices):
        OPEN = "open", _("待决定")
        ACCEPTED = "accepted", _("已撤销认定")
        DISMISSED = "dismissed", _("不予撤销")

    cluster = models.ForeignKey(
        RecognizedCluster, on_delete=models.PROTECT, related_name="revocation_proposals"
    )
    case = models.PositiveSmallIntegerField(_("撤销情形"))
    article = models.CharField(_("条款"), max_length=64, blank=True)
    clause = models.TextField(_("条款原文"), blank=True)
    grounds = models.TextField(_("事实与理由"))
    source = models.CharField(_("触发事实"), max_length=64)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_on = models.DateField(_("提出日期"))
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)

    class Meta:
        verbose_name = _("撤销建议")
        verbose_name_plural = _("撤销建议")
        ordering = ["-proposed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "case", "source"], name="one_proposal_per_fact"),
            models.CheckConstraint(condition=models.Q(case__gte=1, case__lte=5), name="case_one_to_five"),
        ]

    def __str__(self) -> str:
        return f"{self.cluster.number} 情形{self.case} {self.source}"

    def get_absolute_url(self) -> str:
        return reverse("oversight:revocation_detail", args=[self.pk])

    @property
    def has_basis(self) -> bool:
        """The programme's rule set names this case: without its article the proposal cannot be accepted."""
        return bool(self.article and self.clause)


class Revocation(models.Model):
    """The revocation of a cluster's recognition: when, in which case, under which article, and why.
    The cluster's public page and the published list show it."""

    cluster = models.OneToOneField(RecognizedCluster, on_delete=models.PROTECT, related_name="revocation")
    proposal = models.OneToOneField(RevocationProposal, on_delete=models.PROTECT, related_name="revocation")
    revoked_on = models.DateField(_("撤销日期"))
    case = models.PositiveSmallIntegerField(_("撤销情形"))
    article = models.CharField(_("条款"), max_length=64)
    clause = models.TextField(_("条款原文"))
    reason = models.TextField(_("撤销理由"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("撤销认定")
        verbose_name_plural = _("撤销认定")
        ordering = ["-revoked_on"]

    def __str__(self) -> str:
        return f"{self.cluster.number} {self.revoked_on}"


class OversightEvidence(StoredFile):
    """A file attached to a change, an incident or a proposal; stored like an application's evidence
    (content-checked, outside the web root) and served only through a view that checks the cluster."""

    change = models.ForeignKey(
        MajorChange, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    incident = models.ForeignKey(
        ClusterIncident, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    proposal = models.ForeignKey(
        RevocationProposal, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )

    class Meta:
        verbose_name = _("动态管理佐证材料")
        verbose_name_plural = _("动态管理佐证材料")
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(change__isnull=False, incident__isnull=True, proposal__isnull=True)
                    | models.Q(change__isnull=True, incident__isnull=False, proposal__isnull=True)
                    | models.Q(change__isnull=True, incident__isnull=True, proposal__isnull=False)
                ),
                name="evidence_of_one_record",
            )
        ]

    @property
    def cluster_id(self) -> int:
        owner = self.change or self.incident or self.proposal
        assert owner is not None
        return owner.cluster_id

"""Who may recognize the clusters of a call and print its documents, with the reason.

Recognition is the owner's step (``notices.permissions.can_act_as_owner``) and waits for the public notice:
it is refused while no notice was published, while the notice runs (until 23:59:59 Beijing time on its last
day), and while any objection to it is unresolved; the reason names the objections. A certificate is
printed by anyone who may see the application (the owner, the county, its city); outside that, a 404.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.apps.accounts.permissions import Decision, allow, deny
from smecluster.apps.applications.permissions import can_view
from smecluster.apps.notices.permissions import Phase, can_act_as_owner, notice_phase
from smecluster.apps.notices.selectors import notice_of_call, unresolved_objections
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.registry.models import RecognizedCluster


def recognition_blockers(call: YearlyCall, now: datetime | None = None) -> list[str]:
    """Why the clusters of ``call`` cannot be recognized yet; empty when they can."""
    notice = notice_of_call(call)
    if notice is None:
        return [_("拟认定名单尚未公示：须经公示后方可认定")]
    blockers = []
    phase = notice_phase(notice, now)
    if phase != Phase.ENDED:
        blockers.append(
            _("公示期至 %(end)s 23:59:59（北京时间）结束，公示期满后方可认定")
            % {"end": notice.ends_on.isoformat()}
        )
    unresolved = list(unresolved_objections(notice))
    if unresolved:
        listed = "；".join(
            _("%(reference)s（异议对象：%(name)s，%(status)s）")
            % {
                "reference": objection.reference,
                "name": objection.application.name,
                "status": objection.get_status_display(),
            }
            for objection in unresolved
        )
        blockers.append(
            _("以下 %(count)s 条异议尚未办结，全部办结后方可认定：%(list)s")
            % {"count": len(unresolved), "list": listed}
        )
    return blockers


def can_open_recognition(user: User, call: YearlyCall) -> Decision:
    """The owner's recognition page (it shows the blockers when a decision is not yet possible)."""
    return can_act_as_owner(user, call, _("认定"))


def can_recognize(user: User, call: YearlyCall, now: datetime | None = None) -> Decision:
    """Decide (recognize or reject) the shortlisted applications of ``call``: the owner, after the notice."""
    if not (owner := can_open_recognition(user, call)):
        return owner
    blockers = recognition_blockers(call, now)
    if blockers:
        return deny(_("暂不能认定：%(why)s") % {"why": "；".join(blockers)})
    return allow()


def can_print_recognition_notice(user: User, call: YearlyCall) -> Decision:
    """The recognition notice (认定名单通知) of a call: the owner, once a cluster is recognized."""
    if not (owner := can_act_as_owner(user, call, _("打印认定名单通知"))):
        return owner
    if not RecognizedCluster.objects.filter(application__call=call).exists():
        return deny(_("%(call)s尚无已认定的集群") % {"call": call})
    return allow()


def can_print_certificate(user: User, cluster: RecognizedCluster) -> Decision:
    """Whoever may see the application prints its certificate; the views answer 404 otherwise."""
    return can_view(user, cluster.application)

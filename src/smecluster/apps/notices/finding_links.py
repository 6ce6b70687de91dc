"""The objector's links to the evidence of the finding on their objection (issue 13, objection outcomes:
"the decision, its finding and evidence are kept and shown to the objector through the receipt number").

The objector has no account: the outcome page, reached with the receipt number and the telephone, gives one
signed link per evidence file of the finding. A link names the objection and the file, is signed with the
site's key under its own salt, and lasts ``settings.OBJECTION_FINDING_LINK_MINUTES``; anything else — a
forged or expired link, a file of another objection, the objector's own files (served to the notice's owner
only), a finding not yet resolved — is the same 404.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from smecluster.apps.notices.models import Objection, ObjectionFile

SALT = "smecluster.notices.finding-file"


def finding_file_token(file: ObjectionFile) -> str:
    """The signed, timestamped token of one evidence file of a finding, for the outcome page's link."""
    return signing.dumps({"objection": file.objection_id, "file": file.pk}, salt=SALT)


def finding_file_by_token(token: str) -> ObjectionFile:
    """The evidence file a valid, unexpired token names, if it is still evidence of the resolved finding on
    that objection; else :class:`ObjectionFile.DoesNotExist` (the caller answers 404 alike for all)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.OBJECTION_FINDING_LINK_MINUTES * 60)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        raise ObjectionFile.DoesNotExist from None
    if not isinstance(payload, dict):
        raise ObjectionFile.DoesNotExist
    objection, file = payload.get("objection"), payload.get("file")
    if not isinstance(objection, int) or not isinstance(file, int):
        raise ObjectionFile.DoesNotExist
    return ObjectionFile.objects.get(
        pk=file,
        objection_id=objection,
        kind=ObjectionFile.Kind.FINDING,
        objection__status=Objection.Status.RESOLVED,
    )

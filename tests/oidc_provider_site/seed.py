"""Fills the test provider's database: ``python -m oidc_provider_site.seed SPEC.json``.

SPEC: {"client": {"client_id", "client_secret", "redirect_uris": [...], "post_logout_redirect_uris": [...]},
"users": [{"username", "password", "last_name", "first_name", "email", "groups": [...]}]}.
"""

from __future__ import annotations

import json
import sys

import django


def main(spec_path: str) -> None:
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType, RSAKey

    with open(spec_path, encoding="utf-8") as spec_file:
        spec = json.load(spec_file)
    if not RSAKey.objects.exists():
        call_command("creatersakey")
    client_spec = spec["client"]
    client, _created = Client.objects.update_or_create(
        client_id=client_spec["client_id"],
        defaults={
            "name": "smecluster",
            "client_type": "confidential",
            "client_secret": client_spec["client_secret"],
            "jwt_alg": "RS256",
            "require_consent": False,
            "reuse_consent": True,
            "_redirect_uris": "\n".join(client_spec["redirect_uris"]),
            "_post_logout_redirect_uris": "\n".join(client_spec.get("post_logout_redirect_uris", [])),
        },
    )
    client.response_types.set([ResponseType.objects.get(value="code")])
    for user_spec in spec["users"]:
        user, _created = User.objects.update_or_create(
            username=user_spec["username"],
            defaults={
                "last_name": user_spec.get("last_name", ""),
                "first_name": user_spec.get("first_name", ""),
                "email": user_spec.get("email", ""),
            },
        )
        user.set_password(user_spec["password"])
        user.save()
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in user_spec.get("groups", [])])


if __name__ == "__main__":
    main(sys.argv[1])

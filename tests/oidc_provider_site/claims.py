"""The claims the test provider gives: standard ones from the user, the platform's from its groups.

A user's groups say what the province's directory would: ``role:city_officer``, ``division:440100``,
``amr:otp`` (the methods the IdP used to authenticate them, RFC 8176: an ``otp`` means it did MFA).
"""

from __future__ import annotations

from typing import Any

from oidc_provider.lib.claims import ScopeClaims


def _group_values(user: Any, prefix: str) -> list[str]:
    return [
        name[len(prefix) :] for name in user.groups.values_list("name", flat=True) if name.startswith(prefix)
    ]


def standard_claims(claims: dict[str, Any], user: Any) -> dict[str, Any]:
    claims["name"] = f"{user.last_name}{user.first_name}"
    claims["family_name"] = user.last_name
    claims["given_name"] = user.first_name
    claims["preferred_username"] = user.username
    claims["email"] = user.email
    return claims


class PlatformScopeClaims(ScopeClaims):
    def scope_smecluster(self) -> dict[str, Any]:
        roles = _group_values(self.user, "role:")
        divisions = _group_values(self.user, "division:")
        return {
            "smecluster_role": roles[0] if roles else None,
            "division_code": divisions[0] if divisions else None,
        }


def add_authentication_methods(id_token: dict[str, Any], user: Any, **kwargs: Any) -> dict[str, Any]:
    id_token["amr"] = _group_values(user, "amr:") or ["pwd"]
    return id_token

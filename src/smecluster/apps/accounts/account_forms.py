"""The forms of 账号管理. They offer only what the administrator may choose (its roles, its jurisdictions);
the services check again whatever is posted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.account_reach import grantable_roles, jurisdictions_for, scopes_for
from smecluster.apps.accounts.administration import (
    NAME_MAX,
    ORGANIZATION_MAX,
    PHONE_MAX,
    USERNAME_MAX,
    AccountDetails,
)
from smecluster.apps.accounts.models import Jurisdiction, Role, User


class PlaceSelect(forms.Select):
    """A plain ``<select>`` written in one pass: the ministry's picker holds every division of the country
    (about 3,200), which Django's option-by-option template rendering takes seconds to draw."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        chosen = "" if value is None else str(value)
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        # Every value and label is escaped: the one string marked safe is built from escaped parts only.
        options = "".join(
            f'<option value="{escape(code)}"{" selected" if str(code) == chosen else ""}>'
            f"{escape(label)}</option>"
            for code, label in self.choices
        )
        return mark_safe(f"<select{flatatt(final)}>{options}</select>")


def _place_choices(actor: User) -> list[tuple[str, str]]:
    places = jurisdictions_for(actor).select_related("parent", "parent__parent")
    return [("", "")] + [(place.code, f"{place.full_name()}（{place.code}）") for place in places]


class AccountForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"), max_length=USERNAME_MAX, help_text=_("登录用，创建后不能修改")
    )
    full_name = forms.CharField(label=_("姓名"), max_length=NAME_MAX)
    email = forms.EmailField(label=_("电子邮箱"), help_text=_("邀请邮件和重置密码邮件发往这里"))
    role = forms.ChoiceField(label=_("角色"))
    jurisdiction = forms.ChoiceField(
        label=_("辖区"),
        widget=PlaceSelect,
        help_text=_("市级主管部门选市，县级主管部门和集群运营管理机构选县（市、区），评审专家选其所在区划"),
    )
    organization = forms.CharField(label=_("单位"), max_length=ORGANIZATION_MAX, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=PHONE_MAX, required=False)
    invite = forms.BooleanField(label=_("立即发送邀请邮件"), required=False, initial=True)

    def __init__(self, *args: Any, actor: User, account: User | None = None, **kwargs: Any) -> None:
        if account is not None:
            kwargs.setdefault(
                "initial",
                {
                    "full_name": account.get_full_name(),
                    "email": account.email,
                    "role": account.role,
                    "jurisdiction": account.jurisdiction_id,
                    "organization": account.organization,
                    "phone": account.phone,
                },
            )
        super().__init__(*args, **kwargs)
        self.account = account
        roles: tuple[Role, ...] = grantable_roles(actor)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [("", "")] + [(role.value, role.label) for role in roles]
        place_field = self.fields["jurisdiction"]
        assert isinstance(place_field, forms.ChoiceField)
        place_field.choices = _place_choices(actor)
        # The searchable picker of site.js (as the scope pickers): type a name or a code.
        place_field.widget.attrs.update(
            {
                "data-filterable": "",
                "data-filter-label": _("筛选辖区"),
                "data-filter-placeholder": _("输入名称或区划代码筛选"),
                "data-filter-empty": _("没有匹配的区划"),
            }
        )
        if account is not None:
            del self.fields["username"]
            del self.fields["invite"]

    def details(self) -> AccountDetails:
        data = self.cleaned_data
        return AccountDetails(
            full_name=data["full_name"],
            email=data["email"],
            role=data["role"],
            jurisdiction=Jurisdiction.objects.get(code=data["jurisdiction"]),
            organization=data["organization"],
            phone=data["phone"],
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class AccountFilterForm(forms.Form):
    STATUS_CHOICES = (
        ("", _("全部状态")),
        ("active", _("启用")),
        ("pending", _("待设置密码")),
        ("inactive", _("已停用")),
    )
    scope = forms.ChoiceField(label=_("辖区范围"), required=False)
    role = forms.ChoiceField(label=_("角色"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_CHOICES)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope_field = self.fields["scope"]
        assert isinstance(scope_field, forms.ChoiceField)
        scope_field.choices = [("", _("全部"))] + [
            (place.code, f"{place.full_name()}（{place.code}）") for place in scopes_for(actor)
        ]
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [("", _("全部角色"))] + [
            (role.value, role.label) for role in grantable_roles(actor)
        ]
        for field in self.fields.values():
            field.widget.attrs["data-submit-on-change"] = ""
        # The ministry's list of provinces and cities is long: the scope pickers' filter box (site.js).
        scope_field.widget.attrs.update(
            {
                "data-filterable": "",
                "data-filter-label": _("筛选辖区范围"),
                "data-filter-placeholder": _("输入名称或区划代码筛选"),
                "data-filter-empty": _("没有匹配的区划"),
            }
        )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("账号导入文件（.xlsx）"))

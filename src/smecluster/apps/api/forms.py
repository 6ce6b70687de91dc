from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from smecluster.apps.api.collection import MAX_PACKAGE_BYTES
from smecluster.apps.api.models import RESOURCE_ACCESS, Access, Resource

VALIDITY_DAYS = (30, 90, 180, 365)


def scope_choices() -> list[tuple[str, str]]:
    resources, accesses = dict(Resource.choices), dict(Access.choices)
    return [
        (f"{resource}:{access}", f"{resources[resource]}（{accesses[access]}）")
        for resource, allowed in RESOURCE_ACCESS.items()
        for access in allowed
    ]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("名称"), max_length=64, help_text=_("说明用途，例如“省级平台同步年度数据”")
    )
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("令牌能访问的数据不超出本账号在页面上能看到的范围"),
    )
    validity_days = forms.TypedChoiceField(
        label=_("有效期"),
        coerce=int,
        choices=[(days, _("%(days)s 天") % {"days": days}) for days in VALIDITY_DAYS],
        initial=90,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        self.fields["scopes"].choices = scope_choices()  # type: ignore[attr-defined]  # a ChoiceField


class PackageForm(forms.Form):
    package = forms.FileField(
        label=_("年度数据包（JSON）"),
        help_text=_("省级平台数据接口导出的年度数据包文件"),
    )

    def clean_package(self) -> UploadedFile[bytes]:
        """Bounded by its declared size before a byte of it is read (MAX_PACKAGE_BYTES, as for a pull)."""
        package: UploadedFile[bytes] = self.cleaned_data["package"]
        if (package.size or 0) > MAX_PACKAGE_BYTES:
            raise forms.ValidationError(
                _("数据包过大：不超过 %(mb)s MB") % {"mb": MAX_PACKAGE_BYTES // (1024 * 1024)}
            )
        return package

"""Forms of the discovery pages: they parse; the services check and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import Jurisdiction, Level, Role, User
from smecluster.apps.discovery.models import Dataset
from smecluster.apps.discovery.services import MAX_TOP
from smecluster.policy.ruleset import rule_sets


class DatasetUploadForm(forms.Form):
    name = forms.CharField(label=_("数据集名称"), max_length=128)
    file = forms.FileField(
        label=_("企业数据文件"),
        help_text=_("Parquet 或 CSV（UTF-8），每行一家企业一年"),
        widget=forms.ClearableFileInput(attrs={"accept": ".parquet,.csv"}),
    )


class DatasetRegisterForm(forms.Form):
    name = forms.CharField(label=_("数据集名称"), max_length=128)
    path = forms.CharField(
        label=_("数据集目录中的文件"), max_length=512, help_text=_("相对于服务器数据集目录的路径")
    )


class RunForm(forms.Form):
    dataset = forms.ModelChoiceField(label=_("数据集"), queryset=Dataset.objects.none())
    year = forms.IntegerField(
        label=_("年度"), min_value=1990, max_value=2100, help_text=_("筛查截至该年的近三年")
    )
    rule_set_id = forms.ChoiceField(label=_("规则集"))
    province = forms.ChoiceField(label=_("省份范围"), required=False)
    top = forms.IntegerField(label=_("列出前 N 个"), min_value=1, max_value=MAX_TOP, initial=50)

    def __init__(self, *args: Any, user: User, datasets: QuerySet[Dataset], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        dataset_field, rule_set_field, province_field = (
            self.fields["dataset"],
            self.fields["rule_set_id"],
            self.fields["province"],
        )
        assert isinstance(dataset_field, forms.ModelChoiceField)
        assert isinstance(rule_set_field, forms.ChoiceField)
        assert isinstance(province_field, forms.ChoiceField)
        dataset_field.queryset = datasets
        rule_set_field.choices = [
            (rule_set_id, f"{rule_set_id} {rule_set.title}")
            for rule_set_id, rule_set in sorted(rule_sets().items())
        ]
        if user.role == Role.MINISTRY_ADMIN:
            provinces = Jurisdiction.objects.filter(level=Level.PROVINCE).order_by("code")
            province_field.choices = [("", _("全国"))] + [
                (province.code, province.name) for province in provinces
            ]
        else:
            del self.fields["province"]

    def province_code(self) -> str | None:
        if self.user.role == Role.MINISTRY_ADMIN:
            return self.cleaned_data.get("province") or None
        return self.user.jurisdiction.province_code

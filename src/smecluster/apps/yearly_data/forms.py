from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class YearlyDataUploadForm(forms.Form):
    file = forms.FileField(label=_("文件"))


class YearlyDataConfirmForm(forms.Form):
    """The hash of the previewed upload: the load takes exactly the bytes that were shown."""

    sha256 = forms.CharField(max_length=64, min_length=64, widget=forms.HiddenInput)

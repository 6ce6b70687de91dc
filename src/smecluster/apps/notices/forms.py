"""Forms of the notice: the owner's (publish, record and resolve objections, batch) and the public's real-name
objection form. They parse and check the input, with the message at the field; the services decide."""

from __future__ import annotations

import re
from typing import Any

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from smecluster.apps.notices.selectors import NoticeEntry
from smecluster.apps.notices.services import MAX_OBJECTION_FILES
from smecluster.apps.reviews.forms import MultipleFileField

# A mainland mobile number (11 digits from 13…19), or a landline with its area code (010-12345678,
# 0757-2283 0000, with an extension after a hyphen). Spaces are dropped first; +86 may precede.
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")


def _required(message: Any) -> dict[str, Any]:
    return {"required": message}


def _text(value: str, message: Any) -> str:
    value = value.strip()
    if not value:
        raise ValidationError(message)
    return value


class PublishForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200, error_messages=_required(_("请填写标题")))
    starts_on = forms.DateField(
        label=_("公示开始日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("开始日期为工作日时计为第 1 个工作日；截止日期由工作日历计算，不需填写"),
        error_messages={"required": _("请填写公示开始日期"), "invalid": _("请按 年-月-日 填写日期")},
    )
    contact = forms.CharField(
        label=_("受理异议的联系方式"),
        max_length=256,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("受理部门、电话、通信地址，将在公示页面公开"),
        error_messages=_required(_("请填写受理异议的联系方式")),
    )

    def clean_title(self) -> str:
        return _text(self.cleaned_data["title"], _("请填写标题"))

    def clean_contact(self) -> str:
        return _text(self.cleaned_data["contact"], _("请填写受理异议的联系方式"))


class ObjectionCaptchaInput(CaptchaTextInput):  # type: ignore[misc]  # django-simple-captcha has no stubs
    """The challenge image with a zh-Hans description, the answer box and a 换一张 link (site.js refreshes
    in place; without script the link reloads the page)."""

    template_name = "notices/objection_captcha.html"


class ObjectionForm(forms.Form):
    """实名异议: who objects (real name, telephone, e-mail optional, organization), to which cluster of the
    notice, what, and the evidence; then the image challenge, answered once (a wrong answer uses it up)."""

    real_name = forms.CharField(
        label=_("真实姓名"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages=_required(_("请填写真实姓名")),
    )
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("手机号码，或带区号的固定电话（如 020-12345678）"),
        error_messages=_required(_("请填写联系电话")),
    )
    email = forms.EmailField(
        label=_("电子邮箱（选填）"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        help_text=_("填写后，异议办结时将通过邮件告知处理结果"),
        error_messages={"invalid": _("请填写有效的电子邮箱地址")},
    )
    organization = forms.CharField(
        label=_("工作单位"),
        max_length=128,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages=_required(_("请填写工作单位")),
    )
    application = forms.TypedChoiceField(
        label=_("异议对象"),
        coerce=int,
        error_messages={
            "required": _("请选择异议针对的集群"),
            "invalid_choice": _("请选择本次公示名单中的集群"),
        },
    )
    content = forms.CharField(
        label=_("异议内容"),
        min_length=10,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("写明异议的事实和理由，不少于 10 个字"),
        error_messages={
            "required": _("请填写异议内容"),
            "min_length": _("异议内容过短：请写明事实和理由（不少于 %(limit_value)d 个字）"),
            "max_length": _("异议内容不超过 %(limit_value)d 个字（现为 %(show_value)d 个字）"),
        },
    )
    # The metaclass moves declared fields into base_fields, so this never shadows BaseForm.files at run time;
    # the stubs see a class attribute. The field keeps the name the public form has always posted.
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("证明材料（选填）"),
        required=False,
        help_text=_(
            "可多选，最多 10 个；接受 PDF、JPG、PNG 和 Office/WPS 文档。材料只供认定机关核查，不会公开。"
            "页面提示有误时，已填写的内容会保留，但文件须重新选择。"
        ),
    )
    pledge = forms.BooleanField(
        label=_("本人承诺所填信息真实，并愿意配合核查"),
        error_messages=_required(_("请确认承诺：实名异议须保证所填信息真实")),
    )
    captcha = CaptchaField(
        label=_("验证码"),
        widget=ObjectionCaptchaInput(),
        help_text=_(
            "请输入图中的 4 个字母，不区分大小写；看不清可点“换一张”。"
            "无法辨认图片的，可按上方所列联系方式提出异议。"
        ),
        error_messages={
            "required": _("请填写验证码"),
            "incomplete": _("请填写验证码"),
            "invalid": _("验证码不正确或已失效：请输入新图中的字母"),
        },
    )

    def __init__(self, *args: Any, entries: list[NoticeEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        application = self.fields["application"]
        assert isinstance(application, forms.ChoiceField)
        application.choices = [("", "—")] + [
            (entry.application.pk, f"{entry.application.name}（{entry.application.county.name}）")
            for entry in entries
        ]

    def clean_real_name(self) -> str:
        name = _text(self.cleaned_data["real_name"], _("请填写真实姓名"))
        if any(character.isdigit() for character in name) or len(name) < 2:
            raise ValidationError(_("请填写真实姓名（至少 2 个字，不含数字）"))
        return name

    def clean_phone(self) -> str:
        phone = re.sub(r"\s+", "", self.cleaned_data["phone"])
        local = re.sub(r"^(\+?86)-?", "", phone)
        if not (_MOBILE.fullmatch(local) or _LANDLINE.fullmatch(local)):
            raise ValidationError(_("请填写有效的手机号码或带区号的固定电话"))
        return phone

    def clean_organization(self) -> str:
        return _text(self.cleaned_data["organization"], _("请填写工作单位"))

    def clean_content(self) -> str:
        return _text(self.cleaned_data["content"], _("请填写异议内容"))

    def clean_files(self) -> list[Any]:
        files: list[Any] = self.cleaned_data["files"]
        if len(files) > MAX_OBJECTION_FILES:
            raise ValidationError(_("最多上传 %(count)s 个文件") % {"count": MAX_OBJECTION_FILES})
        return files


UPHELD_CHOICES = [("", _("尚未认定")), ("yes", _("异议成立")), ("no", _("异议不成立"))]


def _upheld(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class ObjectionRecordForm(forms.Form):
    """The owner's record of one objection. "保存核查情况" keeps it 核查中; "办结" resolves it."""

    investigation = forms.CharField(
        label=_("核查情况"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    resolution = forms.CharField(
        label=_("处理结果"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("办结时必填；异议人留有电子邮箱的，处理结果将通过邮件告知本人"),
    )
    upheld = forms.ChoiceField(
        label=_("异议是否成立"),
        required=False,
        choices=UPHELD_CHOICES,
        help_text=_("认定异议成立的，该集群移出拟认定名单，本年度不予认定；不成立的，继续办理认定"),
    )
    # Named as in the objection form; the same note on the stubs applies.
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("核查认定的证据（选填）"),
        required=False,
        help_text=_("可多选，最多 10 个；与异议一并保存，不公开"),
    )

    @property
    def upheld_value(self) -> bool | None:
        return _upheld(self.cleaned_data.get("upheld", ""))

    def clean_files(self) -> list[Any]:
        files: list[Any] = self.cleaned_data["files"]
        if len(files) > MAX_OBJECTION_FILES:
            raise ValidationError(_("最多上传 %(count)s 个文件") % {"count": MAX_OBJECTION_FILES})
        return files


class ObjectionLookupForm(forms.Form):
    """The objector's look-up of the outcome: the receipt number (受理编号) and the telephone left with the
    objection, then the same image challenge as the objection form."""

    reference = forms.CharField(
        label=_("受理编号"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("提交异议后页面所示的编号，如 24-3-001-K7QM"),
        error_messages=_required(_("请填写受理编号")),
    )
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("提出异议时填写的联系电话"),
        error_messages=_required(_("请填写联系电话")),
    )
    captcha = CaptchaField(
        label=_("验证码"),
        widget=ObjectionCaptchaInput(),
        help_text=_("请输入图中的 4 个字母，不区分大小写；看不清可点“换一张”。"),
        error_messages={
            "required": _("请填写验证码"),
            "incomplete": _("请填写验证码"),
            "invalid": _("验证码不正确或已失效：请输入新图中的字母"),
        },
    )


class InadmissibleForm(forms.Form):
    """不予受理: why the objection cannot be taken up (anonymous, no facts, out of scope)."""

    reason = forms.CharField(
        label=_("不予受理理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：匿名、无具体事实、不属于本次公示范围"),
        error_messages={"required": _("不予受理须说明理由")},
    )


class BatchForm(forms.Form):
    """The same step on the objections ticked in the notice's table."""

    objections = forms.TypedMultipleChoiceField(
        label=_("异议"),
        coerce=int,
        error_messages={"required": _("请先勾选异议"), "invalid_choice": _("所选异议不属于本公示")},
    )
    action = forms.ChoiceField(
        label=_("操作"),
        choices=[("investigate", _("标记为核查中")), ("resolve", _("以同一处理结果办结"))],
        error_messages={"required": _("请选择操作")},
    )
    resolution = forms.CharField(
        label=_("处理结果（办结时必填）"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    upheld = forms.ChoiceField(label=_("异议是否成立（办结时必填）"), required=False, choices=UPHELD_CHOICES)

    def __init__(self, *args: Any, objection_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        objections = self.fields["objections"]
        assert isinstance(objections, forms.ChoiceField)
        objections.choices = [(pk, str(pk)) for pk in objection_ids]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == "resolve":
            if not (cleaned.get("resolution") or "").strip():
                self.add_error("resolution", _("办结须填写处理结果"))
            if not cleaned.get("upheld"):
                self.add_error("upheld", _("办结须认定异议是否成立"))
        return cleaned

    @property
    def upheld_value(self) -> bool | None:
        return _upheld(self.cleaned_data.get("upheld", ""))

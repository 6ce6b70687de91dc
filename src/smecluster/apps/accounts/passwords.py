"""A password rule beside Django's validators: a word followed by a number (``zhangsan2024``, a name in
pinyin and a year) is the first thing guessed, however long it is."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WORD_THEN_NUMBER = re.compile(r"[A-Za-z]+[0-9]+")


class WordThenNumberPasswordValidator:
    def validate(self, password: str, user: object = None) -> None:
        if _WORD_THEN_NUMBER.fullmatch(password):
            raise ValidationError(
                _("密码不能只是字母加数字（如拼音姓名加年份），请加入其他字符或使用更长的短语"),
                code="password_word_then_number",
            )

    def get_help_text(self) -> str:
        return _("密码不能只是字母加数字（如拼音姓名加年份）")

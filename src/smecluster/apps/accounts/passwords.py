"""How passwords are kept and which are refused.

The hasher is Argon2id with the parameters OWASP's Password Storage Cheat Sheet gives as its first choice
(19 MiB of memory, 2 passes, 1 lane; ADR 0023): memory-hard, so a graphics card guesses it far more slowly
than Django's default PBKDF2, and yet about a tenth of PBKDF2's 1,000,000 rounds in CPU time (0.05 s
against 0.5 s a sign-in on this machine; under load the sign-in took 3 s). Passwords kept with an earlier
hasher still work and are re-hashed at the next sign-in (Django upgrades them).

Beside Django's validators, one rule: a word followed by a number (``zhangsan2024``, a name in pinyin and a
year) is the first thing guessed, however long it is."""

from __future__ import annotations

import re

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id, m=19 MiB, t=2, p=1 (OWASP). Hashes with other parameters are re-hashed at sign-in."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1


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

"""The domain core's messages in the request's language, and lists and labels punctuated as that language
punctuates them ("、" and "：" in Chinese, ", " and ": " in English).

The domain writes :class:`smecluster.i18n.Text` (a Chinese template and its arguments) because it imports
no Django; here, at the boundary, the template is looked up in the catalogue of the active language.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext, pgettext

from smecluster.errors import Problem
from smecluster.i18n import ENUMERATION_COMMA, Listing, Text


def translated(message: object) -> str:
    """``message`` in the active language: a :class:`Text` through the catalogue (its arguments too), a
    :class:`Listing` joined the language's way; anything else as it is (a name, a number, a code)."""
    if isinstance(message, Text):
        template = gettext(message.template)
        if not message.arguments:
            return template
        return template % {name: translated(value) for name, value in message.arguments.items()}
    if isinstance(message, Listing):
        return listing(translated(item) for item in message.items)
    return str(message)


def listing(items: Iterable[object]) -> str:
    """Items joined as the language lists them: ``甲、乙`` in Chinese, ``A, B`` in English."""
    return gettext(ENUMERATION_COMMA).join(str(item) for item in items)


def labelled(label: object, text: object) -> str:
    """``label：text`` in Chinese, ``label: text`` in English."""
    return pgettext("a label and what it labels", "%(label)s：%(text)s") % {
        "label": translated(label),
        "text": translated(text),
    }


def problem_text(problem: Problem) -> str:
    """A domain problem for a person: where it is (sheet, cell, field label) and what is wrong, in the
    active language."""
    if not problem.field:
        return translated(problem.message)
    return labelled(problem.field, problem.message)

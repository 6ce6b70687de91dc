"""Messages of the domain core, written in the interface's source language (Simplified Chinese) and
translatable without Django.

The domain core (policy/, reference/, analytics/, documents/, profile.py) imports no Django, so it cannot
call ``gettext``; it writes each message a person may read as a :class:`Text`: the catalogue's msgid (a
Chinese template with ``%(name)s`` placeholders) and its arguments. A ``Text`` *is* the Chinese string, so
the command line, the files and every caller that only wants a ``str`` keep working; the web boundary
(``smecluster.site.wording.translated``) looks the template up in the request's language and fills it in,
translating the arguments that are themselves ``Text`` or :class:`Listing`.

Modules mark the messages by importing ``Text`` as ``_`` — ``_("没有这个区划代码（%(code)s）", code=code)`` —
the name gettext's extraction (``xgettext``, Django's ``makemessages``) collects from Python source. A list
inside a message is a :class:`Listing`, joined with "、" in Chinese and with the catalogue's translation of
"、" (", ") in another language, so that punctuation follows the language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Self

ENUMERATION_COMMA = "、"
"""How Chinese joins the items of a list (and the msgid of that separator in the catalogue)."""


class Text(str):
    """A message: its Chinese wording (the ``str`` itself), the catalogue template and its arguments."""

    template: str
    arguments: Mapping[str, object]

    def __new__(cls, template: str, /, **arguments: object) -> Self:
        # Without arguments the template is the message as is ("18.5 %" needs no escaping); with them,
        # it is a %-format, as gettext's python-format entries are.
        wording = (
            template % {name: str(value) for name, value in arguments.items()} if arguments else template
        )
        text = super().__new__(cls, wording)
        text.template = template
        text.arguments = dict(arguments)
        return text

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled (a cache, a session) as the plain Chinese string it reads as.
        return (str, (str(self),))


class Listing(str):
    """Items named in a message, joined with "、"; the boundary joins their translations its own way."""

    items: tuple[object, ...]

    def __new__(cls, items: Iterable[object]) -> Self:
        listed = tuple(items)
        listing = super().__new__(cls, ENUMERATION_COMMA.join(str(item) for item in listed))
        listing.items = listed
        return listing

    def __reduce__(self) -> tuple[object, ...]:
        return (str, (str(self),))

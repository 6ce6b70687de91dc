"""Which official document, in which issued version: the name a download asks for and the worker renders.

A :class:`DocumentRef` names one document of one object (an application as submitted, a cluster's
certificate, …) in one *version*: what makes it the document it is (the submission's number, the 文号 and
its date, the validity, the clusters taken off a notice). A change that makes a new document makes a new
version, hence a new key; an unchanged object keeps its key and its stored bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentRef:
    kind: str
    """A key of ``issued_documents.kinds.KINDS``."""
    object_id: int
    variant: str
    """The same document as different readers may see it (an application with or without its contacts)."""
    version: str
    file_name: str

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.object_id}/{self.variant or '-'}/{self.version}"


@dataclass(frozen=True)
class Rendered:
    """A document as the worker made it: what it is (its ref now) and its bytes."""

    ref: DocumentRef
    content: bytes


Renderer = Callable[[int, str], Rendered | None]
"""Renders the current version of a kind's document for (object id, variant); ``None`` when the object is
gone or its document not issued (a draft is never stored)."""

"""Errors that reach people: each names where the problem is (file) and what (field)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: the field's path (``years[1].output``) and what is wrong with it."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class UnusableInput(Exception):
    """Input the program cannot use. The CLI prints it and exits 2; the web shows it beside the field.

    ``source`` names the file (or form, or request) the input came from; ``problems`` lists every
    field at fault, so a person fixes them all in one go rather than one per run.
    """

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(str(self))

    @classmethod
    def single(cls, source: str, field: str, message: str) -> UnusableInput:
        return cls(source, [Problem(field, message)])

    def __str__(self) -> str:
        return "\n".join(f"{self.source}: {problem}" for problem in self.problems)

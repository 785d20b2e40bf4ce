"""One hierarchy for every error a user can cause; the CLI prints each as one line."""

from __future__ import annotations


class RingsimError(Exception):
    """Base of every error that is the user's input, not a bug in ringsim."""


class ScenarioError(RingsimError):
    """A scenario file that cannot be read, merged or validated.

    `where` is the file, `field` the dotted path inside it (may be empty), `value`
    the offending value when there is one.
    """

    def __init__(self, where: str, field: str, message: str, value: object = None):
        self.where, self.field, self.message, self.value = where, field, message, value
        super().__init__(str(self))

    def __reduce__(self):  # crosses process boundaries whole (a worker's error reaches the parent)
        return type(self), (self.where, self.field, self.message, self.value)

    def __str__(self) -> str:
        parts = [printable(str(self.where))]
        if self.field:
            field = printable(str(self.field))
            parts.append(f"{field} = {_short(self.value)}" if self.value is not None else field)
        parts.append(printable(self.message))
        return ": ".join(parts)


class FieldValueError(ValueError):
    """Raised by attrs validators so the loader can name the exact field."""

    def __init__(self, field: str, value: object, message: str):
        self.field, self.value, self.message = field, value, message
        super().__init__(message)

    def __reduce__(self):
        return type(self), (self.field, self.value, self.message)


class OutputError(RingsimError):
    """An output folder that exists, cannot be written, or similar."""


class UsageError(RingsimError):
    """A command-line value that is out of range or inconsistent."""


def printable(text: str) -> str:
    """`text` on one line: control characters (a newline in a quoted key, say) shown escaped."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _short(value: object) -> str:
    text = printable(repr(value) if isinstance(value, str) else str(value))
    return text if len(text) <= 60 else text[:57] + "..."

"""Typed errors, one base: caught at the boundary and shown as one line (CLI) or a message (web).

Content and build errors name the file and the key for editors; rule, field and account errors
carry a Japanese message for seekers and staff; `code` slugs let code and tests tell them apart.
"""
from __future__ import annotations

from pathlib import Path


def display_path(path: Path | str) -> str:
    """A path as editors should read it: relative to the working folder when inside it."""
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(p)


class MadoguchiError(Exception):
    """Base class of every error of the project: `message` is the one line people read."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class RuleError(MadoguchiError, ValueError):
    """A rule refuses (a slot, a staff action): `code` is an English slug, `message` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self):
        return (type(self), (self.code, self.message))


class ContentError(MadoguchiError):
    """A content file is wrong: names the file, the key (or line) and the reason."""

    def __init__(self, path: Path | str, key: str | None, reason: str):
        self.path, self.key, self.reason = display_path(path), key, reason
        super().__init__(f"{self.path}: {key}: {reason}" if key else f"{self.path}: {reason}")

    def __reduce__(self):
        # Errors cross process boundaries in parallel builds: pickle the fields, not the message.
        return (type(self), (self.path, self.key, self.reason))


class ContentErrors(MadoguchiError):
    """Several content errors gathered before giving up, so editors see them all at once."""

    def __init__(self, errors: list[ContentError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))

    def __reduce__(self):
        return (type(self), (self.errors,))


class BuildError(MadoguchiError):
    """The build could not produce or write its output."""

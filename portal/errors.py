"""Typed errors raised by content loading and the build, caught at the boundary."""
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
    """Base class of every error the CLI turns into one line and exit code 1."""


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

"""terms-lock.json: the record of every terms version an office has published.

A published version's text may never change: the lock pins the SHA-256 of its Markdown source
and the placeholder values it was last shown with, so an archived version keeps its wording
when office.yaml changes later. Pure Python, beside the loader that checks against it; the
build writes the lock only once a version's pages are out (never in a --preview build).
"""
from __future__ import annotations

import datetime  # noqa: F401  (the Protocol's annotation)
import json
from json.encoder import encode_basestring   # the C one where there is one, as json.dumps uses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .errors import ContentError
from .officefiles import text_of

LOCK_FILE = "terms-lock.json"
_PLACEHOLDER_KEY = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)")


@dataclass(frozen=True)
class Lock:
    """terms-lock.json: what each published version's source was, and the facts it was last
    shown with (a version no longer in force keeps those, so its archived text never changes)."""
    published: dict[str, str]
    facts: dict[str, dict[str, str | None]]
    announced: dict[str, str] = field(default_factory=dict)   # key: the day a build first published its notice


class PublishedVersion(Protocol):
    """What the lock records of a terms version (offices.TermsVersion has these)."""

    @property
    def key(self) -> str:
        """The version's stable name: its effective date, or "initial"."""

    @property
    def source_sha256(self) -> str:
        """SHA-256 of the version's Markdown source, as published."""

    @property
    def facts(self) -> tuple[tuple[str, str | None], ...]:
        """The placeholder values the version's text is expanded with."""

    @property
    def published_on(self) -> "datetime.date | None":
        """The day a build first published its notice (None: the version replaces none)."""


def read_lock(folder: Path) -> Lock:
    """The lock of an office folder (empty when there is none)."""
    path = folder / LOCK_FILE
    return parse_lock(path.read_bytes() if path.exists() else None, path)


def parse_lock(raw: bytes | None, path: Path) -> Lock:
    """A lock from the file's bytes (None: there is none, an empty lock); `path` names it in messages."""
    if raw is None:
        return Lock({}, {})
    try:
        data = json.loads(raw.decode("utf-8"))
        published = {str(k): str(v) for k, v in data["published"].items()}
        facts = {str(k): {str(n): None if v is None else str(v) for n, v in f.items()}
                 for k, f in data.get("facts", {}).items()}
        announced = {str(k): str(v) for k, v in data.get("announced", {}).items()}
        return Lock(published, facts, announced)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ContentError(path, None, "ロックファイルが壊れています（ビルドが書くファイルです。git で元に戻してください）") from None


def lock_text(folder: Path, versions: Iterable[PublishedVersion]) -> str:
    """terms-lock.json as it should be once these versions of the office in `folder` are published."""
    lock = read_lock(folder)
    versions = list(versions)
    published = {**lock.published, **{v.key: v.source_sha256 for v in versions}}
    facts = {**lock.facts, **{v.key: dict(v.facts) for v in versions}}
    # The day each notice was first published: it stays its date (office.yaml announced overrides).
    announced = {**{v.key: v.published_on.isoformat() for v in versions if v.published_on}, **lock.announced}
    data: dict[str, object] = {"published": dict(sorted(published.items())), "facts": facts}
    if announced:
        data["announced"] = announced
    return _indented(data) + "\n"


def _indented(value: object, indent: str = "") -> str:
    """json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True), its strings written by json's
    C string encoder: json's indented encoder is pure Python (544 locks: ~0.05 s)."""
    if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
        inner = indent + "  "
        items = ",\n".join(f"{inner}{encode_basestring(k)}: {_indented(v, inner)}" for k, v in sorted(value.items()))
        return f"{{\n{items}\n{indent}}}"
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None or value == {}:
        return "null" if value is None else "{}"
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).replace("\n", "\n" + indent)


def lock_differs(folder: Path, text: str) -> bool:
    """Would writing `text` change the lock of this folder (or create it)?"""
    path = folder / LOCK_FILE
    return lock_changes(path.read_bytes() if path.exists() else None, text)


def lock_changes(current: bytes | None, text: str) -> bool:
    """Would writing `text` change a lock file holding `current` (None: there is none)? Line
    endings aside, as a lock saved with CRLF (git on Windows) reads the same."""
    if current is None:
        return True
    try:
        return text_of(current) != text
    except UnicodeDecodeError:
        return True


def write_lock(folder: Path, text: str) -> None:
    """Record an office's versions as published: write its lock text when it differs."""
    if lock_differs(folder, text):
        (folder / LOCK_FILE).write_text(text, encoding="utf-8")


def check_published(lock: Lock, key: str, digest: str, path: Path, label: str, listed: bool) -> None:
    """Refuse a version whose source (SHA-256 `digest`) is not the text the lock says was published.

    `listed`: office.yaml lists its versions (terms.versions). With one file and no list, a new
    revision date renames the version, so the text must still be one that was published.
    """
    if key in lock.published and lock.published[key] != digest:
        raise ContentError(path, None, f"公開済みの版（{label}）の本文が変更されています。公開した版は変更できません。"
                           "文面を改める場合は、元の本文に戻したうえで、新しい施行日の版を別のファイルにして "
                           "terms.versions と terms.revisions に追加してください")
    if not listed and key not in lock.published and lock.published and digest not in lock.published.values():
        raise ContentError(path, None, "公開済みの利用規約の本文が変更されています（terms.revisions に改訂を"
                           "追加しても、同じファイルを書き換えることはできません）。元の本文に戻したうえで、"
                           "新しい版を別のファイルにして terms.versions に追加してください")


def changed_facts(source: str, before: dict[str, str | None], now: dict[str, str | None]) -> list[str]:
    """The placeholders a text uses whose value differs from what it was published with."""
    return sorted(k for k in set(_PLACEHOLDER_KEY.findall(source)) if k in before and before[k] != now.get(k))

"""The terms lock: what it records, when it is written, and what it refuses."""
from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from portal.errors import ContentError, ContentErrors
from portal.offices import load_office
from portal.termslock import (LOCK_FILE, Lock, changed_facts, check_published, lock_changes, lock_differs, lock_text,
                              read_lock, write_lock)


@dataclass(frozen=True)
class Version:
    """A terms version as the lock sees it."""
    key: str
    source_sha256: str
    facts: tuple[tuple[str, str | None], ...] = ()
    published_on: datetime.date | None = None


def test_a_folder_without_a_lock_has_an_empty_one(tmp_path):
    assert read_lock(tmp_path) == Lock({}, {})


def test_lock_text_adds_versions_to_what_was_recorded(tmp_path):
    write_lock(tmp_path, lock_text(tmp_path, [Version("2025-10-17", "aaa", (("session.tool", "Zoom"),))]))
    text = lock_text(tmp_path, [Version("2027-04-01", "bbb")])
    assert json.loads(text) == {"published": {"2025-10-17": "aaa", "2027-04-01": "bbb"},
                                "facts": {"2025-10-17": {"session.tool": "Zoom"}, "2027-04-01": {}}}
    assert read_lock(tmp_path).facts == {"2025-10-17": {"session.tool": "Zoom"}}


def test_the_lock_is_written_only_when_it_differs(tmp_path):
    text = lock_text(tmp_path, [Version("initial", "aaa")])
    assert lock_differs(tmp_path, text)
    write_lock(tmp_path, text)
    written = (tmp_path / LOCK_FILE).stat().st_mtime_ns
    assert not lock_differs(tmp_path, text)
    write_lock(tmp_path, text)
    assert (tmp_path / LOCK_FILE).stat().st_mtime_ns == written


@pytest.mark.parametrize("current, changes", [
    (None, True), (b'{\n  "published": {}\n}\n', False), (b'{\r\n  "published": {}\r\n}\r\n', False),
    (b'{\n  "published": {"initial": "x"}\n}\n', True), (b"\xff{}", True)])
def test_a_lock_changes_unless_it_holds_the_text_line_endings_aside(current, changes):
    # As lock_differs reads the file: a lock git checked out with CRLF is the same lock.
    assert lock_changes(current, '{\n  "published": {}\n}\n') is changes


def test_broken_lock_names_the_file(content):
    folder = content / "abashiri"
    (folder / LOCK_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ContentError, match="ロックファイル"):
        read_lock(folder)
    with pytest.raises(ContentErrors, match="ロックファイル"):
        load_office(folder)


LOCK = Lock({"2025-10-17": "aaa"}, {})


@pytest.mark.parametrize("key, digest, listed, refused", [
    ("2025-10-17", "aaa", True, None),                       # the published text, unchanged
    ("2025-10-17", "zzz", True, "公開済みの版（初版）の本文が変更されています"),
    ("2027-04-01", "bbb", True, None),                       # a new version in the list
    ("2027-01-01", "aaa", False, None),                      # one file, new revision date, same text
    ("2027-01-01", "zzz", False, "公開済みの利用規約の本文が変更されています"),
])
def test_check_published(key, digest, listed, refused):
    if refused is None:
        check_published(LOCK, key, digest, Path("terms.md"), "初版", listed)
    else:
        with pytest.raises(ContentError, match=refused):
            check_published(LOCK, key, digest, Path("terms.md"), "初版", listed)


@pytest.mark.parametrize("before, now, changed", [
    ({"session.tool": "Zoom"}, {"session.tool": "Zoom"}, []),
    ({"session.tool": "Zoom"}, {"session.tool": "Teams"}, ["session.tool"]),
    ({"office.fax": "1"}, {}, []),                           # not used by the text
    ({}, {"session.tool": "Teams"}, []),                     # not recorded: nothing to compare
])
def test_changed_facts(before, now, changed):
    assert changed_facts("{{ session.tool }} を使います。", before, now) == changed


def test_a_new_revision_date_does_not_unlock_a_single_file(content):
    folder = content / "abashiri"   # one terms.md, no versions list, no revisions: version "initial"
    write_lock(folder, lock_text(folder, load_office(folder).versions))
    yaml_path = folder / "office.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace(
        "  revisions: []", "  revisions: [{date: 2027-01-01, kind: 一部改訂}]"), encoding="utf-8")
    load_office(folder)   # the same text under a new date: still the published text
    terms = folder / "terms.md"
    terms.write_text(terms.read_text(encoding="utf-8").replace("1回当たり", "1回あたり", 1), encoding="utf-8")
    with pytest.raises(ContentErrors) as err:
        load_office(folder)
    [error] = err.value.errors
    assert error.path.endswith("terms.md") and "公開済みの利用規約の本文が変更されています" in error.reason


def test_an_office_yaml_change_that_rewords_published_terms_warns(content):
    folder = content / "abashiri"
    write_lock(folder, lock_text(folder, load_office(folder).versions))
    assert not [w for w in load_office(folder).warnings if "文面がこの変更で変わります" in w]
    yaml_path = folder / "office.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace("minutes: 30", "minutes: 45", 1),
                         encoding="utf-8")
    warned = [w for w in load_office(folder).warnings if "文面がこの変更で変わります" in w]
    assert len(warned) == 1 and "session.minutes: 公開済みの利用規約（初版）" in warned[0], warned


def test_the_day_a_notice_was_first_published_is_recorded_once(tmp_path):
    day = datetime.date(2026, 12, 2)
    write_lock(tmp_path, lock_text(tmp_path, [Version("2027-04-01", "bbb", (), day)]))
    assert read_lock(tmp_path).announced == {"2027-04-01": "2026-12-02"}
    # A later build does not move it: the notice keeps the day it first went out.
    write_lock(tmp_path, lock_text(tmp_path, [Version("2027-04-01", "bbb", (), day + datetime.timedelta(days=9))]))
    assert read_lock(tmp_path).announced == {"2027-04-01": "2026-12-02"}


def test_lock_text_is_what_json_indented_writes():
    """The lock's writer (C encoder for the strings) against json.dumps(indent=2, sort_keys) itself."""
    import json
    import random

    from portal.termslock import _indented

    rng = random.Random(7)

    def value(depth):
        if depth > 3 or rng.random() < 0.3:
            return rng.choice([None, "", "x", "網走", 'a"b\\c', "\u2028", "\x00\n", 5, 1.5, True, [], ["a", {"k": "v"}]])
        return {rng.choice(["a", "b", "ä", "網", "k"]) + str(rng.randint(0, 9)): value(depth + 1)
                for _ in range(rng.randint(0, 4))}

    for case in [{}, {"published": {"initial": "ab"}, "facts": {"initial": {"office.name": "網走", "x": None}}}] + \
            [value(0) for _ in range(3000)]:
        assert _indented(case) == json.dumps(case, ensure_ascii=False, indent=2, sort_keys=True)

"""Terms versions: which text is current around an effective date, and immutability via the lock."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from portal.errors import ContentErrors
from portal.offices import load_office
from portal.termslock import LOCK_FILE, lock_text

NEW_DATE = dt.date(2027, 4, 1)


def add_version(folder: Path, old: str = "利用料は無料とします。", new: str = "利用料は当面無料とします。") -> None:
    """Give the Hiroshima copy a second version, effective 2027-04-01, with one changed phrase."""
    text = (folder / "terms.md").read_text(encoding="utf-8")
    assert old in text
    (folder / "terms-2027-04-01.md").write_text(text.replace(old, new), encoding="utf-8")
    yaml_path = folder / "office.yaml"
    yaml = yaml_path.read_text(encoding="utf-8")
    yaml = yaml.replace("    - {date: 2025-10-17, kind: 一部改訂}\n",
                        "    - {date: 2025-10-17, kind: 一部改訂}\n"
                        "    - {date: 2027-04-01, kind: 一部改訂, summary: 第3条の表現を改めます。, announced: 2027-03-01}\n"
                        "  versions:\n"
                        "    - {effective: 2025-10-17, file: terms.md}\n"
                        "    - {effective: 2027-04-01, file: terms-2027-04-01.md}\n")
    yaml_path.write_text(yaml, encoding="utf-8")


@pytest.fixture
def hiroshima(content) -> Path:
    folder = content / "mothers-hiroshima"
    add_version(folder)
    return folder


@pytest.mark.parametrize("today, key", [
    (dt.date(2025, 10, 16), "2025-10-17"),   # before any effective date: the oldest version
    (dt.date(2027, 3, 31), "2025-10-17"),
    (dt.date(2027, 4, 1), "2027-04-01"),
    (dt.date(2030, 1, 1), "2027-04-01"),
])
def test_current_version_by_day(hiroshima, today, key):
    office = load_office(hiroshima, today)
    assert office.current.key == key
    assert office.version_at(today).key == key


def test_each_version_has_its_own_text_hash_and_label(hiroshima):
    office = load_office(hiroshima)
    old, new = office.versions
    assert office.terms_sha256(old) != office.terms_sha256(new)
    assert "利用料は無料とします。" in office.terms_text(old)
    assert "利用料は当面無料とします。" in office.terms_text(new)
    assert old.label == "令和7年10月17日一部改訂" and new.label == "令和9年4月1日一部改訂"
    assert office.terms_text(old).rstrip().endswith("令和4年9月15日制定／令和7年10月17日一部改訂\n\n広島公共職業安定所長")
    assert office.upcoming(dt.date(2027, 3, 31)) == (new,)


def test_version_must_match_a_revision(hiroshima):
    yaml_path = hiroshima / "office.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace(
        "{effective: 2027-04-01, file", "{effective: 2027-04-02, file"), encoding="utf-8")
    with pytest.raises(ContentErrors, match="2027-04-02 の改訂が revisions にありません"):
        load_office(hiroshima)


def test_editing_a_published_version_fails_and_adding_one_works(content):
    folder = content / "mothers-hiroshima"
    (folder / LOCK_FILE).write_text(lock_text(folder, load_office(folder).versions), encoding="utf-8")
    terms = folder / "terms.md"
    original = terms.read_text(encoding="utf-8")
    terms.write_text(original.replace("利用料は無料とします。", "利用料は無料です。"), encoding="utf-8")
    with pytest.raises(ContentErrors) as err:
        load_office(folder)
    [error] = err.value.errors
    assert error.path.endswith("terms.md")
    assert "公開済みの版（令和7年10月17日一部改訂）の本文が変更されています" in error.reason
    assert "新しい施行日の版" in error.reason
    terms.write_text(original, encoding="utf-8")
    add_version(folder)  # the editor's way: a new dated version
    office = load_office(folder, dt.date(2027, 4, 1))
    assert office.current.key == "2027-04-01"
    assert '"2027-04-01"' in lock_text(folder, office.versions) and '"2025-10-17"' in lock_text(folder, office.versions)


def test_a_day_before_every_version_on_file_warns(hiroshima):
    assert not any("施行されている版がありません" in w for w in load_office(hiroshima, dt.date(2025, 10, 17)).warnings)
    early = load_office(hiroshima, dt.date(2025, 10, 16))
    assert any("mothers-hiroshima/office.yaml: terms: 令和7年10月16日に施行されている版がありません。"
               "施行前の版（令和7年10月17日一部改訂）を" in w for w in early.warnings), early.warnings


def test_an_archived_version_keeps_the_facts_it_was_shown_with(hiroshima):
    day = NEW_DATE   # the 2025 version is superseded from this day
    (hiroshima / LOCK_FILE).write_text(lock_text(hiroshima, load_office(hiroshima, day).versions), encoding="utf-8")
    yaml_path = hiroshima / "office.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace("tool: Zoom", "tool: Teams"), encoding="utf-8")
    old, new = load_office(hiroshima, day).versions
    assert "として Zoom を使用します" in old.doc.markdown      # the archive says what was in force
    assert "として Teams を使用します" in new.doc.markdown     # the current text follows office.yaml
    # Before the switch both versions follow office.yaml: the old one is still the current text.
    old_then, _ = load_office(hiroshima, day - dt.timedelta(days=1)).versions
    assert "として Teams を使用します" in old_then.doc.markdown


def test_a_preview_build_records_no_version(content, tmp_path):
    from portal.publish.build import build
    folder = content / "mothers-hiroshima"
    (folder / LOCK_FILE).unlink()
    build(content, tmp_path / "draft", ["mothers-hiroshima"], pdf=False, publish=False)
    assert not (folder / LOCK_FILE).exists()
    terms = folder / "terms.md"
    terms.write_text(terms.read_text(encoding="utf-8").replace("利用料は無料とします。", "利用料は無料です。"),
                     encoding="utf-8")   # the draft is corrected: nothing was published
    build(content, tmp_path / "site", ["mothers-hiroshima"], pdf=False)
    assert (folder / LOCK_FILE).exists()
    terms.write_text(terms.read_text(encoding="utf-8") + "\n追記。\n", encoding="utf-8")
    with pytest.raises(ContentErrors, match="公開済みの版"):
        build(content, tmp_path / "site", ["mothers-hiroshima"], pdf=False)

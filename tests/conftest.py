"""Shared fixtures: paths of the repository, and a writable copy of the real content."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"


def _content_files() -> dict[str, bytes]:
    return {p.relative_to(CONTENT).as_posix(): p.read_bytes() for p in sorted(CONTENT.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session", autouse=True)
def content_untouched():
    """The suite never writes into the repository's content/ (a build there would record
    terms-lock.json for an office someone is still drafting): tests build copies, or preview."""
    before = _content_files()
    yield
    changed = sorted(set(before) ^ set(after := _content_files()) | {k for k in before if after.get(k) != before[k]})
    assert not changed, f"the tests wrote into content/: {changed}"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of content/ that a test may edit freely."""
    return Path(shutil.copytree(CONTENT, tmp_path / "content"))


SATURDAY_OFFICE = "mothers-saturday"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def saturday_office(content: Path) -> Path:
    """A third office in the content copy: open Monday to Saturday, sessions on Tue, Thu and Sat,
    requests closing 3 open days before, and terms that define 開庁日 with a placeholder."""
    folder = Path(shutil.copytree(content / "mothers-hiroshima", content / SATURDAY_OFFICE))
    (folder / "terms-lock.json").unlink()   # a new office: nothing of it published yet
    yaml = folder / "office.yaml"
    _replace(yaml, "  court: 広島地方裁判所\n", "  court: 広島地方裁判所\n  open_days: [mon, tue, wed, thu, fri, sat]\n")
    _replace(yaml, "weekdays: [mon, tue, wed, thu, fri]", "weekdays: [tue, thu, sat]")
    _replace(yaml, "deadline_business_days: 1", "deadline_business_days: 3")
    _replace(folder / "terms.md", "までに予約を確定した方が利用できます。",
             "までに予約を確定した方が利用できます。「開庁日」とは、{{ office.open_days }}の日をいいます。")
    return folder


THIRD_OFFICE = "mikazuki"
FIXTURE_OFFICES = ROOT / "tests" / "fixtures" / "offices"


@pytest.fixture
def third_office(content: Path) -> Path:
    """A third office (tests/fixtures/offices/mikazuki) in the content copy, with its own rules on
    every axis of issue #15: Webex, 40 minutes, Mon/Wed/Fri in two windows, a 2-open-day deadline,
    capacity 2, 15 minutes, a closure, its own channel names, details by e-mail by 17:00 of the
    previous open day, no court, and a revision ahead (2026-06-01) that shortens retention to 6か月."""
    return add_third_office(content)


def add_third_office(content: Path) -> Path:
    """Put the fixture's third office into content, replacing a folder of that name already there
    (someone trying the office out in content/ keeps the tests about it on the fixture's text)."""
    folder = content / THIRD_OFFICE
    if folder.exists():
        shutil.rmtree(folder)
    return Path(shutil.copytree(FIXTURE_OFFICES / THIRD_OFFICE, folder))

"""Where an office's files are read from (portal/officefiles.py): a document is a file directly in
the office folder, on disk as in a snapshot pack, and its text is what Path.read_text gives."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from portal.errors import ContentError, ContentErrors
from portal.officefiles import OfficeFiles, PackedFiles, text_of
from portal.offices import load_office
from portal.publish.manifest import folder_files

NAMES = ["guide.md", "./guide.md", "sub/inner.md", "../other/guide.md", "sub/../guide.md", "", ".", "..",
         "inside-link.md", "outside-link.md", "folder-link/inner.md", "missing.md"]


@pytest.fixture
def office(tmp_path) -> Path:
    folder = tmp_path / "office"
    (folder / "sub").mkdir(parents=True)
    (folder / "guide.md").write_bytes(b"# guide\n")
    (folder / "sub" / "inner.md").write_bytes(b"# inner\n")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "guide.md").write_bytes(b"# elsewhere\n")
    os.symlink("guide.md", folder / "inside-link.md")
    os.symlink("../other/guide.md", folder / "outside-link.md")
    os.symlink("sub", folder / "folder-link")
    return folder


def _resolving(folder: Path, name: str) -> bytes | None:
    """What the loader accepted before: a file whose resolved parent is the resolved folder."""
    path = folder / name
    return path.read_bytes() if path.is_file() and path.resolve().parent == folder.resolve() else None


def test_a_document_on_disk_is_a_file_directly_in_the_folder_as_resolving_says(office, tmp_path):
    for folder in (office, tmp_path / "link-to-office"):
        if not folder.exists():
            os.symlink(office, folder)           # the office folder itself reached through a link
        files = OfficeFiles(folder)
        assert {n: files.document(n) for n in NAMES} == {n: _resolving(folder, n) for n in NAMES}
        assert files.document("inside-link.md") == b"# guide\n"
        assert files.document("outside-link.md") is None and files.document("sub/inner.md") is None
        assert files.document(str(tmp_path / "other" / "guide.md")) is None


def test_a_document_in_a_pack_is_a_file_at_its_top(office):
    packed = PackedFiles("office", Path("/nowhere/office-x.zip"), dict(folder_files(office)))
    assert packed.document("guide.md") == packed.document("./guide.md") == b"# guide\n"
    for name in ("sub/inner.md", "../other/guide.md", "", ".", "..", "missing.md", "/guide.md"):
        assert packed.document(name) is None, name
    assert packed.read("sub/inner.md") == b"# inner\n" and packed.read("terms-lock.json") is None
    assert packed.path("guide.md") == Path("/nowhere/office-x.zip/guide.md")


@pytest.mark.parametrize("data", [b"a\r\nb\rc\n", "\ufeff見出し\r\n".encode(), b"", b"\r\r\n\n"])
def test_text_is_what_read_text_gives(tmp_path, data):
    path = tmp_path / "f"
    path.write_bytes(data)
    assert text_of(data) == path.read_text(encoding="utf-8")
    with pytest.raises(UnicodeDecodeError):
        text_of(b"\xff")


def test_an_office_loads_the_same_from_its_folder_and_from_its_files(content):
    folder = content / "abashiri"
    packed = PackedFiles("abashiri", folder, dict(folder_files(folder)))
    assert load_office(packed) == load_office(folder)


def test_a_document_linked_from_outside_the_folder_is_refused_naming_the_key(content, tmp_path):
    folder = content / "abashiri"
    shutil.move(folder / "guide.md", tmp_path / "guide.md")
    os.symlink(tmp_path / "guide.md", folder / "guide.md")
    with pytest.raises(ContentErrors) as caught:
        load_office(folder)
    (error,) = caught.value.errors
    assert isinstance(error, ContentError) and error.key == "guide.file" and "guide.md" in error.reason

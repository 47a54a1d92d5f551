"""Writing a built site (portal/publish/output.py): whole or not at all, only what changed."""
from __future__ import annotations

import pytest

from portal.errors import BuildError
from portal.publish.output import MARKER, WriteStats, existing_files, write_site

FILES = {"index.html": b"<p>top</p>", "a/index.html": b"<p>a</p>", "a/terms/index.html": b"<p>terms</p>"}


def test_a_new_site_appears_whole_and_leaves_nothing_beside_it(tmp_path):
    out = tmp_path / "deep" / "site"
    assert write_site(out, FILES, marker="{}\n") == WriteStats(3, 0, 0)
    assert existing_files(out) == set(FILES)
    assert (out / MARKER).read_text() == "{}\n"
    assert [p.name for p in out.parent.iterdir()] == ["site"]   # the temporary folder was renamed


def test_an_existing_site_is_updated_in_place_rewriting_only_changes(tmp_path):
    out = tmp_path / "site"
    write_site(out, FILES)
    changed = {**FILES, "a/index.html": b"<p>a2</p>"}
    del changed["a/terms/index.html"]
    assert write_site(out, changed) == WriteStats(1, 1, 1)
    assert existing_files(out) == set(changed)
    assert not (out / "a" / "terms").exists()


def test_an_empty_folder_is_written_into(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    assert write_site(out, FILES) == WriteStats(3, 0, 0)
    assert existing_files(out) == set(FILES)


def test_a_folder_that_is_not_a_site_is_refused(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(BuildError, match=MARKER):
        write_site(out, FILES)

"""The README's Staff console section names every staff setting and every `flask staff` command."""
from __future__ import annotations

from pathlib import Path

import pytest

from portal.web.config import STAFF_SETTINGS
from portal.web.staff.cli import group

README = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Staff console"):]


@pytest.mark.parametrize(("key", "env"), [(s.key, s.env) for s in STAFF_SETTINGS])
def test_setting_documented(key, env):
    assert f"| `{key}` | `{env}` |" in SECTION


def test_commands_documented(app):
    for name in group.commands:
        assert f"flask --app portal.web staff {name}" in SECTION, name
    assert "pg_dump" in SECTION

"""Docs ship with the code: every office.yaml key, placeholder and build option is in the README."""
from pathlib import Path

import pytest
from pydantic import BaseModel

from portal.placeholders import facts
from portal.publish.cli import parser
from portal.schema import OfficeConfig, SiteConfig

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    out = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        inner = field.annotation
        args = getattr(inner, "__args__", ())
        nested = next((a for a in (inner, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if nested is not None:
            sep = "[]." if getattr(inner, "__origin__", None) is list else "."
            if sep == "[].":
                out.append(key)
            out += keys(nested, key + sep)
        else:
            out.append(key)
    return out


@pytest.mark.parametrize("key", keys(OfficeConfig))
def test_office_key_documented(key):
    assert f"| `{key}` |" in README


@pytest.mark.parametrize("key", keys(SiteConfig))
def test_site_key_documented(key):
    assert f"| `{key}` |" in README


def test_every_placeholder_documented(content):
    from portal.offices import load_office
    for name in facts(load_office(content / "abashiri").config):
        assert f"`{{{{ {name} }}}}`" in README or f"`{{{{ {name} \\|" in README, name


def test_every_build_option_documented():
    for action in parser()._actions:
        for option in action.option_strings:
            if option.startswith("--") and option != "--help":
                assert f"`{option}" in README, option

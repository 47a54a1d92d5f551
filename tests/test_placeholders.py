import pytest

from portal.errors import ContentError
from portal.placeholders import expand


def test_expand_inline_filter_and_block():
    values = {"a": "Zoom", "list": "- (1) x\n- (2) y"}
    text = "use {{ a | upper }} and {{a}}\n\n  {{ list }}\n"
    assert expand(text, values, "f.md") == "use ZOOM and Zoom\n\n  - (1) x\n  - (2) y\n"


def test_block_placeholder_must_stand_alone():
    with pytest.raises(ContentError, match="単独"):
        expand("see {{ list }}", {"list": "- a\n- b"}, "f.md")


def test_error_names_line():
    with pytest.raises(ContentError) as err:
        expand("ok\n\nbad {{ nope }}", {}, "f.md")
    assert err.value.key.startswith("3行目")

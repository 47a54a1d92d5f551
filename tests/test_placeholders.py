import pytest

from portal.errors import ContentError
from portal.placeholders import channels_text, days_text, expand


@pytest.mark.parametrize("weekdays, expected", [
    (["mon", "tue", "wed", "thu", "fri"], "平日"),
    (["fri", "mon", "wed"], "月・水・金曜日"),
    (["sat"], "土曜日"),
])
def test_days_text(weekdays, expected):
    assert days_text(weekdays) == expected


def test_channels_text():
    assert channels_text(["phone", "email"], "又は") == "電話又はメール"
    assert channels_text(["phone", "counter"], "または") == "電話または窓口"
    assert channels_text(["phone"], "又は") == "電話"
    assert channels_text(["phone", "email", "counter", "online"], "又は") == "電話、メール、窓口又はオンライン"
    assert channels_text(["phone", "email", "counter"], "または") == "電話、メールまたは窓口"


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

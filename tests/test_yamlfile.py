import pytest

from portal.errors import ContentError
from portal.yamlfile import load_yaml


def load(tmp_path, text):
    path = tmp_path / "office.yaml"
    path.write_text(text, encoding="utf-8")
    return load_yaml(path)


@pytest.mark.parametrize("text, expected", [
    ("a: true", {"a": True}),
    ("a: false", {"a": False}),
    ("a: 30", {"a": 30}),
    ("a: 0", {"a": 0}),
    ("a: 1.5", {"a": 1.5}),
    ("a: 09:30", {"a": "09:30"}),         # YAML 1.1 would read 570
    ("a: 2022-09-15", {"a": "2022-09-15"}),
    ("a: '0101'", {"a": "0101"}),
    ('a: "no"', {"a": "no"}),
    ("a:", {"a": None}),
    ("a: ~", {"a": None}),
    ("a: [x, 1]", {"a": ["x", 1]}),
    ("a: |\n  no\n", {"a": "no\n"}),
])
def test_yaml_12_scalars(tmp_path, text, expected):
    assert load(tmp_path, text) == expected


@pytest.mark.parametrize("text, key, word", [
    ("a: no", "a", "no"),
    ("a: yes", "a", "yes"),
    ("a: On", "a", "On"),
    ("x:\n  z: 0101", "x.z", "0101"),
    ("x:\n  y: 1", "x.y", "y"),
    ("x:\n  - 1\n  - 0777", "x[1]", "0777"),
    ("x:\n  0x1F: 1", None, "0x1F"),
    ("on: 1", "on", "on"),
])
def test_yaml_11_traps_are_refused_with_key(tmp_path, text, key, word):
    with pytest.raises(ContentError) as err:
        load(tmp_path, text)
    assert f"「{word}」" in err.value.reason and "引用符" in err.value.reason
    if key:
        assert err.value.key.startswith(key + "（")


def test_duplicate_key(tmp_path):
    with pytest.raises(ContentError, match="2回"):
        load(tmp_path, "a: 1\na: 2\n")


def test_syntax_error_names_line(tmp_path):
    with pytest.raises(ContentError) as err:
        load(tmp_path, "a: 1\nb: [\n")
    assert "YAML として読めません" in err.value.reason


def test_not_utf8(tmp_path):
    path = tmp_path / "office.yaml"
    path.write_bytes("a: 網走".encode("shift_jis"))
    with pytest.raises(ContentError, match="UTF-8"):
        load_yaml(path)

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


@pytest.mark.parametrize("text", ["? [1, 2]\n: x\n", "a:\n  ? {b: 1}\n  : x\n"])
def test_list_or_mapping_as_key_is_refused_with_line(tmp_path, text):
    with pytest.raises(ContentError) as err:
        load(tmp_path, text)
    assert "項目名には文字を書いてください" in err.value.reason and "行目" in err.value.key


def test_syntax_error_names_line(tmp_path):
    with pytest.raises(ContentError) as err:
        load(tmp_path, "a: 1\nb: [\n")
    assert "YAML として読めません" in err.value.reason


def test_not_utf8(tmp_path):
    path = tmp_path / "office.yaml"
    path.write_bytes("a: 網走".encode("shift_jis"))
    with pytest.raises(ContentError, match="UTF-8"):
        load_yaml(path)


# The quick construction (yamlfile._quick) must give exactly what the full constructor gives:
# the same data, or the same error, for every document; unusual ones take the full way.
UNUSUAL_AND_PLAIN = [
    "a: &x [1, 2]\nb: *x\n",                 # alias: shared object
    "a: &x hello\nb: *x\n",
    "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",   # merge key (no merge without implicit resolvers)
    "a: !!int '5'\n",                          # explicit tags
    "a: !!str 5\n",
    "a: !!binary aGVsbG8=\n",
    "a: !!set {x, w}\n",
    "? [1, 2]\n: x\n",                         # unhashable key
    "? {a: 1}\n: x\n",
    "a: 1\na: 2\n",                            # duplicates, at the top and deeper
    "x:\n  y: 1\n  y: 2\n",
    "1: a\n1.0: b\n",
    "true: a\n1: b\n",
    "on: 1\nb: no\n",                          # traps as key and value
    "l:\n- [a, {b: 0777}]\n- ~\n- ''\n",
    "a: |\n  text\nb: >-\n  folded\n  lines\n",
    "a: \"quoted: 09:30\"\nb: 'single'\nc: 1e3\nd: .5\ne: -0\n",
    "",
    "# only a comment\n",
    "- 1\n- two\n",
    "just text",
    "a: [\n",
    "---\na: 1\n---\nb: 2\n",
]


def _full(path):
    """What the full constructor gives: its data, or its ContentError's text."""
    import yaml

    from portal import yamlfile

    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yamlfile._Loader)  # noqa: S506
    except (yamlfile._Trap, yaml.YAMLError) as exc:
        return ("error", type(exc).__name__)
    found = yamlfile._find_trap(data, "")
    return ("error", "_Trap") if found else ("data", data)


def _quick(path):
    try:
        return ("data", load_yaml(path))
    except ContentError as exc:
        return ("error", exc)


@pytest.mark.parametrize("text", UNUSUAL_AND_PLAIN)
def test_quick_construction_matches_the_full_constructor(tmp_path, text):
    path = tmp_path / "office.yaml"
    path.write_text(text, encoding="utf-8")
    full, quick = _full(path), _quick(path)
    assert full[0] == quick[0]
    if full[0] == "data":
        assert repr(quick[1]) == repr(full[1])


def test_quick_construction_matches_on_every_office_file(tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = sorted(root.glob("content/*/office.yaml")) + sorted(root.glob("tests/fixtures/**/office.yaml"))
    files += [root / "content" / "site.yaml"]
    assert len(files) >= 4
    import yaml

    from portal import yamlfile

    for path in files:
        # Content files take the quick way (no fallback to the full constructor) ...
        yamlfile._quick(yaml.compose(path.read_text(encoding="utf-8"), Loader=yamlfile._Loader))
        # ... and get what the full constructor gives.
        full, quick = _full(path), _quick(path)
        assert full[0] == quick[0], path
        if full[0] == "data":
            assert repr(quick[1]) == repr(full[1]), path


def test_resolver_shortcut_answers_what_pyyaml_would():
    import yaml

    from portal import yamlfile

    loader = yamlfile._Loader("")
    for kind in (yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode):
        for value in ("", "no", "09:30", "0101", "text"):
            for implicit in ((True, False), (False, True), (False, False)):
                args = (kind, value if kind is yaml.ScalarNode else None, implicit)
                assert loader.resolve(*args) == yaml.resolver.BaseResolver.resolve(loader, *args)

"""Strict YAML reading for content files: YAML 1.2 scalars, YAML 1.1 traps refused.

PyYAML follows YAML 1.1, where an unquoted ``no`` is false, ``0101`` is 65 and
``09:30`` is 570. Editors never mean that, so plain scalars are read the YAML 1.2
way (only true/false are booleans, decimal integers, times stay text) and the
ambiguous spellings are refused with a message telling the editor to quote them.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError

_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$")
_BASE_PREFIX = re.compile(r"^[-+]?0[xXoObB][0-9a-fA-F_]+$")
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL_WORDS = frozenset("y Y yes Yes YES n N no No NO on On ON off Off OFF".split())   # YAML 1.1's other booleans
_NUMBER_START = frozenset("+-.0123456789")   # every number pattern above starts with one of these


class _Trap(Exception):
    """A spelling YAML 1.1 misreads; kept in place so the walk can name its key."""

    def __init__(self, value: str, mark: yaml.Mark, reason: str):
        super().__init__(reason)
        self.value, self.mark, self.reason = value, mark, reason


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml parses, Python types
    """A safe loader without YAML 1.1 implicit typing; scalars are typed by `_plain`."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        """Every untagged node gets its kind's default tag: what PyYAML's resolver answers once
        the implicit resolvers are gone (and there are no path resolvers), in one lookup."""
        return _DEFAULT_TAGS[kind]


_DEFAULT_TAGS = {yaml.ScalarNode: _Loader.DEFAULT_SCALAR_TAG, yaml.SequenceNode: _Loader.DEFAULT_SEQUENCE_TAG,
                 yaml.MappingNode: _Loader.DEFAULT_MAPPING_TAG}
# Drop every implicit resolver so that plain scalars arrive as strings; `_plain` types them.
_Loader.yaml_implicit_resolvers = {}


def _plain(loader: _Loader, node: yaml.ScalarNode) -> Any:
    return _typed(loader.construct_scalar(node), node)


def _typed(value: str, node: yaml.ScalarNode) -> Any:
    """A scalar's value the YAML 1.2 way; a YAML 1.1 trap comes back as a _Trap in its place."""
    if node.style:  # quoted or block scalar: always text (plain is None, or "" from libyaml)
        return value
    if value in _BOOL_WORDS:
        return _Trap(value, node.start_mark,
                    f"引用符のない「{value}」は YAML 1.1 では真偽値と読まれます。"
                    "真偽値なら true / false、文字なら \"" + value + "\" と引用符で囲んでください")
    number = value[:1] in _NUMBER_START   # most values are words: no pattern to try
    if number and (_LEADING_ZERO.match(value) or _BASE_PREFIX.match(value)):
        return _Trap(value, node.start_mark,
                    f"引用符のない「{value}」は数値として読み違えられます（0 で始まる数は 8 進数など）。"
                    f"\"{value}\" と引用符で囲んでください")
    if value in ("true", "false"):
        return value == "true"
    if _NULL.match(value):
        return None
    if number and _INT.match(value):
        return int(value)
    if number and _FLOAT.match(value):
        return float(value)
    return value


_Loader.add_constructor("tag:yaml.org,2002:str", _plain)


def _no_duplicates(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, yaml.Mark] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:   # `? [a, b]` or `? {a: 1}`: PyYAML would fail with a bare TypeError
            raise _Trap(str(key), key_node.start_mark, "項目名には文字を書いてください（一覧や対応表は項目名にできません）") from None
        if key in seen:
            raise _Trap(str(key), key_node.start_mark, f"項目「{key}」が2回書かれています")
        seen[key] = key_node.start_mark
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor("tag:yaml.org,2002:map", _no_duplicates)


class _Unusual(Exception):
    """The document needs the full constructor (explicit tags, aliases, duplicate or unhashable keys)."""


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"


def _quick(root: yaml.Node) -> tuple[Any, bool]:
    """The data of a composed document the way _Loader constructs it, and whether it holds a
    _Trap, without PyYAML's generic constructor machinery (which costs twice libyaml's parsing
    on a national build's 544 files).

    Only the plain shape content files have: strings, lists and mappings, each node used once.
    Anything else raises _Unusual, and load_yaml constructs the document the full way, so its
    data or its error is exactly what _Loader gives.
    """
    seen: set[int] = set()
    trapped = False

    def build(node: yaml.Node) -> Any:
        nonlocal trapped
        if id(node) in seen:
            raise _Unusual   # an alias: the full constructor shares the object
        seen.add(id(node))
        if node.tag == _STR and isinstance(node, yaml.ScalarNode):
            value = _typed(node.value, node)
            trapped = trapped or isinstance(value, _Trap)
            return value
        if node.tag == _SEQ and isinstance(node, yaml.SequenceNode):
            return [build(item) for item in node.value]
        if node.tag == _MAP and isinstance(node, yaml.MappingNode):
            data: dict[Any, Any] = {}
            for key_node, _ in node.value:
                key = build(key_node)
                try:
                    if key in data:
                        raise _Unusual   # a duplicate: _no_duplicates names it
                except TypeError:
                    raise _Unusual from None   # unhashable: _no_duplicates names it
                data[key] = None
            for (_, value_node), key in zip(node.value, list(data)):
                data[key] = build(value_node)
            return data
        raise _Unusual

    return build(root), trapped


def _find_trap(value: Any, key: str) -> tuple[str, _Trap] | None:
    if isinstance(value, _Trap):
        return key, value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in items:
        if isinstance(k, _Trap):
            return (f"{key}.{k.value}" if key else k.value), k
        found = _find_trap(v, f"{key}[{k}]" if isinstance(k, int) else f"{key}.{k}" if key else str(k))
        if found:
            return found
    return None


def load_yaml(path: Path) -> Any:
    """Read a content YAML file, raising ContentError (file, line, reason) on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(path, None, "ファイルがありません") from None
    except UnicodeDecodeError:
        raise ContentError(path, None, "UTF-8 で保存してください") from None
    return load_yaml_text(text, path)


def load_yaml_text(text: str, path: Path) -> Any:
    """load_yaml of a file's text already read (e.g. from a snapshot pack); `path` names it in messages."""
    try:
        node = yaml.compose(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
        try:
            data, trapped = (None, False) if node is None else _quick(node)
        except _Unusual:
            data, trapped = yaml.load(text, Loader=_Loader), True  # noqa: S506 - the full way, for its data or error
    except _Trap as trap:
        raise ContentError(path, f"{trap.mark.line + 1}行目", trap.reason) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 1}行目" if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(path, where, f"YAML として読めません（{problem}）") from None
    found = _find_trap(data, "") if trapped else None
    if found:
        key, trap = found
        raise ContentError(path, f"{key or '(最上位)'}（{trap.mark.line + 1}行目）", trap.reason)
    return data

"""新旧対照表: exactly the changed passages are marked."""
from portal.compare import compare, diff_text

OLD = """前文です。

## 第1条（目的）

目的の本文です。

## 第2条（利用料）

- （1）利用料は無料とします。
- （2）通信料は利用者の負担とします。

## 第3条（削除される条）

この条は削除されます。
"""

NEW = """前文です。

## 第1条（目的）

目的の本文です。

## 第2条（利用料）

- （1）利用料は有料とします。
- （2）通信料は利用者の負担とします。

## 第4条（追加される条）

この条は追加されます。
"""


def marked(lines):
    return ["".join(p.text for p in line if p.changed) for line in lines]


def test_only_changed_sections_are_listed():
    rows = compare(OLD, NEW)
    assert [(r.id, r.status) for r in rows] == [("article-2", "changed"), ("article-4", "added"),
                                               ("article-3", "removed")]


def test_exactly_the_changed_characters_are_marked():
    row = compare(OLD, NEW)[0]
    assert [m for m in marked(row.old) if m] == ["無"]
    assert [m for m in marked(row.new) if m] == ["有"]
    assert "".join(p.text for p in row.new[1]) == "（1）利用料は有料とします。"
    assert not any(p.changed for p in row.new[2])  # （2） untouched


def test_added_and_removed_sections_are_marked_whole():
    rows = {r.id: r for r in compare(OLD, NEW)}
    assert all(p.changed for line in rows["article-4"].new for p in line)
    assert rows["article-4"].old == ()
    assert all(p.changed for line in rows["article-3"].old for p in line)


def test_small_islands_fold_into_one_passage():
    old, new = diff_text("電話又はメールにて連絡", "電話のみにて連絡")
    assert marked(old) == ["又はメール"] and marked(new) == ["のみ"]


def test_identical_versions_have_no_rows():
    assert compare(OLD, OLD) == []

"""The build's peer: a Hugo project that builds the same pages from the same Markdown.

For every office the build writes its guide, its current terms, every terms version on file, a
新旧対照表 per version that replaces another, the 改訂履歴, the お知らせ list, one page per notice
and an Atom feed. The Hugo project gets the same expanded Markdown for the guide and every terms
version, and its own templates (one base layout with header, breadcrumbs and footer, a table of
contents on terms pages) for the other pages; their data (revision rows, notices, the rows of
each 新旧対照表) goes in as front matter, since Hugo has no terms model or diff of its own.
`page_count` says how many pages that is, so a benchmark can check both sides did equal work.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

from portal.offices import load_offices, load_site
from portal.publish.plan import TEMPLATES
from portal.publish.versions import history, notices

CONFIG = """baseURL = "http://127.0.0.1/"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
buildFuture = true
[mediaTypes."application/atom+xml"]
  suffixes = ["xml"]
[outputFormats.Atom]
  mediaType = "application/atom+xml"
  baseName = "feed"
"""

HEAD, FOOT = """<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }}</title>
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<a class="skip" href="#main">本文へ移動</a>
<header class="site-header">
<p class="site-name"><a href="/">{{ site.Title }}</a></p>
<nav aria-label="現在位置">
<ol class="breadcrumbs">
{{ range .Ancestors.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}<li><span aria-current="page">{{ .Title }}</span></li>
</ol>
</nav>
</header>
<main id="main">
""", """</main>
<footer class="site-footer">
<p>{{ site.Title }}</p>
<p><a href="/accessibility/">アクセシビリティ方針</a></p>
</footer>
</body>
</html>
"""

GUIDE = """{{ partial "head.html" . }}<article class="doc guide">
<h1>{{ .Title }}</h1>
<p class="office-name">{{ .Params.office }}</p>
<p class="booking-link"><a class="button" href="booking/">オンラインで予約を申し込む</a></p>
{{ .Content }}
</article>
<p class="next"><a href="terms/">利用規約を読む</a></p>
{{ partial "foot.html" . }}
"""

TERMS = """{{ partial "head.html" . }}<article class="doc terms">
<h1>{{ .Title }}</h1>
<p class="office-name">{{ .Params.office }}</p>
<p class="version">{{ .Params.label }}</p>
<nav class="toc" aria-labelledby="toc-h">
<h2 id="toc-h">目次</h2>
{{ .TableOfContents }}
</nav>
{{ .Content }}
<footer class="doc-footer">
<p class="revisions">{{ range $i, $r := .Params.revisions }}{{ if $i }}／{{ end }}<time datetime="{{ $r.iso }}">{{ $r.wareki }}</time>{{ $r.kind }}{{ end }}</p>
</footer>
</article>
<p class="next"><a href="{{ .Params.up }}">ご案内に戻る</a></p>
{{ partial "foot.html" . }}
"""

HISTORY = """{{ partial "head.html" . }}<h1>{{ .Title }}</h1>
<p class="office-name">{{ .Params.office }}</p>
{{ with .Params.rows }}<table class="history">
<caption>改訂履歴（新しい順）</caption>
<thead><tr><th scope="col">日付</th><th scope="col">内容</th><th scope="col">本文</th></tr></thead>
<tbody>
{{ range . }}<tr>
<td><time datetime="{{ .iso }}">{{ .wareki }}</time><br><span class="western">{{ .seireki }}</span></td>
<td>{{ .kind }}{{ with .summary }}<br><span class="summary">{{ . }}</span>{{ end }}</td>
<td>{{ with .version }}<a href="../../{{ .href }}">{{ .label }}の本文</a>{{ with .compare_href }}<br><a href="../../{{ . }}">新旧対照表</a>{{ end }}{{ else }}本文の掲載はありません{{ end }}</td>
</tr>
{{ end }}</tbody>
</table>
{{ else }}<p>改訂の記録はありません。</p>
{{ end }}<p class="next"><a href="../">現在の利用規約を読む</a> ／ <a href="../../notices/">お知らせ</a></p>
{{ partial "foot.html" . }}
"""

COMPARE_TABLE = """{{ range .Params.rows }}<table class="compare">
<caption>{{ .heading }}</caption>
<thead><tr><th scope="col">改正後</th><th scope="col">改正前</th></tr></thead>
<tbody><tr>
<td>{{ range .new }}<p>{{ range . }}{{ if .changed }}<ins>{{ .text }}</ins>{{ else }}{{ .text }}{{ end }}{{ end }}</p>{{ end }}</td>
<td>{{ range .old }}<p>{{ range . }}{{ if .changed }}<del>{{ .text }}</del>{{ else }}{{ .text }}{{ end }}{{ end }}</p>{{ end }}</td>
</tr></tbody>
</table>
{{ else }}<p>本文に変更はありません。</p>
{{ end }}"""

COMPARE = '{{ partial "head.html" . }}<h1>{{ .Title }}</h1>\n<p class="office-name">{{ .Params.office }}</p>\n' \
          + COMPARE_TABLE + '<p class="next"><a href="../../history/">改訂履歴に戻る</a></p>\n{{ partial "foot.html" . }}\n'

NOTICE = '{{ partial "head.html" . }}<article>\n<h1>{{ .Title }}</h1>\n<p class="office-name">{{ .Params.office }}</p>\n' \
         '<p>{{ .Params.summary }}</p>\n<h2>新旧対照表</h2>\n' + COMPARE_TABLE \
         + '</article>\n<p class="next"><a href="../">お知らせの一覧に戻る</a></p>\n{{ partial "foot.html" . }}\n'

NOTICES = """{{ partial "head.html" . }}<h1>{{ .Title }}</h1>
<p class="office-name">{{ .Params.office }}</p>
{{ with .Pages }}<ul class="notice-list">
{{ range . }}<li><time datetime="{{ .Params.announced }}">{{ .Params.announced }}</time> <a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul>
{{ else }}<p>現在、お知らせはありません。</p>
{{ end }}<p><a href="feed.xml">お知らせの Atom フィード</a></p>
{{ partial "foot.html" . }}
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja">
<id>tag:madoguchi,2024:{{ .Params.slug }}/notices</id>
<title>{{ .Params.office }} お知らせ</title>
<updated>{{ .Params.updated }}T00:00:00+09:00</updated>
<link rel="self" href="feed.xml"/>
<link rel="alternate" type="text/html" href="./"/>
<author><name>{{ .Params.office }}</name></author>
{{ range .Pages }}<entry>
<id>tag:madoguchi,2024:{{ .Params.key }}</id>
<title>{{ .Title }}</title>
<updated>{{ .Params.announced }}T00:00:00+09:00</updated>
<link rel="alternate" type="text/html" href="{{ .RelPermalink }}"/>
<summary>{{ .Params.summary }}</summary>
</entry>
{{ end }}</feed>
"""

LAYOUTS = {"guide.html": GUIDE, "terms.html": TERMS, "history.html": HISTORY,
           "compare.html": COMPARE, "notice.html": NOTICE, "notices.html": NOTICES, "notices.atom.xml": ATOM,
           "single.html": GUIDE, "list.html": GUIDE}


def _plain(value: object) -> object:
    """Front-matter data: dataclasses as dicts, dates as ISO text."""
    if dataclasses.is_dataclass(value):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def _page(path: Path, params: dict, body: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_plain(params), ensure_ascii=False) + "\n\n" + body, encoding="utf-8")


def hugo_site(content: Path, folder: Path, today: dt.date | None = None) -> tuple[Path, int]:
    """Write the Hugo project for `content` into `folder`; returns it and the number of pages it builds."""
    (folder / "layouts/_default").mkdir(parents=True)
    (folder / "layouts/partials").mkdir()
    (folder / "layouts/partials/head.html").write_text(HEAD, encoding="utf-8")
    (folder / "layouts/partials/foot.html").write_text(FOOT, encoding="utf-8")
    for name, text in LAYOUTS.items():
        (folder / "layouts/_default" / name).write_text(text, encoding="utf-8")
    (folder / "layouts/index.html").write_text(GUIDE.replace(".Content", "range .Pages }}<p><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></p>{{ end"), encoding="utf-8")
    site = load_site(content)
    (folder / "hugo.toml").write_text(f"title = {json.dumps(site.title, ensure_ascii=False)}\n" + CONFIG, encoding="utf-8")
    (folder / "static/assets").mkdir(parents=True)   # the stylesheets, copied like the build copies them
    for sheet in sorted((TEMPLATES / "assets").glob("*.css")):
        shutil.copy(sheet, folder / "static/assets" / sheet.name)
    _page(folder / "content/accessibility.md", {"title": "アクセシビリティ方針", "layout": "guide"}, "（方針の本文）\n")
    pages = 2   # the front page and the accessibility policy
    for office in load_offices(content, today=today):
        top, name = folder / "content" / office.slug, office.name
        revisions = [{"iso": r.date.isoformat(), "wareki": r.date.isoformat(), "kind": r.kind}
                     for r in office.config.terms.revisions]
        _page(top / "_index.md", {"title": office.guide.title, "office": name, "layout": "guide"},
              office.guide.markdown)
        _page(top / "terms/_index.md", {"title": office.current.doc.title, "office": name, "layout": "terms",
                                        "label": office.current.label, "revisions": revisions, "up": "../"},
              office.current.doc.markdown)
        _page(top / "terms/history/index.md", {"title": "改訂履歴", "office": name, "layout": "history",
                                               "rows": history(office)})
        pages += 3
        for version in office.versions:
            _page(top / "terms" / version.key / "_index.md",
                  {"title": f"{version.doc.title}（{version.label}）", "office": name, "layout": "terms",
                   "label": version.label, "revisions": revisions, "up": "../../"}, version.doc.markdown)
            pages += 1
        items = notices(office)
        for notice in items:
            rows = {"office": name, "rows": notice.rows}
            _page(top / "terms" / notice.key / "compare/index.md", {"title": "新旧対照表", "layout": "compare", **rows})
            _page(top / "notices" / notice.key / "index.md",
                  {"title": notice.title, "layout": "notice", "key": f"{office.slug}/terms/{notice.key}",
                   "announced": notice.published_iso, "summary": notice.summary or "", **rows})
            pages += 2
        dates = [n.published_iso for n in items] + [r["iso"] for r in revisions] or ["2000-01-01"]
        _page(top / "notices/_index.md", {"title": "お知らせ", "office": name, "layout": "notices",
                                          "slug": office.slug, "updated": max(dates), "outputs": ["html", "atom"]})
        pages += 2
    return folder, pages

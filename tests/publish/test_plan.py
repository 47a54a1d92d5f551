"""BuildPlan: each build.py option sets one field, and no option means the documented default."""
from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

from portal.publish.cli import parser, plan_from
from portal.publish.plan import DEFAULT_MARKDOWN_CACHE, DEFAULT_PDF_CACHE, ROOT, TEMPLATES, BuildPlan, tokyo_today


def test_no_option_gives_the_defaults():
    before = tokyo_today()
    plan = plan_from(parser().parse_args([]))
    assert plan == BuildPlan(ROOT / "content", ROOT / "site", (), TEMPLATES, plan.today)
    assert plan.pdf and plan.incremental and plan.publish and plan.pdf_cache == DEFAULT_PDF_CACHE
    assert plan.markdown_cache == DEFAULT_MARKDOWN_CACHE
    assert before <= plan.today <= tokyo_today()   # today in Japan


def test_every_option_sets_its_field(tmp_path):
    args = ["--content", str(tmp_path / "c"), "--out", str(tmp_path / "o"), "--office", "a", "--office", "b",
            "--no-pdf", "--no-incremental", "--pdf-cache", str(tmp_path / "cache"), "--today", "2027-04-01",
            "--preview", "--markdown-cache", str(tmp_path / "md"), "--content-cache", str(tmp_path / "loaded"), "-q"]
    plan = plan_from(parser().parse_args(args))
    assert plan == BuildPlan(tmp_path / "c", tmp_path / "o", ("a", "b"), TEMPLATES, dt.date(2027, 4, 1),
                             pdf=False, pdf_cache=tmp_path / "cache", incremental=False, publish=False,
                             markdown_cache=tmp_path / "md", content_cache=tmp_path / "loaded")


def test_a_plan_crosses_to_worker_processes():
    plan = BuildPlan(Path("content"), Path("site"), today=dt.date(2026, 11, 24))
    assert pickle.loads(pickle.dumps(plan)) == plan

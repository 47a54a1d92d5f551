"""current_terms: the one function deciding which terms version a consent is pinned to."""
from __future__ import annotations

import datetime
import hashlib

import pytest

from portal.offices import load_offices
from portal.web.consent import current_terms

from .conftest import ROOT

NOW = datetime.datetime(2026, 5, 1, 1, 0, tzinfo=datetime.timezone.utc)
OFFICES = {o.slug: o for o in load_offices(ROOT / "content")}


@pytest.mark.parametrize(("slug", "label"), [("abashiri", "初版"), ("mothers-hiroshima", "令和7年10月17日一部改訂")])
def test_current_terms_is_pinned_to_the_canonical_text(slug, label):
    terms = current_terms(OFFICES[slug], NOW)
    assert terms.revision_label == label
    assert terms.sha256 == hashlib.sha256(terms.text.encode("utf-8")).hexdigest()
    assert terms.title in terms.text
    assert terms.statement == f"「{terms.title}」（{label}）を読み、その内容に同意します。"


def test_memo_remembers_each_version_once_and_changes_nothing():
    memo: dict = {}
    office = OFFICES["mothers-hiroshima"]
    first = current_terms(office, NOW, memo)
    assert current_terms(office, NOW, memo) is first
    assert first == current_terms(office, NOW)
    assert list(memo) == [(office.slug, office.version_at(NOW.date()).key)]

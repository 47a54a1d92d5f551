"""Every query parameter and path part of the staff pages: a Japanese answer, never a 5xx
(issue 14: far dates overflowed to a 500, NUL reached PostgreSQL)."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..conftest import soup

PAGES = {"/staff/abashiri/": ("status", "date", "q", "page"), "/staff/abashiri/schedule": ("date",),
         "/staff/abashiri/export.csv": ("from", "to"), "/staff/abashiri/audit": ("x",),
         "/staff/login": ("next",), "/staff/": ("x",)}
VALUES = st.one_of(st.text(max_size=30), st.dates().map(lambda d: d.isoformat()),
                   st.integers().map(str), st.sampled_from(["0001-01-01", "9999-12-31", "\x00", "2026-05-07"]))


@pytest.mark.parametrize(("url", "arg"), [
    ("/staff/abashiri/?date=9999-12-31", "9999"), ("/staff/abashiri/schedule?date=0001-01-01", "0001"),
    ("/staff/abashiri/schedule?date=9999-12-31", "9999"), ("/staff/abashiri/export.csv?from=9999-12-31", "9999"),
    ("/staff/abashiri/export.csv?to=0001-01-01", "0001"),
])
def test_far_dates_are_refused_in_japanese(aki, url, arg):
    response = aki.get(url, follow_redirects=True)
    assert response.status_code == 200
    notices = [n.get_text(strip=True) for n in soup(response).select(".notice--error")]
    assert any("1900年から2999年" in n for n in notices), notices


@pytest.mark.parametrize("url", ["/staff/abashiri/?q=%00", "/staff/abashiri/?status=%00", "/staff/login?next=%00",
                                 "/staff/abashiri/requests/AB%00C", "/staff/abashiri/terms/%00"])
def test_control_characters_give_the_japanese_400(aki, url):
    response = aki.get(url)
    assert response.status_code == 400
    assert "送信内容を受け付けられませんでした" in soup(response).h1.get_text()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page=st.sampled_from(sorted(PAGES)), values=st.lists(VALUES, min_size=4, max_size=4),
       part=st.text(max_size=20))
def test_no_staff_get_parameter_gives_a_5xx(aki, page, values, part):
    query = dict(zip(PAGES[page], values))
    assert aki.get(page, query_string=query).status_code < 500
    for pattern in ("/staff/abashiri/requests/{}", "/staff/abashiri/terms/{}", "/staff/{}/"):
        assert aki.get(pattern.format(quote(part, safe=""))).status_code < 500

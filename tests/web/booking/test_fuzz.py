"""Hypothesis-generated form bodies never give a 5xx, and never store an invalid request."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..conftest import VALID, Seeker

FIELDS = [*VALID, "companions", "terms_sha256", "edit", "csrf_token", "q_registered", "unknown"]
text = st.one_of(st.text(max_size=60), st.sampled_from(["", "y", "yes", "no", "2026-05-07T09:30",
                                                        "０１２３４－１２３４５６７８", "\x00", "<b>", "9" * 500]))
bodies = st.lists(st.tuples(st.sampled_from(FIELDS), text), max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, valid_base=st.booleans(), url=st.sampled_from(["request", "submit", "eligibility"]))
def test_generated_bodies_never_give_5xx(app, body, valid_base, url):
    seeker = Seeker(app.test_client(), "abashiri")
    seeker.pass_eligibility()
    data = seeker.fill() if valid_base else seeker.fill(**{k: None for k in VALID})
    token = data.get("csrf_token")
    for key, value in body:
        if key == "csrf_token":
            continue
        data.setlist(key, [value]) if key in VALID else data.add(key, value)
    if valid_base or len(body) % 2:
        data["csrf_token"] = token
    response = seeker.client.post(f"/abashiri/booking/{url}", data=data)
    assert response.status_code < 500, response.status_code
    assert response.status_code in (200, 302, 400)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=400), ctype=st.sampled_from([
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", "application/json"]))
def test_raw_bodies_never_give_5xx(app, raw, ctype):
    seeker = Seeker(app.test_client(), "abashiri")
    seeker.pass_eligibility()
    token = seeker.fill()["csrf_token"]  # sent as a header, so the body may be anything
    for url in ("request", "submit"):
        response = seeker.client.post(f"/abashiri/booking/{url}", data=raw,
                                      headers={"Content-Type": ctype, "X-CSRFToken": token})
        assert response.status_code < 500

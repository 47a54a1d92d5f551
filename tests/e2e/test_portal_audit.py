"""Every page state of the portal, seekers' and staff's, error states included: no axe-core
WCAG 2.1 A/AA violation, and the HTML exactly as served is valid (vnu).

One walk per office visits each state once, then the staff console; the HTML of each response
is saved for vnu.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from .conftest import ONLINE_OFFICE, STAFF_PASSWORD, vnu
from .steps import answer_all, choose_slot, fill_valid, navigate

pytestmark = pytest.mark.e2e

OFFICES = ("abashiri", "mothers-hiroshima")
SUBMIT = "button[type=submit]:not([name])"


@dataclass(frozen=True)
class State:
    name: str
    url: str
    status: int
    violations: tuple[str, ...]


class Walk:
    """Visits page states in the audit tab; records each one's status, HTML and axe result."""

    def __init__(self, portal, auditor) -> None:
        self.portal, self.auditor, self.page = portal, auditor, auditor.page
        self.states: list[State] = []
        self.references: dict[str, str] = {}

    def record(self, name: str, response) -> None:
        self.portal.save_html(name, self.page.url, response.text())
        self.states.append(State(name, self.page.url, response.status, tuple(self.auditor.violations())))

    def goto(self, name: str, url: str) -> None:
        self.record(name, self.page.goto(url))

    def submit(self, name: str, selector: str = SUBMIT) -> None:
        self.record(name, navigate(self.page, lambda: self.page.click(selector)))

    def office(self, slug: str) -> None:
        page = self.page
        page.context.clear_cookies()
        self.goto(f"{slug} start", f"/{slug}/booking/")
        self.submit(f"{slug} eligibility", "a.button")
        self.submit(f"{slug} eligibility: nothing answered")
        answer_all(page, "yes")
        page.locator("input[type=radio][value=no]").first.check()
        self.submit(f"{slug} not eligible")
        page.goto(f"/{slug}/booking/eligibility")
        answer_all(page, "yes")
        self.submit(f"{slug} request form")
        self.submit(f"{slug} request form: nothing filled in")
        page.fill("#name", "網走<花子>")
        page.fill("#kana", "あばしり はなこ")
        page.fill("#seeker_number", "1234-567")
        page.fill("#phone", "12")
        if page.locator("#email").count():
            page.fill("#email", "hanako@")
        choose_slot(page, "slot1")
        choose_slot(page, "slot2")
        page.locator("input[name=companions]").first.check()  # a companion, but no note
        self.submit(f"{slug} request form: invalid answers")
        page.goto(f"/{slug}/booking/request")
        fill_valid(page)
        self.submit(f"{slug} check answers")
        self.submit(f"{slug} request form: editing", "button[name=edit]")
        self.submit(f"{slug} check answers again")
        self.submit(f"{slug} done")
        self.references[slug] = page.locator(".reference").inner_text().strip()
        link = page.locator(".private-link a").get_attribute("href")
        self.goto(f"{slug} private page", link)
        self.goto(f"{slug} private link unknown", f"/{slug}/booking/status?key={'A' * 32}")
        self.goto(f"{slug} find", f"/{slug}/booking/find")
        self.submit(f"{slug} find: nothing filled in", "main button[type=submit]")
        page.fill("#reference", "CCCC-CCCC")
        page.fill("#number", "01234-12345678")
        self.submit(f"{slug} find: not found", "main button[type=submit]")
        page.fill("#reference", self.references[slug])
        page.fill("#number", "090-1234-5678")
        self.submit(f"{slug} find: found", "main button[type=submit]")
        page.goto(f"/{slug}/booking/request")   # Back to the form, sent again: the same request
        fill_valid(page)
        self.submit(f"{slug} check answers: already made")
        page.goto(f"/{slug}/booking/request")
        fill_valid(page)
        page.evaluate("() => { document.querySelector('[name=terms_sha256]').value = '0'.repeat(64); }")
        self.submit(f"{slug} request form: terms changed meanwhile")

    def staff(self, username: str, slug: str) -> None:
        page, ref = self.page, self.references[slug]
        page.context.clear_cookies()
        self.goto("staff login", "/staff/login")
        self.submit("staff login: nothing filled in")
        page.fill("#username", username)
        page.fill("#password", "wrong password")
        self.submit("staff login: wrong password")
        page.fill("#password", STAFF_PASSWORD)
        self.submit("staff home")
        self.goto("staff queue", f"/staff/{slug}/")
        self.goto("staff queue: nothing found", f"/staff/{slug}/?status=cancelled")
        self.goto("staff request", f"/staff/{slug}/requests/{ref}")
        page.select_option("#slot", index=1)
        self.submit("staff request: confirmed", 'form[action$="/confirm"] button')
        self.submit("staff request: action refused", 'form[action$="/cancel"] button')
        page.locator('form[action$="/cancel"] input[name=channel]').first.check()
        self.submit("staff request: cancel asks first", 'form[action$="/cancel"] button')
        self.goto("staff request", f"/staff/{slug}/requests/{ref}")
        self.submit("staff consented terms", 'a[href*="/terms/"]')
        self.goto("staff week", f"/staff/{slug}/week?date=2026-05-07")
        self.goto("staff new booking", f"/staff/{slug}/new")
        self.submit("staff new booking: nothing filled in", "main form button[type=submit]:text('予約を登録する')")
        page.locator("input[name=channel]").first.check()
        page.select_option("#slot", index=2)
        for name, value in (("name", "電話 一郎"), ("kana", "デンワ イチロウ"), ("seeker_number", "12345-12345678"),
                            ("phone", "090-2222-3333")):
            page.fill(f"#{name}", value)
        page.locator("input[name=consent_method]").first.check()
        page.check("#consent")
        self.submit("staff new booking: registered", "main form button[type=submit]:text('予約を登録する')")
        page.locator('form[action$="/cancel"] input[name=channel]').first.check()
        page.click('form[action$="/cancel"] button')
        page.wait_for_load_state()
        self.submit("staff request: cancelled, undo offered", "form:has(input[name=confirmed]) button")
        self.goto("staff schedule", f"/staff/{slug}/schedule?date=2026-05-07")
        self.goto("staff schedule: today", f"/staff/{slug}/schedule")
        self.goto("staff schedule: closed day", f"/staff/{slug}/schedule?date=2026-05-03")
        self.goto("staff audit log", f"/staff/{slug}/audit")
        self.goto("staff audit log: filtered", f"/staff/{slug}/audit?date=2026-05-01&user={username}")
        self.goto("staff audit log: bad filter", f"/staff/{slug}/audit?date=2026-02-30&user=nobody")
        self.goto("staff accounts", f"/staff/{slug}/accounts")
        self.submit("staff accounts: nothing filled in", 'form[aria-labelledby="add-title"] button')
        self.goto("staff account", f"/staff/{slug}/accounts/aki")
        self.submit("staff account: reset refused", 'form[action$="/reset"] button')
        self.goto("staff account: own", f"/staff/{slug}/accounts/{username}")
        self.goto("staff password", "/staff/password")
        self.submit("staff password: nothing filled in", "main form[novalidate] button")
        other = next(o for o in OFFICES if o != slug)
        self.goto("staff 403 other office", f"/staff/{other}/")
        page.goto("/staff/")
        self.submit("staff logged out", 'form[action="/staff/logout"] button')

    def online(self, online) -> None:
        """The seeker's pages of an office taking online cancellations (another portal)."""
        page, base = self.page, online.url
        page.context.clear_cookies()
        page.goto(f"{base}/{ONLINE_OFFICE}/booking/eligibility")
        answer_all(page, "yes")
        navigate(page, lambda: page.click("button[type=submit]"))
        fill_valid(page, 2)
        navigate(page, lambda: page.click(SUBMIT))
        self.submit("online done", SUBMIT)
        link = page.locator(".private-link a").get_attribute("href")
        self.goto("online private page: cancel offered", link)
        self.submit("online cancel: asks first", 'main a[href*="/status/cancel"]')
        self.submit("online cancelled", "main button[type=submit]")
        # The button of a page left open elsewhere, pressed after the request was cancelled.
        page.goto(f"{base}/{ONLINE_OFFICE}/booking/find")
        page.evaluate("""k => { const f = document.querySelector('main form'); f.action = 'status/cancel';
            const i = document.createElement('input'); i.type = 'hidden'; i.name = 'key'; i.value = k;
            f.appendChild(i); }""", link.split("key=", 1)[1])
        self.submit("online cancel again: refused", "main button[type=submit]")

    def errors(self) -> None:
        self.goto("404 site", "/no-such-page/")
        self.goto("404 office", "/no-such-office/booking/")
        self.goto("405", "/abashiri/booking/submit")
        self.page.goto("/abashiri/booking/eligibility")
        self.page.evaluate("() => { document.querySelector('[name=csrf_token]').value = 'forged'; }")
        self.submit("400 forged form")


@pytest.fixture(scope="module")
def states(portal, online_portal, auditor, staff) -> list[State]:
    walk = Walk(portal, auditor)
    for slug in OFFICES:
        walk.office(slug)
    walk.staff("kanri", "abashiri")
    walk.online(online_portal)
    walk.errors()
    return walk.states


def test_walk_reached_every_state(states):
    by_name = {s.name: s for s in states}
    for slug in OFFICES:
        assert "/not-eligible/" in by_name[f"{slug} not eligible"].url
        assert by_name[f"{slug} done"].url.endswith(f"/{slug}/booking/done")
        for name in ("eligibility: nothing answered", "request form: nothing filled in",
                     "request form: invalid answers", "request form: terms changed meanwhile"):
            assert by_name[f"{slug} {name}"].status == 200
        assert by_name[f"{slug} private page"].status == by_name[f"{slug} find: found"].status == 200
        assert by_name[f"{slug} private link unknown"].status == 404
        assert by_name[f"{slug} check answers: already made"].url.endswith(f"/{slug}/booking/done")
    assert [by_name[n].status for n in ("online cancel: asks first", "online cancelled",
                                        "online cancel again: refused")] == [200, 200, 409]
    assert [by_name[n].status for n in ("404 site", "404 office", "405", "400 forged form")] == [404, 404, 405, 400]
    assert by_name["staff home"].url.endswith("/staff/")
    assert by_name["staff request: confirmed"].url == by_name["staff request"].url
    assert "/terms/" in by_name["staff consented terms"].url
    assert by_name["staff 403 other office"].status == 403
    assert by_name["staff account: reset refused"].url == by_name["staff account"].url
    assert [by_name[n].status for n in ("staff accounts: nothing filled in", "staff password: nothing filled in")] \
        == [200, 200]
    assert by_name["staff logged out"].url.endswith("/staff/login")


def test_every_portal_state_passes_axe(states):
    problems = [f"{s.name} ({s.url}): {v}" for s in states for v in s.violations]
    assert not problems, "\n".join(problems)


def test_every_portal_page_is_valid_html(portal, states):
    files = sorted(portal.pages_dir.glob("*.html"))
    assert len(files) == len(states)
    errors = vnu(files)
    assert not errors, "\n".join(f"{portal.saved.get(n.rsplit('/', 1)[-1], n)}: {m}"
                                 for n, ms in errors.items() for m in ms)

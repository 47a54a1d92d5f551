"""A seeker's online cancellation as staff see it: the queue, the request's history, the audit
log, and undo (the same cancellation the console makes, with channel online and no staff)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ..conftest import Seeker, soup
from .conftest import FIRST_SLOT, StaffClient, add_staff, audit_rows, request_row


@pytest.fixture
def online_staff_app(make_app, content):
    path = content / "abashiri" / "office.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("channels: [phone, email]\n",
                                                             "channels: [phone, email, online]\n", 1), encoding="utf-8")
    app = make_app(CONTENT_DIR=str(content), STAFF_ARGON2_MEMORY_KIB=1024, STAFF_RATELIMIT_LOGIN="1000 per minute",
                   STAFF_MFA_REQUIRED="none")
    add_staff(app, "aki", "abashiri:office_admin")
    return app


def test_staff_see_an_online_cancellation_and_can_undo_it(online_staff_app):
    app = online_staff_app
    seeker = Seeker(app.test_client(), "abashiri")
    seeker.book(slot1=FIRST_SLOT["abashiri"])
    done = soup(seeker.client.get("/abashiri/booking/done"))
    reference = done.select_one(".reference").get_text()
    link = urlsplit(done.select_one(".private-link a")["href"])
    aki = StaffClient(app)
    aki.login("aki")
    aki.act("abashiri", reference, "confirm", slot=FIRST_SLOT["abashiri"])

    step = soup(seeker.client.get(f"{link.path}/cancel?{link.query}"))
    data = {i["name"]: i["value"] for i in step.find("form", {"action": "cancel"}).find_all("input")}
    assert seeker.client.post(f"{link.path}/cancel", data=data).status_code == 302

    queue = soup(aki.get("/staff/abashiri/?status=cancelled"))
    assert queue.find("a", string=reference)
    detail = soup(aki.get(f"/staff/abashiri/requests/{reference}")).get_text()
    assert "キャンセル" in detail and "オンライン" in detail
    assert (None, "abashiri", "request_cancel", request_row(app, reference).id, "online") in audit_rows(app)
    # Staff can take it back the same day, as any cancellation: the place is taken again.
    assert any("取り消しました" in m for m in aki.act("abashiri", reference, "undo"))
    assert request_row(app, reference).status == "confirmed"

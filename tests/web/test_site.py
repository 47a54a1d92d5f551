"""The built static site served by the portal at `/`, with the guide linking to the booking flow."""
from __future__ import annotations

import pytest

from portal.publish.build import build
from tests.content_offices import office_slugs

from .conftest import ROOT, soup


@pytest.fixture
def built(make_app, tmp_path):
    """An app serving a fresh build of the real content."""
    out = tmp_path / "site"
    build(ROOT / "content", out, publish=False)   # a test never writes terms-lock.json into content/
    return make_app(SITE_DIR=str(out))


@pytest.mark.parametrize("slug", office_slugs())   # every office in content/
def test_guide_links_to_the_booking_flow(built, slug):
    client = built.test_client()
    guide = soup(client.get(f"/{slug}/"))
    link = guide.find("a", string="オンラインで予約を申し込む")
    assert link["href"] == "booking/"
    assert client.get(f"/{slug}/booking/").status_code == 200


def test_site_pages_and_assets(built):
    client = built.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/abashiri").status_code == 308
    assert client.get("/abashiri/terms/").status_code == 200
    css = client.get("/assets/portal.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert client.get("/missing/").status_code == 404
    assert client.get("/../pyproject.toml").status_code == 404
    assert client.get("/%2e%2e/pyproject.toml").status_code == 404
    for nul in ("/%00", "/abashiri/%00/", "/staff/%2F%00/"):   # no file name holds NUL: never a 500
        assert client.get(nul).status_code in (400, 404)


@pytest.mark.parametrize("path", ["/.madoguchi-site", "/abashiri/.madoguchi-site", "/.git/config",
                                  "/%2emadoguchi-site", "/abashiri/../.madoguchi-site"])
def test_no_dotfile_of_the_built_site_is_served(make_app, tmp_path, path):
    site = tmp_path / "site"
    (site / "abashiri").mkdir(parents=True)
    (site / ".git").mkdir()
    for name in (".madoguchi-site", "abashiri/.madoguchi-site", ".git/config"):
        (site / name).write_text("manifest-canary", encoding="utf-8")
    (site / "index.html").write_text("<p>top</p>", encoding="utf-8")
    client = make_app(SITE_DIR=str(site)).test_client()
    assert client.get("/").status_code == 200
    response = client.get(path)
    assert response.status_code == 404 and b"manifest-canary" not in response.data

"""Draft or release: the facts a published site cannot do without, and what is missing.

A build without them stays usable (a fresh clone builds and serves), but is a draft: its pages
carry a banner and its leaflets a 見本 stamp. A release build (build.py --release, or site.yaml
`release: true`) refuses instead, with one line per missing fact. Pure: the loaded content only.
"""
from __future__ import annotations

from pathlib import Path

from .errors import ContentError
from .folders import OFFICE_FILE
from .offices import Office
from .schema import SiteConfig

DRAFT_STAMP = "見本"


_SITE_FACTS = {"public_url": "公開する予約ページのアドレスが設定されていません"
                            "（リーフレットの QR コードが http://127.0.0.1:8000/ を指します）"}


def _site_lacks(site: SiteConfig) -> list[str]:
    """The keys of site.yaml a release needs and it lacks."""
    return [key for key in _SITE_FACTS if not getattr(site, key)]


def site_missing(site: SiteConfig, path: Path) -> list[ContentError]:
    """What site.yaml (at `path`) lacks for a release: the public address printed on leaflets."""
    return [ContentError(path, key, _SITE_FACTS[key]) for key in _site_lacks(site)]


def office_missing(office: Office) -> list[ContentError]:
    """The facts a channel the office promises needs but office.yaml does not give."""
    c = office.config
    channels = {*c.booking.request_channels, *c.cancellation.channels, *(c.cancellation.same_day_channels or ())}
    path = office.folder / OFFICE_FILE
    found = []
    if ("phone" in channels or c.booking.details_channel == "phone") and not c.office.phone:
        found.append(ContentError(path, "office.phone", "電話での申込み・連絡を案内していますが、電話番号が書かれていません"))
    if ("email" in channels or c.booking.details_channel == "email") and not c.office.email:
        found.append(ContentError(path, "office.email", "メールでの申込み・連絡を案内していますが、アドレスが書かれていません"))
    if "counter" in channels and not c.office.address:
        found.append(ContentError(path, "office.address", "窓口での申込み・連絡を案内していますが、所在地が書かれていません"))
    return found


def office_draft(site: SiteConfig, office: Office) -> str | None:
    """The draft banner of an office's pages, site and portal alike (None when ready to publish)."""
    # The keys only: no messages (each names its file, a path resolved per office of a national build).
    return _banner(_site_lacks(site) + [str(e.key) for e in office_missing(office)])


def draft_banner(missing: list[ContentError]) -> str | None:
    """The banner a draft page carries, naming what is missing (None for a page ready to publish)."""
    return _banner([str(e.key) for e in missing])


def _banner(missing: list[str]) -> str | None:
    if not missing:
        return None
    keys = "、".join(dict.fromkeys(missing))
    return (f"{DRAFT_STAMP}：このページは公開前の見本です。次の情報が設定されていません：{keys}。"
            "ここに書かれた連絡先や予約ページのアドレスは使えない場合があります。")

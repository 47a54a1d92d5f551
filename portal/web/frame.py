"""The frame every portal page shares (title, breadcrumbs, footer) and the form error summary.

The booking flow, the staff console and the error pages all print this frame, with the same look
as the static site; Python phrases it, templates only print.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from wtforms import Field, Form

from ..offices import Office
from ..publish.context import FOOTER, Crumb


@dataclass(frozen=True)
class Page:
    """The frame of a portal page (same look as the static site)."""
    title: str
    site_title: str
    breadcrumbs: tuple[Crumb, ...]
    footer: str = FOOTER
    root: str = "/"     # links to the built site and its assets (the portal serves it at /)
    draft: str | None = None   # the banner while the office's facts are not ready (portal.release)


def page(office: Office | None, title: str, site_title: str, draft: str | None = None) -> Page:
    """A page of office's booking flow (or a site-level page when office is None); `draft` is the
    banner of a draft (portal.release.office_draft)."""
    crumbs = [Crumb("トップ", "/")]
    if office is not None:
        crumbs += [Crumb(office.name, f"/{office.slug}/"), Crumb("オンライン予約", f"/{office.slug}/booking/")]
    crumbs.append(Crumb(title, None))
    suffix = f"｜{office.name}" if office is not None else ""
    return Page(title + suffix, site_title, tuple(crumbs), draft=draft)


def staff_page(title: str, site_title: str, crumbs: Iterable[Crumb], office: Office | None = None) -> Page:
    """A page of the staff console: the title says whose office it is and that it is for staff."""
    suffix = f"｜{office.name}" if office else ""
    return Page(title + suffix + "（職員用）", site_title, (*crumbs, Crumb(title, None)))


@dataclass(frozen=True)
class ErrorLink:
    """One entry of the error summary, linking to its field."""
    field_id: str
    message: str


def error_list(form: Form) -> list[ErrorLink]:
    """The form's errors in field order, for the error summary at the top of the page."""
    out = []
    for field in form:
        for message in field.errors if isinstance(field.errors, list) else []:
            out.append(ErrorLink(_first_input_id(field), message))
    return out


def _first_input_id(field: Field) -> str:
    # Radio and checkbox groups: link to their first option (the group itself has no input).
    if field.name.startswith("q_") or field.name in ("companions", "channel", "consent_method", "role"):
        return f"{field.id}-0"
    return field.id

"""The office.yaml schema: every fact and rule an office's texts state, written once.

Each key has a default where a sensible one exists and a one-line description
(shown in the README's key table, which a test keeps complete).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field,
                      StrictBool, StrictInt, StrictStr, model_validator)

from .eras import WEEKDAY_NAMES, WEEKDAYS

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Channel = Literal["phone", "email", "counter", "online"]
Companion = Literal["family", "interpreter", "caregiver"]
RevisionKind = Literal["制定", "一部改訂", "全部改正"]


def _time_of_day(value: object) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        raise ValueError(f"「{value}」は時刻ではありません。\"09:30\" のように HH:MM で書いてください")
    hour, minute = (int(part) for part in value.strip().split(":"))
    if hour > 23 or minute > 59:
        raise ValueError(f"「{value}」はありえない時刻です（00:00～23:59）")
    return dt.time(hour, minute)


def _iso_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"「{value}」は日付ではありません。2025-10-17 のように YYYY-MM-DD で書いてください") from None


def _nonblank(value: str) -> str:
    if not value.strip():
        raise ValueError("空にはできません")
    return value.strip()


def _phone(value: str) -> str:
    if not re.fullmatch(r"[0-9０-９]{2,5}[-‐－ー]?[0-9０-９]{1,4}[-‐－ー]?[0-9０-９]{3,4}", value.strip()):
        raise ValueError(f"「{value}」は電話番号の形ではありません（例: \"0152-44-6287\"）")
    return value.strip()


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value.strip()):
        raise ValueError(f"「{value}」はメールアドレスの形ではありません")
    return value.strip()


TimeOfDay = Annotated[dt.time, BeforeValidator(_time_of_day)]
Date = Annotated[dt.date, BeforeValidator(_iso_date)]
Text = Annotated[StrictStr, AfterValidator(_nonblank)]
Phone = Annotated[StrictStr, AfterValidator(_phone)]
Email = Annotated[StrictStr, AfterValidator(_email)]
Slug = Annotated[StrictStr, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OfficeInfo(_Strict):
    name: Text = Field(description="Office name as the texts write it, e.g. ハローワーク網走")
    issuer: Text | None = Field(None, description="Signature under the terms, e.g. 広島公共職業安定所長")
    phone: Phone | None = Field(None, description="Phone number for bookings and cancellations (warned when missing)")
    email: Email | None = Field(None, description="E-mail address, where the office takes e-mail (warned when a channel needs it)")
    address: Text | None = Field(None, description="Postal address (warned when missing)")
    court: Text | None = Field(None, description="Court of first instance named in the terms (合意管轄裁判所); required only when a text uses {{ office.court }}")
    open_days: list[Weekday] = Field(["mon", "tue", "wed", "thu", "fri"], min_length=1,
                                     description="Days of the week the office is open (開庁日, mon…sun); holidays, 12/29–1/3 and booking.closures stay closed")

    @model_validator(mode="after")
    def _open_days_once(self) -> "OfficeInfo":
        if len(set(self.open_days)) != len(self.open_days):
            raise ValueError("@open_days: open_days に同じ曜日が2回あります")
        return self


class TimeWindow(_Strict):
    start: TimeOfDay = Field(description="Window start, HH:MM")
    end: TimeOfDay = Field(description="Window end, HH:MM; sessions end by then")

    @model_validator(mode="after")
    def _ordered(self) -> "TimeWindow":
        if self.end <= self.start:
            raise ValueError(f"終了 {self.end:%H:%M} が開始 {self.start:%H:%M} より前です")
        return self


class Hours(_Strict):
    weekdays: list[Weekday] = Field(["mon", "tue", "wed", "thu", "fri"], min_length=1,
                                    description="Days of the week with sessions (mon…sun), each one of office.open_days (default: all of them); closed days are skipped anyway")
    windows: list[TimeWindow] = Field(min_length=1, description="Daily time windows in which sessions take place")

    @model_validator(mode="after")
    def _no_overlap(self) -> "Hours":
        ordered = sorted(self.windows, key=lambda w: w.start)
        if ordered != self.windows:
            raise ValueError("windows は時刻の早い順に書いてください")
        for earlier, later in zip(ordered, ordered[1:]):
            if later.start < earlier.end:
                raise ValueError(f"時間帯 {earlier.start:%H:%M}～{earlier.end:%H:%M} と "
                                 f"{later.start:%H:%M}～{later.end:%H:%M} が重なっています")
        if len(set(self.weekdays)) != len(self.weekdays):
            raise ValueError("weekdays に同じ曜日が2回あります")
        return self


class Session(_Strict):
    minutes: StrictInt = Field(ge=5, le=240, description="Length of one session in minutes")
    tool: Text = Field(description="Meeting application, e.g. Zoom")


class Booking(_Strict):
    deadline_business_days: StrictInt = Field(1, ge=0, le=20,
                                              description="Requests close this many open days (office.open_days) before the session (1 = 前日)")
    cutoff_time: TimeOfDay = Field(dt.time(17, 0), description="Time of day on that open day when requests close")
    horizon_days: StrictInt = Field(28, ge=1, le=366, description="How many days ahead slots are offered")
    capacity: StrictInt = Field(1, ge=1, le=50, description="Sessions the office can hold at the same time")
    closures: list[Date] = Field([], description="The office's own closure dates (YYYY-MM-DD)")
    request_channels: list[Channel] = Field(min_length=1,
                                            description="How the office takes requests (phone, counter, email; online: this portal itself, named in the texts)")
    details_channel: Literal["phone", "mypage", "email"] = Field(
        description="How the date, time and meeting details reach the seeker (phone or 求職者マイページ)")
    details_by: "DetailsBy | None" = Field(None, description="When the meeting details reach the seeker at the latest (default: the day before)")


class DetailsBy(_Strict):
    business_days: StrictInt = Field(1, ge=1, le=20, description="Open days (office.open_days) before the session by which the details arrive")
    time: TimeOfDay | None = Field(None, description="Time of day on that open day by which they arrive, \"HH:MM\"")


Booking.model_rebuild()


class Cancellation(_Strict):
    channels: list[Channel] = Field(min_length=1, description="How seekers may cancel")
    same_day_channels: list[Channel] | None = Field(None, description="Channels for same-day cancellation, if narrower")

    @model_validator(mode="after")
    def _subset(self) -> "Cancellation":
        if self.same_day_channels and not set(self.same_day_channels) <= set(self.channels):
            raise ValueError("same_day_channels は channels の中から選んでください")
        return self


class NoShow(_Strict):
    minutes: StrictInt = Field(ge=1, le=120, description="Minutes after the start without contact that count as cancelled")


class Condition(_Strict):
    id: Slug = Field(description="Stable id of the condition (a-z, 0-9, -)")
    text: Text = Field(description="The condition as the terms state it")
    question: Text | None = Field(None, description="Yes/no question asked before the form (none when consent covers it)")
    explanation: Text | None = Field(None, description="Shown to a seeker who answers no")


class Revision(_Strict):
    date: Date = Field(description="Date of the revision (YYYY-MM-DD)")
    kind: RevisionKind = Field(description="制定, 一部改訂 or 全部改正")
    summary: Text | None = Field(None, description="What the revision changes, shown in its notice (お知らせ) and the history")
    announced: Date | None = Field(None, description="Date the revision's notice is dated (default: the day a build first published it, recorded in terms-lock.json; never later than the build day)")

    @model_validator(mode="after")
    def _announced_before_effective(self) -> "Revision":
        if self.announced and self.announced > self.date:
            raise ValueError(f"@announced: お知らせの日付 {self.announced.isoformat()} が施行日 {self.date.isoformat()} "
                             "より後です。施行日以前の日付にしてください")
        return self


class Retention(_Strict):
    days_after_session: StrictInt = Field(365, ge=1, le=3650,
                                          description="Days after the appointment until the staff purge deletes the seeker's personal data")
    days_after_request: StrictInt = Field(365, ge=1, le=3650,
                                          description="Days after a request that never got an appointment until the purge deletes its personal data")


class TermsVersionFile(_Strict):
    effective: Date | None = Field(None, description="Effective date (施行日); must be a revision's date. Only the oldest version may omit it")
    file: StrictStr = Field(description="Markdown file holding this version's text")
    retention: Retention | None = Field(None, description="Retention this version states, applied to the requests of seekers who agreed to it (default: `retention`)")


class Document(_Strict):
    title: Text = Field(description="Title as printed")
    file: StrictStr = Field(description="Markdown file in the office folder")


class Terms(Document):
    file: StrictStr = Field("terms.md", description="Markdown file of the terms, when there is one version")
    revisions: list[Revision] = Field([], description="Revision history, oldest first")
    versions: list[TermsVersionFile] = Field([], description="Every version whose text is on file, oldest first (default: `file`, effective at the last revision)")
    before_consent: list[Slug] = Field([], description="Section ids of the terms (article-5) shown in full on the request page above the consent box: the device, security and conduct conditions a seeker checks before agreeing")

    @model_validator(mode="after")
    def _history(self) -> "Terms":
        dates = [r.date for r in self.revisions]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("revisions は古い順に、同じ日付を重ねずに書いてください")
        if any(r.kind == "制定" for r in self.revisions[1:]):
            raise ValueError("制定 は最初の1件だけにしてください")
        effective = [v.effective for v in self.versions]
        if any(e is None for e in effective[1:]):
            raise ValueError("versions の effective（施行日）を省略できるのは最も古い版だけです")
        known = [e for e in effective if e is not None]
        if known != sorted(known) or len(set(known)) != len(known):
            raise ValueError("versions は施行日の古い順に、同じ日付を重ねずに書いてください")
        missing = [e for e in known if e not in set(dates)]
        if missing:
            raise ValueError(f"施行日 {missing[0].isoformat()} の改訂が revisions にありません（date と kind を書いてください）")
        return self


class Guide(Document):
    file: StrictStr = Field("guide.md", description="Markdown file of the guide (案内)")


class Typography(_Strict):
    time_separator: Literal[":", "："] = Field(":", description="Colon used in times, as the office writes them")
    or_word: StrictStr = Field("又は", description="Word joining alternatives (又は / または)")
    item_label: StrictStr = Field("（{n}）", description="Label of numbered items generated from lists, {n} is the number")


class Notify(_Strict):
    staff_email: Email | None = Field(None, description="Address of the office's staff alerts (新しい申込み, no personal data); "
                                                         "without it, PORTAL_NOTIFY_STAFF_EMAIL or none")


class OfficeConfig(_Strict):
    office: OfficeInfo
    service: Text = Field(description="Name of the service, e.g. オンライン職業相談")
    session: Session
    hours: Hours
    booking: Booking
    cancellation: Cancellation
    no_show: NoShow
    eligibility: list[Condition] = Field(min_length=1, description="Conditions a seeker must meet")
    companions: list[Companion] = Field([], description="Companions the seeker must announce in advance")
    guide: Guide
    terms: Terms
    typography: Typography = Typography()
    retention: Retention = Retention()
    notify: Notify = Notify()
    channel_labels: dict[Channel, Text] = Field({}, description="The office's own names of channels in its texts, e.g. {email: 電子メール, online: 予約申込みページ}")

    @model_validator(mode="after")
    def _unique_conditions(self) -> "OfficeConfig":
        ids = [c.id for c in self.eligibility]
        for i, cid in enumerate(ids):
            if cid in ids[:i]:
                raise ValueError(f"@eligibility[{i}].id: id「{cid}」は eligibility[{ids.index(cid)}] と重複しています")
        return self

    @model_validator(mode="before")
    @classmethod
    def _sessions_default_to_open_days(cls, data: object) -> object:
        # Without hours.weekdays, sessions run on every open day: an office that writes only
        # office.open_days with sat gets Saturday sessions, not an error about a key it never wrote.
        if isinstance(data, dict) and isinstance(data.get("office"), dict) and isinstance(data.get("hours"), dict):
            open_days = data["office"].get("open_days")
            valid = isinstance(open_days, list) and all(d in WEEKDAYS for d in open_days) \
                and len(set(open_days)) == len(open_days)   # else office.open_days alone reports it
            if valid and "weekdays" not in data["hours"]:
                return {**data, "hours": {**data["hours"], "weekdays": open_days}}
        return data

    @model_validator(mode="after")
    def _sessions_on_open_days(self) -> "OfficeConfig":
        # A session day the office is closed would be advertised in the texts yet never bookable.
        closed = [d for d in self.hours.weekdays if d not in self.office.open_days]
        if closed:
            names = "・".join(WEEKDAY_NAMES[WEEKDAYS.index(d)] for d in closed)
            raise ValueError(f"@hours.weekdays: {names}曜日は開庁日（office.open_days: {', '.join(self.office.open_days)}）"
                             f"ではありません。office.open_days に {', '.join(closed)} を加えるか、hours.weekdays から外してください")
        return self

    @model_validator(mode="after")
    def _windows_hold_a_session(self) -> "OfficeConfig":
        # A window shorter than one session would be advertised in the texts yet never bookable.
        for i, w in enumerate(self.hours.windows):
            length = (w.end.hour * 60 + w.end.minute) - (w.start.hour * 60 + w.start.minute)
            if length < self.session.minutes:
                raise ValueError(f"@hours.windows[{i}]: 時間帯 {w.start:%H:%M}～{w.end:%H:%M} は{length}分で、"
                                 f"1回の相談（session.minutes: {self.session.minutes}分）が入りません")
        return self


class Operator(_Strict):
    """Who runs the site, named in every page's header (e.g. the prefectural labour bureau)."""
    name: Text = Field(description="Name of the organisation that runs the site")
    url: StrictStr | None = Field(None, pattern=r"^https?://", description="Its web address (http:// or https://)")


class SiteConfig(_Strict):
    title: Text = Field("オンライン職業相談のご案内", description="Title of the site's front page")
    operator: Operator | None = Field(None, description="Who runs the site: name and url, shown in every page's header")
    public_url: StrictStr | None = Field(None, description="Public base URL of the portal, used in printed links and QR codes")
    release: StrictBool = Field(False, description="Build for release: refuse while a fact is missing (public_url, a channel's phone, e-mail or address) instead of building a marked draft")

"""The seeker's details as one form base: the portal's request and a booking staff take by phone
or at the counter ask the same questions and normalise the answers the same way.

Every message is Japanese and comes from portal.web.normalise, never from WTForms' defaults.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_wtf import FlaskForm
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import ValidationError

from ..wording import COMPANION_LABELS
from . import normalise


class MultiValueField(Field):
    """Every value posted under the field's name (checkbox groups); choices are rendered apart."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = list(valuelist)

    def _value(self) -> str:
        return ""


def check(fn: Callable[[str], str], raw: object) -> str:
    """The value normalised by fn; a FieldError becomes the field's message."""
    try:
        return fn(raw if isinstance(raw, str) else "")
    except normalise.FieldError as exc:
        raise ValidationError(exc.message) from None


def companion_fields() -> tuple[MultiValueField, TextAreaField]:
    """The companion checkboxes and note, declared in each form where they come in its order."""
    return (MultiValueField("同席する方", default=[],
                            description="同席する方がいる場合は、事前にお知らせいただく必要があります。"),
            TextAreaField("同席する方について", description="続柄、人数、通訳する言語など（200文字以内）"))


@dataclass(frozen=True)
class SeekerDetails:
    """Who the seeker is and how to reach them, as SeekerForm validated and normalised them: the
    same on a portal request (booking.services.Answers) and a booking staff take (staff.intake.StaffBooking)."""
    name: str
    kana: str
    seeker_number: str
    seeker_number_typed: str
    phone: str
    phone_typed: str
    email: str | None
    companions: tuple[str, ...]
    companion_note: str

    def columns(self) -> dict[str, str | None]:
        """The details as BookingRequest's columns (companions joined by commas)."""
        return {"name": self.name, "kana": self.kana, "seeker_number": self.seeker_number,
                "seeker_number_typed": self.seeker_number_typed, "phone": self.phone,
                "phone_typed": self.phone_typed, "email": self.email,
                "companions": ",".join(self.companions), "companion_note": self.companion_note}


class SeekerForm(FlaskForm):
    """Who the seeker is and how to reach them; a subclass adds `companions`/`companion_note`
    from companion_fields() and calls set_companions with the office's choices."""
    name = StringField("氏名", description="例：山田 花子")
    kana = StringField("フリガナ", description="カタカナで入力してください。例：ヤマダ ハナコ")
    seeker_number = StringField("求職番号", description="ハローワーク受付票に書かれた13桁の番号です。例：12345-12345678")
    phone = StringField("電話番号", description="日中につながる番号を入力してください。例：090-1234-5678")

    allowed_companions: list[str]
    companion_choices: list[tuple[str, str]]

    def set_companions(self, allowed: list[str]) -> None:
        """The office's companion choices; without any, the companion fields are not asked."""
        self.allowed_companions = list(allowed)
        self.companion_choices = [(c, COMPANION_LABELS[c]) for c in allowed]
        if not allowed:
            del self["companions"]
            del self["companion_note"]

    def validate_name(self, field: Field) -> None:
        field.data = check(normalise.name, field.data)

    def validate_kana(self, field: Field) -> None:
        field.data = check(normalise.kana, field.data)

    def validate_seeker_number(self, field: Field) -> None:
        self.seeker_number_normalised = check(normalise.seeker_number, field.data)

    def validate_phone(self, field: Field) -> None:
        self.phone_normalised = check(normalise.phone, field.data)

    def validate_companions(self, field: Field) -> None:
        allowed = set(self.allowed_companions)
        if not isinstance(field.data, list) or not set(field.data) <= allowed or len(field.data) != len(set(field.data)):
            field.data = [c for c in field.data or [] if c in allowed]
            raise ValidationError("同席する方は一覧から選んでください")

    def validate_companion_note(self, field: Field) -> None:
        field.data = check(lambda raw: normalise.plain_text(
            raw, "同席する方について", 200, required=bool(self["companions"].data), multiline=True), field.data)

    def chosen_companions(self) -> tuple[str, ...]:
        """The companions ticked (none where the office does not ask)."""
        return tuple(self["companions"].data) if "companions" in self._fields else ()

    def companion_text(self) -> str:
        """What was written about the companions (empty where not asked)."""
        return self["companion_note"].data if "companion_note" in self._fields else ""

    def seeker_details(self, email: str | None) -> SeekerDetails:
        """The validated details as the services take them (call after validate); email as the
        subclass asks it (None when not asked or left empty)."""
        return SeekerDetails(
            name=self.name.data, kana=self.kana.data,
            seeker_number=self.seeker_number_normalised, seeker_number_typed=self.seeker_number.data.strip(),
            phone=self.phone_normalised, phone_typed=self.phone.data.strip(), email=email,
            companions=self.chosen_companions(), companion_note=self.companion_text())

"""Forms of the seeker's own request page: finding a request without its link, and the cancel
confirmation (CSRF only). They check shape; whether the pair matches is the service's business.
"""
from __future__ import annotations

import re
import unicodedata

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, StringField
from wtforms.validators import ValidationError

from .. import normalise

_REFERENCE_CHARS = re.compile(r"[0-9A-Z]{8}")


class FindForm(FlaskForm):
    """Reference number and the 求職番号 or phone number given with the request."""
    reference = StringField("受付番号", description="申し込みのときに表示された番号です。例：K7QM-3FXA")
    number = StringField("求職番号または電話番号",
                         description="申し込みのときに入力した求職番号（13桁）か電話番号を入力してください。")

    # Set by validation: the normalised values the service compares.
    reference_normalised: str = ""
    seeker_number: str | None = None
    phone: str | None = None

    def validate_reference(self, field: Field) -> None:
        text = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", field.data or "")).upper()
        if not text:
            raise ValidationError("受付番号を入力してください")
        if not _REFERENCE_CHARS.fullmatch(text):
            raise ValidationError("受付番号は「K7QM-3FXA」のように、英字と数字の8文字です")
        self.reference_normalised = f"{text[:4]}-{text[4:]}"

    def validate_number(self, field: Field) -> None:
        raw = field.data or ""
        if not raw.strip():
            raise ValidationError("求職番号または電話番号を入力してください")
        for fn, attr in ((normalise.seeker_number, "seeker_number"), (normalise.phone, "phone")):
            try:
                setattr(self, attr, fn(raw))
                return
            except normalise.FieldError:
                continue
        raise ValidationError("求職番号（例：12345-12345678）か電話番号（例：090-1234-5678）を入力してください")


class CancelForm(FlaskForm):
    """The cancel confirmation: the private link's key rides along (empty after a search)."""
    key = HiddenField()

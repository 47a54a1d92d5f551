"""Forms of the staff console (Flask-WTF: CSRF on every one), and the CSV writer."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable

from flask_wtf import FlaskForm
from wtforms import Field, Form, PasswordField, StringField
from wtforms.validators import ValidationError

from ... import wording


class LoginForm(FlaskForm):
    """User name and password."""
    username = StringField("ユーザー名")
    password = PasswordField("パスワード")

    def validate_username(self, field: Field) -> None:
        if not (field.data or "").strip():
            raise ValidationError("ユーザー名を入力してください")
        field.data = field.data.strip().lower()

    def validate_password(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("パスワードを入力してください")


def _choice(options: dict[str, str], message: str) -> Callable[[Form, Field], None]:
    def check(form: Form, field: Field) -> None:
        if field.data not in options:
            raise ValidationError(message)
    return check


class ContactForm(FlaskForm):
    """Outcome of a contact attempt."""
    outcome = StringField("連絡の結果", validators=[_choice(wording.CONTACT_OUTCOME_LABELS, "連絡の結果を選んでください")])


class DetailsForm(FlaskForm):
    """How the meeting details went out."""
    channel = StringField("連絡の方法", validators=[_choice(wording.DETAILS_CHANNEL_LABELS, "連絡の方法を選んでください")])


class CancelForm(FlaskForm):
    """How the cancellation came in."""
    channel = StringField("キャンセルの連絡方法", validators=[_choice(wording.CHANNEL_LABELS, "キャンセルの連絡方法を選んでください")])


class SlotForm(FlaskForm):
    """A slot to confirm (or to book the next session at)."""
    slot = StringField("日時", description="枠の残り数を確かめて選んでください。")

    def validate_slot(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("日時を選んでください")


_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell spreadsheets will not run as a formula: a leading = + - @ (or tab/CR) gets a quote."""
    return "'" + cell if cell.startswith(_DANGEROUS) else cell


def to_csv(rows: list[tuple[str, ...]]) -> bytes:
    """UTF-8 with BOM (so Excel reads Japanese), CRLF lines, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(str(c)) for c in row])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")

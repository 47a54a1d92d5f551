"""Forms of the staff console (Flask-WTF: CSRF on every one), and the CSV writer."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, Form, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import ValidationError

from ... import rules, wording
from ... import staffrules as sr
from .. import normalise
from ..seekerform import SeekerForm, check, companion_fields
from .accounts import MIN_PASSWORD
from .intake import StaffBooking


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


def _required(message: str) -> Callable[[Form, Field], None]:
    def check(form: Form, field: Field) -> None:
        if not (field.data or "").strip():
            raise ValidationError(message)
    return check


def _same_as(other: str, message: str) -> Callable[[Form, Field], None]:
    def check(form: Form, field: Field) -> None:
        if field.data != form[other].data:
            raise ValidationError(message)
    return check


_AGAIN = "確認のため、同じパスワードをもう一度入力してください"
_NEW_HINT = f"{MIN_PASSWORD}文字以上。ほかのサービスと同じものは使わないでください。"


class PasswordChangeForm(FlaskForm):
    """One's own new password, the current one required (the length is checked by accounts)."""
    current = PasswordField("現在のパスワード", validators=[_required("現在のパスワードを入力してください")])
    new = PasswordField("新しいパスワード", description=_NEW_HINT,
                        validators=[_required("新しいパスワードを入力してください")])
    again = PasswordField("新しいパスワード（確認）", validators=[_same_as("new", _AGAIN)])


class ResetForm(FlaskForm):
    """A new password an office admin sets for an account of the office."""
    password = PasswordField("新しいパスワード", description=_NEW_HINT + "本人に直接伝えてください。",
                             validators=[_required("新しいパスワードを入力してください")])
    again = PasswordField("新しいパスワード（確認）", validators=[_same_as("password", _AGAIN)])


class RoleForm(FlaskForm):
    """The role an account holds at the office."""
    role = StringField("役割", validators=[_choice(wording.ROLE_LABELS, "役割を選んでください")])


class AddStaffForm(FlaskForm):
    """A new account of the office: user name, display name, role and first password."""
    username = StringField("ユーザー名", description="ログインに使います。半角英小文字・数字・._- で2～64文字。",
                           validators=[_required("ユーザー名を入力してください")])
    display_name = StringField("表示名", description="画面に出る名前です（例：網走 太郎）。空欄ならユーザー名。")
    role = StringField("役割", validators=[_choice(wording.ROLE_LABELS, "役割を選んでください")])
    password = PasswordField("最初のパスワード", description=_NEW_HINT + "本人に直接伝え、変更してもらってください。",
                             validators=[_required("最初のパスワードを入力してください")])
    again = PasswordField("最初のパスワード（確認）", validators=[_same_as("password", _AGAIN)])

    def validate_username(self, field: Field) -> None:
        field.data = (field.data or "").strip().lower()

    def validate_display_name(self, field: Field) -> None:
        field.data = " ".join((field.data or "").split())
        if len(field.data) > 50 or any(not c.isprintable() for c in field.data):
            raise ValidationError("表示名は50文字以内の文字で入力してください")


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


class MeetingForm(FlaskForm):
    """The meeting details of a confirmed session (each optional; checked by portal.meeting.parse)."""
    meeting_url = StringField("会議のURL（任意）")
    meeting_id = StringField("ミーティングID（任意）")
    meeting_passcode = StringField("パスコード（任意）")


MEETING_FIELDS = ("meeting_url", "meeting_id", "meeting_passcode")


def _memo(raw: str) -> str:
    return normalise.plain_text(raw, "メモ", sr.MEMO_MAX, required=False, multiline=True)


class MemoForm(FlaskForm):
    """Staff's notes on a request (free text, at most staffrules.MEMO_MAX characters)."""
    memo = TextAreaField("メモ", description=f"職員用のメモです（{sr.MEMO_MAX}文字まで）。求職者には見えません。")

    def validate_memo(self, field: Field) -> None:
        field.data = check(_memo, field.data)


class BookingForm(SeekerForm):
    """A booking taken by phone, at the counter or during a session: the seeker's details as on
    the portal, the slot, how it came in and how consent to the terms was given."""
    email = StringField("メールアドレス（任意）")
    slot = StringField("日時", description="括弧内は枠の残りです。申込みの締切は職員には適用されません。")
    channel = StringField("受付の方法")
    companions, companion_note = companion_fields()
    consent_method = StringField("利用規約への同意の確認方法")
    consent = BooleanField("利用規約（現在の版）を示し、同意を得ました")
    memo = TextAreaField("メモ（任意）", description=f"職員用のメモです（{sr.MEMO_MAX}文字まで）。")
    submission_key = HiddenField()

    def validate_submission_key(self, field: Field) -> None:
        if field.data and not re.fullmatch(r"[0-9a-f]{32}", field.data):
            raise ValidationError("送信内容が正しくありません。画面を開き直してください")

    def validate_email(self, field: Field) -> None:
        field.data = check(normalise.email, field.data)

    def validate_slot(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("日時を選んでください")
        try:
            self.start = rules.parse_slot_key(field.data)
        except rules.SlotError as exc:
            raise ValidationError(exc.message) from None

    def validate_channel(self, field: Field) -> None:
        if field.data not in sr.STAFF_CHANNELS:
            raise ValidationError("受付の方法（電話・窓口・相談中）を選んでください")

    def validate_consent_method(self, field: Field) -> None:
        if field.data not in ("oral", "paper"):
            raise ValidationError("同意を確認した方法（口頭・書面）を選んでください")

    def validate_consent(self, field: Field) -> None:
        if field.data is not True:
            raise ValidationError("利用規約を示して同意を得たら、チェックを入れてください")

    def validate_memo(self, field: Field) -> None:
        field.data = check(_memo, field.data)

    def booking(self) -> StaffBooking:
        """The validated booking as the service takes it (call after validate)."""
        return StaffBooking(
            seeker=self.seeker_details(self.email.data or None),
            start=self.start, channel=self.channel.data, consent_method=self.consent_method.data, memo=self.memo.data,
            submission_key=self.submission_key.data or None)


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

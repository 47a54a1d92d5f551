"""Forms of the booking flow (Flask-WTF, CSRF on): eligibility questions and the request.

Every message is Japanese and comes from our own checks (portal.web.normalise, portal.rules),
never from WTForms' English defaults. Forms are built per office, since the questions, the
slot list, the e-mail field and the companions differ.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Mapping

from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, Form, HiddenField, StringField
from werkzeug.datastructures import MultiDict
from wtforms.validators import ValidationError

from ... import rules
from ...offices import Office
from .. import normalise
from ..seekerform import SeekerForm, check, companion_fields
from .services import Answers

SLOT_FIELDS = ("slot1", "slot2", "slot3")
YES, NO = "yes", "no"
YES_NO = [(YES, "はい"), (NO, "いいえ")]


def takes_email(office: Office) -> bool:
    """True when the office exchanges e-mail with seekers (a channel or the details channel)."""
    b, c = office.config.booking, office.config.cancellation
    return "email" in {*b.request_channels, *c.channels, b.details_channel}


def needs_email(office: Office) -> bool:
    """True when the office sends the session's date and meeting details by e-mail: the address is required."""
    return office.config.booking.details_channel == "email"


class EligibilityForm(FlaskForm):
    """Yes/no questions; one RadioField per asked condition is added by `eligibility_form`."""


def eligibility_form(office: Office, formdata: MultiDict | None = None) -> EligibilityForm:
    """The eligibility questions of office (conditions without a question are not asked)."""
    class Questions(EligibilityForm):
        pass

    for cond in office.config.eligibility:
        if cond.question:
            setattr(Questions, f"q_{cond.id.replace('-', '_')}", StringField(cond.question, validators=[_answered]))
    return Questions(formdata=formdata)


def _answered(form: Form, field: Field) -> None:
    # The message names its question: four identical links in the error summary told a
    # screen-reader user nothing.
    if field.data not in (YES, NO):
        raise ValidationError(f"「{field.label.text}」に、「はい」か「いいえ」を選んでください")


def question_fields(form: EligibilityForm, office: Office) -> list[tuple[str, object]]:
    """(condition id, field) for each asked question, in office.yaml order."""
    return [(c.id, form[f"q_{c.id.replace('-', '_')}"]) for c in office.config.eligibility if c.question]


class RequestForm(SeekerForm):
    """The request: who, how to reach them, up to three preferred slots, companions, consent."""
    email = StringField("メールアドレス（任意）", description="メールでの連絡を希望する場合に入力してください。")
    slot1 = StringField("第1希望")
    slot2 = StringField("第2希望（任意）")
    slot3 = StringField("第3希望（任意）")
    companions, companion_note = companion_fields()
    consent = BooleanField("利用規約に同意する")
    terms_sha256 = HiddenField()
    submission_key = HiddenField()  # set on the check-answers page, see services.submit_request
    website = StringField("ウェブサイト（入力しないでください）")  # honeypot: people never see it

    # Set by request_form(): the office, the moment the form is checked against, its slot rules, the
    # places already held per slot start and the companion checkboxes; the slot picker's days are
    # set when rendering.
    office: Office
    now: datetime.datetime
    policy: rules.SlotPolicy
    taken: Mapping[datetime.datetime, int]
    slot_days: tuple
    no_wish: tuple

    def validate_email(self, field: Field) -> None:
        field.data = check(normalise.email, field.data) if takes_email(self.office) else ""
        if not field.data and needs_email(self.office):
            raise ValidationError(f"メールアドレスを入力してください。相談の日時と{self.office.config.session.tool}の"
                                  "接続先は、メールでお知らせします")

    def validate_slot1(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("第1希望の日時を選んでください")
        self._check_slot(field, SLOT_FIELDS[:0])

    def validate_slot2(self, field: Field) -> None:
        if field.data:
            self._check_slot(field, SLOT_FIELDS[:1])

    def validate_slot3(self, field: Field) -> None:
        if field.data:
            self._check_slot(field, SLOT_FIELDS[:2])

    def _check_slot(self, field: Field, earlier: tuple[str, ...]) -> None:
        try:
            start = rules.parse_slot_key(field.data)
            rules.check_slot(self.policy, self.now, start)
            rules.check_place(self.policy, start, self.taken)   # filled since the list was shown
        except rules.SlotError as exc:
            raise ValidationError(exc.message) from None
        if any(self[name].data == field.data for name in earlier):
            raise ValidationError("同じ日時が2回選ばれています。別の日時を選ぶか、空欄にしてください")

    def validate_consent(self, field: Field) -> None:
        # Only the checkbox's own value means yes: BooleanField alone takes "0", "off" or "no" as yes.
        if field.data is not True or field.raw_data != ["y"]:
            field.data = False
            raise ValidationError("利用規約を読み、同意する場合はチェックを入れてください")

    def validate_submission_key(self, field: Field) -> None:
        if field.data and not re.fullmatch(r"[0-9a-f]{32}", field.data):
            raise ValidationError("送信内容が正しくありません。もう一度「入力内容を確認する」を押してください")

    def answers(self, eligibility: list[str]) -> Answers:
        """The validated answers as the service takes them (call after validate)."""
        return Answers(
            seeker=self.seeker_details((self.email.data or None) if "email" in self._fields else None),
            slots=tuple(rules.parse_slot_key(self[n].data) for n in SLOT_FIELDS if self[n].data),
            eligibility=tuple(eligibility),
            submission_key=self.submission_key.data or None,
        )


def request_form(office: Office, now: datetime.datetime, policy: rules.SlotPolicy,
                 formdata: MultiDict | None = None,
                 taken: Mapping[datetime.datetime, int] | None = None, csrf: bool = True) -> RequestForm:
    """The request form of office, validated against now, the office's policy (built once per
    app) and the places taken per slot start (portal.web.places; none when not given): a full
    slot is neither offered nor accepted. The slot picker's days are set when rendering.
    csrf=False for answers kept in the session, whose post was checked when they were kept."""
    form = RequestForm(formdata=formdata, meta={"csrf": csrf})
    form.office, form.now = office, now
    form.policy = policy
    form.taken = taken or {}
    form.slot_days, form.no_wish = (), ()
    form.set_companions(list(office.config.companions))
    if not takes_email(office):
        del form["email"]
    elif needs_email(office):
        form.email.label.text = "メールアドレス"
        form.email.description = f"相談の日時と{office.config.session.tool}の接続先をこのアドレスにお知らせします。"
    return form

"""Every typed error of the project shares one base, so each boundary catches one type."""
from __future__ import annotations

import pickle

import pytest

from portal.errors import BuildError, ContentError, ContentErrors, MadoguchiError, RuleError
from portal.rules import SlotError
from portal.staffrules import StaffRuleError
from portal.web.config import ConfigError
from portal.web.normalise import FieldError
from portal.web.retention import BackupError, CompactError
from portal.web.staff.accounts import AccountError


@pytest.mark.parametrize("cls", [ContentError, ContentErrors, BuildError, RuleError, SlotError, StaffRuleError,
                                 ConfigError, FieldError, AccountError, CompactError, BackupError])
def test_one_base(cls):
    assert issubclass(cls, MadoguchiError)


@pytest.mark.parametrize("error", [FieldError("電話番号を入力してください"), AccountError("パスワードが違います"),
                                   BackupError("書けません"), ConfigError("PORTAL_X: だめ")])
def test_message_is_the_line_people_read(error):
    assert error.message == str(error)


@pytest.mark.parametrize("cls", [SlotError, StaffRuleError])
def test_rule_errors_keep_their_code_and_message_across_processes(cls):
    error = pickle.loads(pickle.dumps(cls("full", "この枠は満員です")))
    assert (type(error), error.code, error.message) == (cls, "full", "この枠は満員です")
    assert isinstance(error, ValueError)    # callers that catch ValueError still do

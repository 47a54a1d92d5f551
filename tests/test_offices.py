"""Loading and validating office content: every failure names the file, the key and the reason."""
from pathlib import Path

import pytest

from portal.errors import ContentError, ContentErrors
from portal.offices import load_office, load_offices, load_site
from tests.content_offices import SEEDS, office_slugs


COURT = "  court: 当ハローワークの所在地を管轄する裁判所\n"


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def only_error(exc_info: pytest.ExceptionInfo[ContentErrors]) -> ContentError:
    errors = exc_info.value.errors
    assert len(errors) == 1, errors
    return errors[0]


def test_real_offices_load(content):
    offices = {o.slug: o for o in load_offices(content)}
    assert list(offices) == list(office_slugs(content)) and set(SEEDS) <= set(offices)
    abashiri, hiroshima = offices["abashiri"], offices["mothers-hiroshima"]   # the seeds, by name
    assert abashiri.config.session.minutes == 30
    assert [s.id for s in abashiri.terms.rendered.sections] == [f"article-{n}" for n in range(1, 13)]
    assert [s.id for s in hiroshima.terms.rendered.sections] == [f"article-{n}" for n in range(1, 15)]
    assert hiroshima.revision_label() == "令和7年10月17日一部改訂"
    assert abashiri.revision_label() == "初版"


def test_missing_facts_are_warnings_not_errors(content):
    hiroshima = load_office(content / "mothers-hiroshima")
    assert any("office.phone" in w for w in hiroshima.warnings)
    abashiri = load_office(content / "abashiri")
    assert any("office.email" in w for w in abashiri.warnings)  # e-mail cancellation, no address


@pytest.mark.parametrize("old, new, key, reason", [
    ('end: "12:00"', 'end: "25:00"', "hours.windows[0].end", "ありえない時刻"),
    ('end: "12:00"', 'end: "9:00"', "hours.windows[0]", "より前"),
    ('start: "13:30"', 'start: "11:30"', "hours", "重なっています"),
    ("minutes: 30", 'minutes: "30"', "session.minutes", "整数"),
    ("minutes: 30", "minutes: thirty", "session.minutes", "整数"),
    ("minutes: 30", "minutes: 0", "session.minutes", "以上"),
    ("service: オンライン職業相談", "service: オンライン職業相談\nservise: x", "servise", "未知の項目"),
    ("  capacity: 1", "  capacity: 1\n  capasity: 2", "booking.capasity", "未知の項目"),
    ("details_channel: phone", "details_channel: fax", "booking.details_channel", "使える値"),
    ("channels: [phone, email]", "channels: phone", "cancellation.channels", "一覧"),
    ("same_day_channels: [phone]", "same_day_channels: [counter]", "cancellation", "channels の中"),
    ('phone: "0152-44-6287"', "phone: 0152446287", "office.phone", "引用符"),
    ('phone: "0152-44-6287"', 'phone: "call us"', "office.phone", "電話番号"),
    ("  - id: device", "  - id: Device", "eligibility[1].id", "半角英小文字"),
    ("  revisions: []", "  revisions:\n    - {date: 2025-13-01, kind: 制定}", "terms.revisions[0].date", "日付"),
    ("  revisions: []", "  revisions:\n    - {date: 2025-10-01, kind: 改正}", "terms.revisions[0].kind", "使える値"),
    ("  deadline_business_days: 1", "  deadline_business_days: no", "booking.deadline_business_days", "真偽値"),
    ("  capacity: 1", "  capacity: true", "booking.capacity", "整数"),
    ('time_separator: "："', "time_separator: '.'", "typography.time_separator", "使える値"),
    ("before_consent: [article-10]", "before_consent: [article-99]", "terms.before_consent[0]", "terms.md にありません"),
    ("before_consent: [article-10]", "before_consent: [第10条]", "terms.before_consent[0]", "半角英小文字"),
    ("weekdays: [mon, tue, wed, thu, fri]", "weekdays: []", "hours.weekdays", "少なくとも 1 件"),
    ("weekdays: [mon, tue, wed, thu, fri]", "weekdays: [mon, tuesday]", "hours.weekdays[1]", "'sat', 'sun' のどれか"),
    ("minutes: 30", "minutes: 200", "hours.windows[0]", "150分で、1回の相談（session.minutes: 200分）が入りません"),
    ("  - id: device", "  - id: registered", "eligibility[1].id", "eligibility[0] と重複"),
    ("weekdays: [mon, tue, wed, thu, fri]", "weekdays: [mon, sat]", "hours.weekdays",
     "土曜日は開庁日（office.open_days: mon, tue, wed, thu, fri）ではありません。office.open_days に sat を加えるか"),
    (COURT, COURT + "  open_days: [mon, tue, wed, thu]\n", "hours.weekdays", "金曜日は開庁日"),
    (COURT, COURT + "  open_days: [mon, mon]\n", "office.open_days", "同じ曜日が2回"),
    (COURT, COURT + "  open_days: []\n", "office.open_days", "少なくとも 1 件"),
    (COURT, COURT + "  open_days: [mon, holiday]\n", "office.open_days[1]", "使える値"),
    (COURT, COURT + "notify:\n  staff_email: staff-at-example\n", "notify.staff_email", "メールアドレスの形"),
])
def test_validation_failures_name_key_and_reason(content, old, new, key, reason):
    edit(content / "abashiri", "office.yaml", old, new)
    with pytest.raises(ContentErrors) as exc_info:
        load_office(content / "abashiri")
    error = only_error(exc_info)
    assert error.path.endswith("abashiri/office.yaml")
    assert error.key.startswith(key), error
    assert reason in error.reason, error
    assert "\n" not in str(error)


def test_office_open_on_saturdays(saturday_office):
    office = load_office(saturday_office)
    policy = office.slot_policy()
    assert policy.open_weekdays == frozenset(range(6)) and policy.weekdays == frozenset({1, 3, 5})
    assert policy.cutoff_business_days == 3
    assert "相談3開庁日前までに予約を確定した方が利用できます。「開庁日」とは、月曜日から土曜日まで" \
           "（祝日・休日、12月29日から1月3日まで及び臨時の休業日を除く）の日をいいます。" in office.terms.markdown
    assert "火・木・土曜日10:00～16:00" in office.terms.markdown


def test_sessions_default_to_every_open_day(content):
    edit(content / "abashiri", "office.yaml", "  weekdays: [mon, tue, wed, thu, fri]\n", "")
    edit(content / "abashiri", "office.yaml", COURT, COURT + "  open_days: [tue, wed, thu, fri, sat]\n")
    policy = load_office(content / "abashiri").slot_policy()
    assert policy.weekdays == policy.open_weekdays == frozenset(range(1, 6))


def test_open_days_default_to_monday_to_friday(content):
    for slug in ("abashiri", "mothers-hiroshima"):
        assert load_office(content / slug).slot_policy().open_weekdays == frozenset(range(5))


@pytest.mark.parametrize("old, new, reason", [
    ("{{ office.phone }}", "{{ office.fax }}", "未定義のプレースホルダー"),
    ("{{ session.tool }}の準備", "{{ session.tool | shout }}の準備", "未定義のフィルター"),
    ("{{ office.phone }}", "{{ office.email }}", "書かれていない"),
    ("{{ office.phone }}", "{{ office.phone }", "書き方"),
    ("{{ office.phone }}", "{% if x %}", "書き方"),
    ("## ご利用の流れ", "# ご利用の流れ", "見出し1"),
    ("### ① 予約申込み", "#### ① 予約申込み", "飛んでいます"),
])
def test_markdown_failures_name_file_and_line(content, old, new, reason):
    edit(content / "abashiri", "guide.md", old, new)
    with pytest.raises(ContentErrors) as exc_info:
        load_office(content / "abashiri")
    error = only_error(exc_info)
    assert error.path.endswith("abashiri/guide.md")
    assert "行目" in error.key
    assert reason in error.reason


def test_a_byte_order_mark_does_not_hide_the_first_heading(content):
    terms = content / "abashiri" / "terms.md"
    terms.write_bytes(b"\xef\xbb\xbf" + terms.read_bytes().replace(b"\n", b"\r\n"))   # Notepad's UTF-8
    office = load_office(content / "abashiri")
    assert office.terms.rendered.sections[0].id == "article-1"
    assert "\ufeff" not in office.terms.markdown


@pytest.mark.parametrize("name", ["guide.md", "terms.md"])
def test_an_empty_document_is_refused(content, name):
    (content / "abashiri" / name).write_text(" \n\u3000\n", encoding="utf-8")
    with pytest.raises(ContentErrors, match=f"{name}: ファイルが空です"):
        load_office(content / "abashiri")


def test_a_problem_in_the_guide_and_one_in_the_terms_are_both_reported(content):
    for name in ("guide.md", "terms.md"):
        path = content / "abashiri" / name
        path.write_text(path.read_text(encoding="utf-8") + "\n{{ office.fax }}\n", encoding="utf-8")
    with pytest.raises(ContentErrors) as caught:
        load_office(content / "abashiri")
    assert [Path(e.path).name for e in caught.value.errors] == ["guide.md", "terms.md"]


def test_missing_document_file(content):
    (content / "abashiri" / "terms.md").unlink()
    with pytest.raises(ContentErrors, match="terms.md"):
        load_office(content / "abashiri")


def test_every_office_is_checked_before_giving_up(content):
    edit(content / "abashiri", "office.yaml", "minutes: 30", "minutes: -1")
    edit(content / "mothers-hiroshima", "office.yaml", "minutes: 10", "minutes: 0")
    with pytest.raises(ContentErrors) as exc_info:
        load_offices(content)
    assert {Path(e.path).parent.name for e in exc_info.value.errors} == {"abashiri", "mothers-hiroshima"}


@pytest.mark.parametrize("name", ["accessibility", "assets", "staff"])
def test_folder_named_like_a_shared_page_is_refused(content, name):
    (content / "abashiri").rename(content / name)
    with pytest.raises(ContentErrors, match=f"{name}.*フォルダー名「{name}」はサイトの共通ページ"):
        load_offices(content)


def test_reserved_names_cover_the_site_root_and_the_staff_console(tmp_path):
    from portal.folders import RESERVED_NAMES
    from portal.publish.site import environment, site_files
    from portal.schema import SiteConfig
    from portal.web.staff import bp

    roots = {rel.split("/", 1)[0] for rel in site_files(environment(), SiteConfig(), [])} - {"index.html"}
    assert roots | {bp.url_prefix.strip("/")} == set(RESERVED_NAMES)


def test_unknown_office_slug(content):
    with pytest.raises(ContentErrors, match="nowhere"):
        load_offices(content, only=["nowhere"])


@pytest.mark.parametrize("name, load", [("abashiri/office.yaml", lambda c: load_office(c / "abashiri")),
                                        ("site.yaml", load_site)])
def test_a_yaml_file_that_does_not_parse_raises_the_one_error_type(content, name, load):
    (content / name).write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentErrors) as exc_info:
        load(content)
    assert only_error(exc_info).path.endswith(name)


def test_site_yaml_is_validated(content):
    (content / "site.yaml").write_text("titel: x\n", encoding="utf-8")
    with pytest.raises(ContentErrors, match="titel"):
        load_site(content)


def test_terms_hash_follows_text(content):
    before = load_office(content / "abashiri")
    edit(content / "abashiri", "office.yaml", "minutes: 10", "minutes: 15")
    after = load_office(content / "abashiri")
    assert before.terms_sha256() != after.terms_sha256()
    assert "15分経過" in after.terms_text()


# --- issue #15: an office with its own rules on every axis; new keys and their errors ---

def test_the_third_office_states_every_rule_from_office_yaml(third_office):
    import datetime as dt
    office = load_office(third_office, dt.date(2026, 5, 1))
    assert office.warnings == ()
    guide, terms = office.guide.markdown, office.terms.markdown
    assert "相談日：月曜日・水曜日・金曜日（祝日及び閉庁日を除く）" in guide
    assert "相談時間：午前10時から正午まで及び午後1時から午後3時まで" in guide
    assert "予約申込みページ、電話又は電子メールにより、相談日の2開庁日前の17時までに申し込む" in terms
    assert "相談日の前開庁日の17時までに電子メールでお知らせします" in terms
    assert "相談の実施日から1年を経過した後に消去します" in terms
    upcoming = office.versions[-1]
    assert "相談の実施日から6か月を経過した後に消去します" in upcoming.doc.markdown
    assert (office.current.retention.days_after_session, upcoming.retention.days_after_session) == (365, 183)
    # A change in office.yaml reaches the long forms: nothing is hard-written.
    edit(third_office, "office.yaml", '    - {start: "13:00", end: "15:00"}', '    - {start: "13:30", end: "16:00"}')
    edit(third_office, "office.yaml", '  cutoff_time: "17:00"', '  cutoff_time: "16:30"')
    edit(third_office, "office.yaml", "details_by: {business_days: 1, time: \"17:00\"}", "details_by: {business_days: 2}")
    changed = load_office(third_office, dt.date(2026, 5, 1)).terms.markdown
    assert "午前10時から正午まで及び午後1時30分から午後4時まで" in changed
    assert "2開庁日前の16時30分までに申し込む" in changed and "相談日の2開庁日前までに電子メールで" in changed


def test_court_is_needed_only_by_a_text_that_uses_it(third_office, content):
    assert load_office(third_office).config.office.court is None   # its terms have no such article
    edit(content / "mothers-hiroshima", "office.yaml", "  court: 広島地方裁判所\n", "")
    with pytest.raises(ContentErrors) as exc_info:
        load_office(content / "mothers-hiroshima")
    error = only_error(exc_info)
    assert error.path.endswith("mothers-hiroshima/terms.md") and "{{ office.court }}" in error.key
    assert "office.court が書かれていない" in error.reason and "\n" not in str(error)


@pytest.mark.parametrize("old, new, key, reason", [
    ("details_by: {business_days: 1, time: \"17:00\"}", "details_by: {business_days: 0}",
     "booking.details_by.business_days", "以上"),
    ("details_by: {business_days: 1, time: \"17:00\"}", "details_by: {time: \"5pm\"}",
     "booking.details_by.time", "HH:MM"),
    ("details_by: {business_days: 1, time: \"17:00\"}", "details_by: {days: 1}", "booking.details_by.days", "未知の項目"),
    ("channel_labels: {email: 電子メール, online: 予約申込みページ}", "channel_labels: {fax: ファクス}",
     "channel_labels.fax", "使える値"),
    ("channel_labels: {email: 電子メール, online: 予約申込みページ}", "channel_labels: {email: \" \"}",
     "channel_labels.email", "空"),
    ("channel_labels: {email: 電子メール, online: 予約申込みページ}", "channel_labels: [email]", "channel_labels", "項目の集まり"),
    ("    - {date: 2026-06-01, kind: 一部改訂, summary: 個人情報の保存期間を6か月に短縮します。}",
     "    - {date: 2026-06-01, kind: 一部改訂, announced: 2026-06-02}", "terms.revisions[1].announced", "施行日 2026-06-01 より後"),
    ("retention: {days_after_session: 183, days_after_request: 183}", "retention: {days_after_session: 0}",
     "terms.versions[1].retention.days_after_session", "以上"),
    ("retention: {days_after_session: 183, days_after_request: 183}", "retention: 183",
     "terms.versions[1].retention", "項目の集まり"),
    ("  request_channels: [online, phone, email]", "  request_channels: [portal]", "booking.request_channels[0]",
     "使える値"),
])
def test_new_keys_fail_naming_file_key_and_reason(third_office, old, new, key, reason):
    edit(third_office, "office.yaml", old, new)
    with pytest.raises(ContentErrors) as exc_info:
        load_office(third_office)
    error = only_error(exc_info)
    assert error.path.endswith("mikazuki/office.yaml")
    assert error.key.startswith(key), error
    assert reason in error.reason, error
    assert "\n" not in str(error)


def test_a_new_version_may_not_take_effect_before_the_one_in_force(third_office):
    import datetime as dt
    from portal.termslock import lock_text, write_lock
    office = load_office(third_office, dt.date(2026, 6, 10))
    write_lock(third_office, lock_text(third_office, office.versions))   # both published; 2026-06-01 in force
    (third_office / "terms-2026-05-15.md").write_text(
        (third_office / "terms.md").read_text(encoding="utf-8") + "\n追記します。\n", encoding="utf-8")
    edit(third_office, "office.yaml", "    - {date: 2026-06-01, kind: 一部改訂",
         "    - {date: 2026-05-15, kind: 一部改訂}\n    - {date: 2026-06-01, kind: 一部改訂")
    edit(third_office, "office.yaml", "    - {effective: 2026-06-01,",
         "    - {effective: 2026-05-15, file: terms-2026-05-15.md}\n    - {effective: 2026-06-01,")
    with pytest.raises(ContentErrors) as exc_info:
        load_office(third_office, dt.date(2026, 6, 10))
    error = only_error(exc_info)
    assert error.path.endswith("mikazuki/office.yaml") and error.key == "terms.versions[1].effective"
    assert "施行中の版（令和8年6月1日一部改訂、2026-06-01施行）より前です" in error.reason

"""Load and validate every office's content: office.yaml plus its Markdown documents.

Pure Python (no Flask, Jinja or WeasyPrint): the static build, the PDF leaflets
and the portal all read the same `Office` objects.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from . import eras
from .errors import ContentError, ContentErrors, display_path
from .folders import OFFICE_FILE, RESERVED_NAMES, office_folders
from .markup import Rendered, render_document
from .officefiles import OfficeFiles, text_of
from .placeholders import expand, facts, retention_facts
from .rules import TOKYO, SlotPolicy, Window
from .schema import WEEKDAYS, OfficeConfig, Retention, Revision, SiteConfig, TermsVersionFile
from .templaterender import filled
from .termslock import LOCK_FILE, Lock, changed_facts, check_published, parse_lock
from .wording import open_weekdays
from .yamlfile import load_yaml

SITE_FILE = "site.yaml"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Japanese reasons for pydantic's error types; value errors carry our own Japanese text.
_REASONS = {
    "missing": "必須の項目がありません",
    "string_type": "文字で書いてください（数字だけの値は \"…\" と引用符で囲みます）",
    "int_type": "整数で書いてください",
    "bool_type": "true か false で書いてください",
    "list_type": "一覧（- で始まる行）で書いてください",
    "model_type": "項目の集まり（key: value）で書いてください",
    "dict_type": "項目の集まり（key: value）で書いてください",
    "greater_than_equal": "小さすぎます（{ge} 以上）",
    "less_than_equal": "大きすぎます（{le} 以下）",
    "too_short": "少なくとも {min_length} 件必要です",
    "string_pattern_mismatch": "使える文字は半角英小文字・数字・ハイフンです",
}


@dataclass(frozen=True)
class Doc:
    """One document of an office (guide or terms), expanded and rendered."""
    title: str
    source: Path
    markdown: str       # placeholders expanded: the canonical text
    rendered: Rendered


@dataclass(frozen=True)
class TermsVersion:
    """One version of an office's terms whose text is on file."""
    key: str                      # stable URL part: the effective date, or "initial"
    effective: dt.date | None     # 施行日; None only for an oldest version of unknown date
    revisions: tuple[Revision, ...]   # the revision history as of this version
    doc: Doc
    source_sha256: str            # of the Markdown source: what the lock file pins
    facts: tuple[tuple[str, str | None], ...] = ()   # placeholder values the text was expanded with
    retention: Retention = Retention()   # what this version states: purges its consenters' requests
    published_on: dt.date | None = None  # the day a build first published its notice (None: no notice)
    source: str = ""                     # the Markdown as written, placeholders unexpanded

    @property
    def label(self) -> str:
        """The version as people say it: 令和7年10月17日一部改訂, or 初版 without history."""
        return revision_text(self.revisions[-1]) if self.revisions else "初版"


@dataclass(frozen=True)
class Office:
    """Everything known about one office: validated facts and rendered documents."""
    slug: str
    folder: Path        # the office folder (or the snapshot pack it was loaded from)
    config: OfficeConfig
    guide: Doc
    versions: tuple[TermsVersion, ...]   # oldest first
    current: TermsVersion                # in effect on the day the content was loaded for
    warnings: tuple[str, ...]

    @property
    def name(self) -> str:
        """The office's display name."""
        return self.config.office.name

    @property
    def terms(self) -> Doc:
        """The current version's terms document."""
        return self.current.doc

    def version_at(self, day: dt.date) -> TermsVersion:
        """The version in effect on a day (the oldest one before any effective date)."""
        in_effect = [v for v in self.versions if v.effective is None or v.effective <= day]
        return in_effect[-1] if in_effect else self.versions[0]

    def upcoming(self, day: dt.date) -> tuple[TermsVersion, ...]:
        """Versions published ahead whose effective date is after the day."""
        return tuple(v for v in self.versions if v.effective is not None and v.effective > day)

    def previous(self, version: TermsVersion) -> TermsVersion | None:
        """The version before this one, or None for the oldest."""
        index = self.versions.index(version)
        return self.versions[index - 1] if index else None

    def announced(self, version: TermsVersion) -> dt.date | None:
        """The date of a version's notice: office.yaml `announced`, else the day a build first
        published it, never later than the build day (None for a version that replaces none)."""
        if version.published_on is None or version.effective is None:
            return None
        rev = next((r for r in self.config.terms.revisions if r.date == version.effective), None)
        if rev is not None and rev.announced is not None:
            return rev.announced
        return version.published_on

    def marked_terms(self, key: str, marker: str, version: TermsVersion | None = None) -> str:
        """A version's Markdown with the placeholder `key` expanded to `marker`: where a text uses a fact."""
        v = version or self.current
        return expand(v.source, {**dict(v.facts), key: marker}, v.doc.source)

    def revision_label(self, version: TermsVersion | None = None) -> str:
        """The label of a version (default: the current one)."""
        return (version or self.current).label

    def terms_text(self, version: TermsVersion | None = None) -> str:
        """Canonical terms text (title, body, revision line, issuer) that consents are pinned to."""
        v = version or self.current
        tail = "／".join(revision_text(r) for r in v.revisions)
        parts = [v.doc.title, v.doc.markdown.strip(), tail, self.config.office.issuer or ""]
        return "\n\n".join(p for p in parts if p) + "\n"

    def terms_sha256(self, version: TermsVersion | None = None) -> str:
        """SHA-256 of the canonical terms text of a version (default: the current one), in hex."""
        return hashlib.sha256(self.terms_text(version).encode("utf-8")).hexdigest()

    def slot_policy(self) -> SlotPolicy:
        """The booking rules of this office as the pure slot functions take them."""
        c = self.config
        return SlotPolicy(
            weekdays=frozenset(WEEKDAYS.index(d) for d in c.hours.weekdays),
            windows=tuple(Window(w.start, w.end) for w in c.hours.windows),
            session_minutes=c.session.minutes,
            cutoff_business_days=c.booking.deadline_business_days,
            cutoff_time=c.booking.cutoff_time,
            closures=frozenset(c.booking.closures),
            horizon_days=c.booking.horizon_days,
            capacity=c.booking.capacity,
            time_separator=c.typography.time_separator,
            open_weekdays=open_weekdays(c),
        )


def revision_text(rev: Revision) -> str:
    """A revision as printed at the end of the terms: 令和7年10月17日一部改訂."""
    return f"{eras.wareki(rev.date)}{rev.kind}"


def _key(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(最上位)"


_KEYED = re.compile(r"^@([^:]+): (.*)$", re.S)   # a model-level check naming the key it is about


def _reason(err: dict, model: type) -> str:
    kind = err["type"]
    if kind in ("value_error", "assertion_error"):
        text = re.sub(r"^(Value|Assertion) error, ", "", err["msg"])
        keyed = _KEYED.match(text)
        return keyed.group(2) if keyed else text
    if kind == "extra_forbidden":
        return "未知の項目です（綴りを確かめてください）"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "").replace("' or '", "', '")
        return f"使える値は {expected} のどれかです"
    template = _REASONS.get(kind)
    if template:
        return template.format(**err.get("ctx", {}))
    return err["msg"]


def validation_errors(path: Path, exc: ValidationError, model: type) -> list[ContentError]:
    """Turn a pydantic ValidationError into one ContentError per problem, in Japanese."""
    found = []
    for e in exc.errors():
        keyed = _KEYED.match(re.sub(r"^Value error, ", "", e["msg"])) if e["type"] == "value_error" else None
        key = _key(e["loc"])
        if keyed:   # "@hours.windows[1]: …" raised by a check on the model that holds it
            key = keyed.group(1) if key == "(最上位)" else f"{key}.{keyed.group(1)}"
        found.append(ContentError(path, key, _reason(e, model)))
    return found


def _warnings(path: Path, c: OfficeConfig) -> list[str]:
    found = []
    if not c.office.phone:
        found.append("office.phone: 電話番号が書かれていません。ページには載りません")
    if not c.office.address:
        found.append("office.address: 所在地が書かれていません。ページには載りません")
    channels = set(c.cancellation.channels) | set(c.booking.request_channels)
    if "email" in channels and not c.office.email:
        found.append("office.email: メールでの連絡を受け付けていますが、アドレスが書かれていません")
    # The file is named only when there is something to say (resolving it costs a national build 0.05 s).
    return [f"{display_path(path)}: {warning}" for warning in found]


def _read_source(files: OfficeFiles, name: str, key: str) -> tuple[Path, str]:
    data = files.document(name)
    if data is None:
        raise ContentError(files.path(OFFICE_FILE), key, f"文書ファイル「{name}」がありません")
    path = files.path(name)
    try:
        raw = text_of(data)
    except UnicodeDecodeError:
        raise ContentError(path, None, "UTF-8 で保存してください") from None
    # Windows Notepad may save a BOM first: it would hide the first heading.
    text = unicodedata.normalize("NFC", raw.removeprefix("\ufeff").replace("\r\n", "\n"))
    if not text.strip():
        raise ContentError(path, None, "ファイルが空です。本文を書いてください")
    return path, text


def _doc(path: Path, text: str, title: str, values: dict) -> Doc:
    markdown = expand(text, values, path)   # checks every placeholder, also when the template is reused
    rendered = filled(text, values, path)
    if rendered is None:
        rendered = render_document(markdown, path)
    return Doc(title=title, source=path, markdown=markdown, rendered=rendered)


def _versions(office_files: OfficeFiles, config: OfficeConfig, values: dict, day: dt.date,
              warnings: list[str] | None = None) -> tuple[TermsVersion, ...]:
    """Every version on file; one superseded by `day` is expanded with the facts the lock recorded
    for it, so changing office.yaml later changes the current text, never an archived one. A
    published version still in force whose wording office.yaml changes adds to `warnings`."""
    terms = config.terms
    files = list(terms.versions) or [TermsVersionFile(
        effective=terms.revisions[-1].date if terms.revisions else None, file=terms.file)]
    lock = parse_lock(office_files.read(LOCK_FILE), office_files.path(LOCK_FILE))
    versions = []
    for index, spec in enumerate(files):
        later = files[index + 1].effective if index + 1 < len(files) else None
        revisions = tuple(r for r in terms.revisions
                          if (r.date <= spec.effective if spec.effective else later is None or r.date < later))
        key = spec.effective.isoformat() if spec.effective else "initial"
        path, source = _read_source(office_files, spec.file, f"terms.versions[{index}].file" if terms.versions else "terms.file")
        own = {**values, **retention_facts(spec.retention)} if spec.retention else values
        used = {**own, **lock.facts[key]} if later is not None and later <= day and key in lock.facts else own
        label = revision_text(revisions[-1]) if revisions else "初版"
        if used is own and warnings is not None and key in lock.facts:
            changed = changed_facts(source, lock.facts[key], own)
            if changed:
                warnings.append(f"{display_path(office_files.path(OFFICE_FILE))}: {', '.join(changed)}: 公開済みの利用規約"
                                f"（{label}）の文面がこの変更で変わります。同意の記録は表示した文面を残しますが、"
                                "文面が変わる改訂は、新しい施行日の版として追加してください")
        doc = _doc(path, source, terms.title, used)
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
        check_published(lock, key, digest, path, label, listed=bool(terms.versions))
        versions.append(TermsVersion(key, spec.effective, revisions, doc, digest, tuple(sorted(used.items())),
                                     spec.retention or config.retention,
                                     _published_on(lock, key, spec.effective, day) if index else None, source))
    _check_order(office_files.path(OFFICE_FILE), config, lock, versions, day)
    return tuple(versions)


def _published_on(lock: Lock, key: str, effective: dt.date | None, day: dt.date) -> dt.date | None:
    """The day a version's notice was first published: as the lock recorded it; else today for a
    version the lock does not know yet, or its effective date (at most today) for one published
    before the lock recorded notice dates."""
    if effective is None:
        return None
    if key in lock.announced:
        return min(dt.date.fromisoformat(lock.announced[key]), day)
    return day if key not in lock.published else min(effective, day)


def _check_order(path: Path, config: OfficeConfig, lock: Lock, versions: list[TermsVersion], day: dt.date) -> None:
    """Refuse a version not yet published whose effective date is before the published one in force."""
    in_force = [v for v in versions if v.key in lock.published and v.effective and v.effective <= day]
    if not in_force or not config.terms.versions:
        return
    for index, v in enumerate(versions):
        if v.key not in lock.published and v.effective and v.effective < in_force[-1].effective:
            raise ContentError(path, f"terms.versions[{index}].effective",
                               f"新しい版の施行日 {v.effective.isoformat()} が、施行中の版（{in_force[-1].label}、"
                               f"{in_force[-1].effective.isoformat()}施行）より前です。施行中の版より後の日付にしてください")


def _read_yaml(path: Path) -> object:
    """A content YAML file's data; its one problem (syntax, encoding) raised as ContentErrors."""
    try:
        return load_yaml(path)
    except ContentError as exc:
        raise ContentErrors([exc]) from None


def _read_office_yaml(files: OfficeFiles) -> object:
    """office.yaml's data, as _read_yaml reads a file on disk."""
    try:
        return files.yaml(OFFICE_FILE)
    except ContentError as exc:
        raise ContentErrors([exc]) from None


def load_office(folder: Path | OfficeFiles, today: dt.date | None = None) -> Office:
    """Load one office folder (or its files from a snapshot pack), raising ContentErrors with every problem found.

    ContentErrors is the only error it raises, even for a single problem, so callers gather
    every office's problems with one except clause. `today` chooses the current terms version;
    None takes the newest version on file.
    """
    files = folder if isinstance(folder, OfficeFiles) else OfficeFiles(folder)
    slug = files.slug
    path = files.path(OFFICE_FILE)
    if not _SLUG.match(slug):
        raise ContentErrors([ContentError(files.folder, None, "フォルダー名は半角英小文字・数字・ハイフンにしてください")])
    if slug in RESERVED_NAMES:
        raise ContentErrors([ContentError(files.folder, None, f"フォルダー名「{slug}」はサイトの共通ページ"
                                          f"（{'・'.join(sorted(RESERVED_NAMES))}）と重なるため使えません。別の名前にしてください")])
    data = _read_office_yaml(files)
    try:
        config = OfficeConfig.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise ContentErrors(validation_errors(path, exc, OfficeConfig)) from None
    values = facts(config)
    # The guide and the terms are checked apart, so an editor sees a problem in each at once.
    found: list[ContentError] = []
    guide = versions = None
    changed_terms: list[str] = []
    try:
        guide = _doc(*_read_source(files, config.guide.file, "guide.file"), config.guide.title, values)
    except ContentError as exc:
        found.append(exc)
    try:
        versions = _versions(files, config, values, today or dt.datetime.now(TOKYO).date(), changed_terms)
    except ContentError as exc:
        found.append(exc)
    if found:
        raise ContentErrors(found)
    for index, sid in enumerate(config.terms.before_consent):
        for version in versions:
            if sid not in {section.id for section in version.doc.rendered.sections}:
                raise ContentErrors([ContentError(
                    path, f"terms.before_consent[{index}]",
                    f"「{sid}」という見出しが {display_path(version.doc.source)} にありません"
                    "（第5条なら article-5。利用規約のページの目次で確かめてください）")])
    office = Office(slug, files.folder, config, guide, versions, versions[-1],
                    tuple(_warnings(path, config) + changed_terms))
    if today is not None:
        current = office.version_at(today)
        warnings = office.warnings
        if current.effective and current.effective > today:
            warnings += (f"{display_path(path)}: terms: {eras.wareki(today)}に施行されている版がありません。"
                         f"施行前の版（{current.label}）を現在の利用規約として表示します",)
        office = dataclasses.replace(office, current=current, warnings=warnings)
    return office


def load_site(content: Path) -> SiteConfig:
    """Load content/site.yaml (optional; defaults apply without it), raising ContentErrors."""
    path = content / SITE_FILE
    if not path.exists():
        return SiteConfig()
    data = _read_yaml(path)
    try:
        return SiteConfig.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise ContentErrors(validation_errors(path, exc, SiteConfig)) from None


def load_offices(content: Path, only: list[str] | None = None, today: dt.date | None = None) -> list[Office]:
    """Load every office (or the named ones), gathering all errors before raising."""
    return load_folders(office_folders(content, only), today)


def load_folders(folders: list[Path] | list[OfficeFiles], today: dt.date | None = None) -> list[Office]:
    """Load the given office folders (or their files from snapshot packs), gathering all errors before raising."""
    offices, errors = [], []
    for folder in folders:
        try:
            offices.append(load_office(folder, today))
        except ContentErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise ContentErrors(errors)
    return offices

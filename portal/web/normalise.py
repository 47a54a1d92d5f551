"""Pure checks and normalisation of what seekers type: lenient on form, strict on content.

Each function takes the raw text and returns the normalised value or raises `FieldError` with a
Japanese message for the seeker. No Flask here, so the rules are tested with plain tables.
"""
from __future__ import annotations

import re
import unicodedata

from ..errors import MadoguchiError
from ..wording import katakana

# Every dash a Japanese keyboard or a copy-paste may give: hyphen-minus, hyphen, non-breaking
# hyphen, figure dash, en/em dash, horizontal bar, minus sign, full-width hyphen-minus,
# katakana prolonged sound mark (often typed for a dash) and its half-width form.
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\u30fc\uff70\u2500\u2501\ufe63"
_DASH_RE = re.compile(f"[{re.escape(DASHES)}]")
_SPACES_RE = re.compile(r"[\s\u3000]+")
_MARKUP_RE = re.compile(r"[<>]")
_KANA_RE = re.compile(r"[\u30a1-\u30f6\u30fc\u30fb\u3000 ]+")
_EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")


class FieldError(MadoguchiError, ValueError):
    """A typed value is not acceptable; `message` is shown next to the field."""


def _has_control(text: str) -> bool:
    # Cc (control) and Cf (format: zero-width, bidi overrides) never belong in a form value;
    # newlines are allowed only where the caller says so.
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text)


def plain_text(raw: str, label: str, max_length: int, required: bool = True,
               multiline: bool = False) -> str:
    """Trimmed text without control characters or markup, at most max_length characters."""
    text = (raw or "").replace("\r\n", "\n").strip()
    if not text:
        if required:
            raise FieldError(f"{label}を入力してください")
        return ""
    check = text.replace("\n", "") if multiline else text
    if _has_control(check):
        raise FieldError(f"{label}に使えない文字（制御文字など）が含まれています")
    if _MARKUP_RE.search(text):
        raise FieldError(f"{label}に記号「<」「>」は使えません")
    if len(text) > max_length:
        raise FieldError(f"{label}は{max_length}文字以内で入力してください（いま{len(text)}文字です）")
    return unicodedata.normalize("NFC", text)


def name(raw: str) -> str:
    """氏名: 1-50 characters of plain text; half-width katakana become full-width, as in フリガナ."""
    return _SPACES_RE.sub("\u3000", _HALFWIDTH_KANA_RE.sub(_widen, plain_text(raw, "氏名", 50)))


# Half-width katakana and their sound marks (U+FF65-U+FF9F): only these are widened in a name,
# so full-width Latin letters or digits a seeker typed stay as typed.
_HALFWIDTH_KANA_RE = re.compile(r"[\uff65-\uff9f]+")


def _widen(match: re.Match) -> str:
    return unicodedata.normalize("NFKC", match.group(0))


def kana(raw: str) -> str:
    """フリガナ: katakana (hiragana and half-width katakana are converted), spaces allowed."""
    text = plain_text(raw, "フリガナ", 50)
    text = unicodedata.normalize("NFKC", text)  # half-width katakana → full-width
    text = katakana(text)
    text = _SPACES_RE.sub("\u3000", text)
    if not _KANA_RE.fullmatch(text):
        raise FieldError("フリガナはカタカナで入力してください")
    return text


def _digits_and_dashes(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "")
    text = _DASH_RE.sub("-", text)
    return _SPACES_RE.sub("", text)


def seeker_number(raw: str) -> str:
    """求職番号: 5 + 8 digits, full-width digits and any dash accepted; gives 12345-12345678."""
    label = "求職番号"
    if not (raw or "").strip():
        raise FieldError(f"{label}を入力してください")
    if len(raw) > 40 or _has_control(raw):
        raise FieldError(f"{label}は「12345-12345678」のように数字13桁で入力してください")
    text = _digits_and_dashes(raw)
    match = re.fullmatch(r"([0-9]{5})-?([0-9]{8})", text)
    if not match:
        digits = re.sub(r"[^0-9]", "", text)
        if re.fullmatch(r"[0-9-]+", text) and len(digits) != 13:
            raise FieldError(f"{label}は数字13桁です（いま{len(digits)}桁です）。ハローワーク受付票で確かめてください")
        raise FieldError(f"{label}は「12345-12345678」のように数字13桁で入力してください")
    return f"{match.group(1)}-{match.group(2)}"


def phone(raw: str) -> str:
    """Phone: 10 or 11 digits starting with 0; full-width digits, dashes and brackets accepted."""
    label = "電話番号"
    if not (raw or "").strip():
        raise FieldError(f"{label}を入力してください")
    if len(raw) > 40 or _has_control(raw):
        raise FieldError(f"{label}は「090-1234-5678」のように入力してください")
    text = re.sub(r"[()]", "", _domestic(_digits_and_dashes(raw))).replace("-", "")
    if not re.fullmatch(r"0[0-9]{9,10}", text):
        raise FieldError(f"{label}は0から始まる10桁か11桁の数字で入力してください（例：090-1234-5678）")
    return text


def _domestic(text: str) -> str:
    """+81 (Japan's country code, with or without the trunk 0 in brackets) written the domestic way."""
    return re.sub(r"^\+81-?(?:\(0\)-?)?", "0", text)


def phone_display(typed: str) -> str:
    """A stored phone as staff read and dial it: the seeker's own grouping (dashes, brackets) kept,
    in half-width digits and plain hyphens without spaces (０１１（８５３）０１０１ → 011(853)0101)."""
    return _domestic(_digits_and_dashes(typed))


# Prefixes whose numbers group differently from a landline (free dial, navi dial, mobile, IP).
_SHEET_GROUPS = (("0120", (4, 3, 3)), ("0570", (4, 3, 3)), ("0800", (4, 3, 4)), ("03", (2, 4, 4)),
                 ("06", (2, 4, 4)))


def phone_for_sheet(typed: str, local_area: str = "") -> str:
    """A stored phone as a spreadsheet keeps it: always with hyphens, so Excel never reads it as a
    number and drops the leading 0. The seeker's own grouping (dashes, brackets, spaces) wins;
    digits typed without one are grouped 3-4-4 (mobile, IP), 4-3-3 (0120, 0570), 2-4-4 (03, 06),
    by `local_area` (the office's own area code, e.g. "0152": most seekers live there), else 3-3-4
    (a landline's area code length is not told by its digits alone)."""
    text = _SPACES_RE.sub("-", _DASH_RE.sub("-", unicodedata.normalize("NFKC", typed or "").strip()))
    text = re.sub(r"[()]", "-", _domestic(text))
    text = re.sub(r"-{2,}", "-", text).strip("-")
    if not re.fullmatch(r"[0-9]+", text):
        return text
    groups = _SHEET_GROUPS
    if 2 <= len(local_area) <= 5 and local_area.isdigit():
        groups += ((local_area, (len(local_area), 6 - len(local_area), 4)),)
    sizes = next((g for prefix, g in groups if text.startswith(prefix) and sum(g) == len(text)),
                 (3, 4, 4) if len(text) == 11 else (3, 3, 4) if len(text) == 10 else ())
    if not sizes:
        return text
    cuts = [sum(sizes[:i]) for i in range(len(sizes) + 1)]
    return "-".join(text[a:b] for a, b in zip(cuts, cuts[1:]))


def email(raw: str) -> str:
    """E-mail address (optional): an ASCII address of at most 254 characters, or ""."""
    text = unicodedata.normalize("NFKC", (raw or "").strip())
    if not text:
        return ""
    if len(text) > 254 or _has_control(text) or not _EMAIL_RE.fullmatch(text):
        raise FieldError("メールアドレスは「name@example.jp」のような形で入力してください")
    return text

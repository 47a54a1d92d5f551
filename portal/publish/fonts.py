"""The font the PDFs are set in: the file fontconfig resolves, and a glyph for every character.

Kept apart from pdf.py (which lays out and renders) because it answers a content question: an
editor who typed a character the font lacks gets one error naming the file and line, before
anything is rendered. Reads the font with fontTools only; WeasyPrint is never imported here.
"""
from __future__ import annotations

import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import BuildError, ContentError, ContentErrors
from ..folders import OFFICE_FILE
from ..offices import Office

FONT_FAMILY = "Noto Sans CJK JP"
SUBSET_FAMILY = f"{FONT_FAMILY} Subset"   # each PDF's own subset of the font (see fontsubset.py)
_IGNORABLE = {"Cc", "Zl", "Zp"}   # line breaks and tabs: not drawn


@dataclass(frozen=True)
class FontFile:
    """One face of the font as fontconfig resolves it (file and index inside a .ttc)."""
    path: Path
    index: int

    def identity(self) -> str:
        """What changes when the font file is replaced: path, index, size and modification time."""
        st = self.path.stat()
        return f"{self.path}#{self.index}:{st.st_size}:{st.st_mtime_ns}"


@lru_cache(maxsize=None)
def resolve_font(style: str = "Regular") -> FontFile:
    """The font file fontconfig picks for Noto Sans CJK JP (the one WeasyPrint will use)."""
    pattern = FONT_FAMILY + (":weight=bold" if style == "Bold" else "")
    try:
        out = subprocess.run(["fc-match", "-f", "%{family}|%{file}|%{index}", pattern],
                             check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BuildError(f"fc-match が使えません（fontconfig）: {exc}") from exc
    family, path, index = out.rsplit("|", 2)
    if FONT_FAMILY not in family.split(","):
        raise BuildError(f"フォント「{FONT_FAMILY}」が見つかりません（代わりに {family} が選ばれます）。"
                         "Debian のパッケージ fonts-noto-cjk を入れてください")
    return FontFile(Path(path), int(index or 0))


@lru_cache(maxsize=None)
def font_codepoints(font: FontFile) -> frozenset[int]:
    """Every code point the font has a glyph for (its best Unicode cmap)."""
    from fontTools.ttLib import TTFont  # WeasyPrint's own dependency; only needed with PDFs

    with TTFont(font.path, fontNumber=font.index, lazy=True) as face:
        return frozenset(face.getBestCmap())


def _variation_selector(char: str) -> bool:
    # Selectors pick a glyph variant of the character before them (the font's format-14 cmap).
    return 0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF


def _texts(office: Office) -> list[tuple[Path, str]]:
    """Every text the PDFs print, with the file an editor would fix."""
    c = office.config
    yaml = office.folder / OFFICE_FILE
    facts = [c.office.name, c.office.issuer, c.office.phone, c.office.email, c.office.address,
             c.guide.title, c.terms.title, c.session.tool, c.service]
    return [(office.guide.source, office.guide.markdown), (office.terms.source, office.terms.markdown),
            (yaml, "\n".join(f for f in facts if f))]


def _line_of(path: Path, char: str) -> str | None:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if char in line:
                return f"{number}行目"
    except OSError:
        pass
    return None


def check_glyphs(offices: list[Office]) -> None:
    """Fail, naming each character and its file, when the font has no glyph for it."""
    covered = font_codepoints(resolve_font("Regular")) & font_codepoints(resolve_font("Bold"))
    errors, seen = [], set()
    for office in offices:
        for path, text in _texts(office):
            for char in sorted(set(text), key=text.index):
                if ord(char) in covered or unicodedata.category(char) in _IGNORABLE or char.isspace() \
                        or _variation_selector(char):
                    continue
                # A character from a placeholder is not in the Markdown file: point at office.yaml.
                where = _line_of(path, char)
                if where is None and path.suffix == ".md":
                    path, where = office.folder / OFFICE_FILE, _line_of(office.folder / OFFICE_FILE, char)
                if (path, char) in seen:
                    continue
                seen.add((path, char))
                errors.append(ContentError(path, where, f"「{char}」（U+{ord(char):04X}）は PDF のフォント"
                                           f"（{FONT_FAMILY}）にない文字です。別の文字に置き換えてください"))
    if errors:
        raise ContentErrors(errors)

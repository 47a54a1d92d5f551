"""Generate a synthetic content set in the shape of the real offices (for the national-scale bench).

Usage: python bench/synth.py OUT [--offices 544] [--seed 1]

Each office is derived from one of the real offices (alternating), with its own name, phone,
hours, session length, deadline, channels, eligibility, revision history and some text varied,
so the build does real work for every office.
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASES = ["abashiri", "mothers-hiroshima"]
PLACES = "札幌函館旭川帯広釧路北見青森盛岡仙台秋田山形福島水戸宇都宮前橋浦和千葉新宿品川横浜川崎新潟富山金沢福井甲府長野岐阜静岡浜松名古屋津大津京都大阪堺神戸奈良和歌山鳥取松江岡山広島山口徳島高松松山高知福岡北九州佐賀長崎熊本大分宮崎鹿児島那覇"


def _windows(rng: random.Random) -> str:
    start = rng.choice([8 * 60 + 30, 9 * 60, 9 * 60 + 30, 10 * 60])
    if rng.random() < 0.5:
        lunch = 12 * 60
        spans = [(start, lunch), (13 * 60 + rng.choice([0, 30]), rng.choice([16, 17]) * 60)]
    else:
        spans = [(start, rng.choice([15, 16, 17]) * 60)]
    fmt = lambda m: f'"{m // 60}:{m % 60:02d}"'  # noqa: E731
    return "\n".join(f"    - {{start: {fmt(a)}, end: {fmt(b)}}}" for a, b in spans)


def make_office(folder: Path, n: int, rng: random.Random) -> None:
    """Write one synthetic office folder."""
    base = ROOT / "content" / BASES[n % 2]
    folder.mkdir(parents=True)
    place = PLACES[n % len(PLACES)] + ("" if n < len(PLACES) else str(n // len(PLACES)))
    yaml = (base / "office.yaml").read_text(encoding="utf-8")
    yaml = re.sub(r"(?m)^  name: .*$", f"  name: ハローワーク{place}{n:03d}", yaml)
    yaml = re.sub(r"(?m)^  windows:\n(?:    - [^\n]*\n)+", f"  windows:\n{_windows(rng)}\n", yaml)
    yaml = re.sub(r"(?m)^  minutes: 30$", f"  minutes: {rng.choice([20, 30, 30, 45, 60])}", yaml, count=1)
    yaml = re.sub(r"(?m)^  deadline_business_days: 1", f"  deadline_business_days: {rng.choice([1, 1, 2, 3])}", yaml)
    yaml = re.sub(r"(?m)^  capacity: 1", f"  capacity: {rng.choice([1, 1, 2, 3])}", yaml)
    if "phone:" not in yaml:
        yaml = yaml.replace("  issuer:", f'  phone: "0{rng.randint(11, 99)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"\n  issuer:', 1)
    else:
        yaml = re.sub(r'(?m)^  phone: .*$', f'  phone: "0{rng.randint(11, 99)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"', yaml)
    yaml = yaml.replace("  court: ", "  address: 〒000-0000 どこか市どこか町1-2-3\n"
                        f"  email: online-{n:03d}@example.go.jp\n  court: ", 1)
    (folder / "office.yaml").write_text(yaml, encoding="utf-8")
    for name in ("guide.md", "terms.md"):
        text = (base / name).read_text(encoding="utf-8")
        extra = "".join(rng.choice(["詳しくは窓口でお尋ねください。", "ご不明な点はお問い合わせください。", ""])
                        for _ in range(rng.randint(0, 3)))
        (folder / name).write_text(text.replace("。\n", "。" + extra + "\n", 1), encoding="utf-8")


def generate(out: Path, offices: int = 544, seed: int = 1) -> Path:
    """Write a content folder with `offices` synthetic offices; returns it."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy(ROOT / "content" / "site.yaml", out / "site.yaml")
    rng = random.Random(seed)
    for n in range(offices):
        make_office(out / f"office-{n:03d}", n, rng)
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--offices", type=int, default=544)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    generate(a.out, a.offices, a.seed)
    sys.exit(0)

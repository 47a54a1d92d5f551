"""The snapshot's office pack (portal/publish/zippack.py): the zip zipfile itself would write,
read back whole, and refused when damaged."""
from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest

from portal.publish import zippack

FILES = [("empty", b""), ("guide.md", "# 案内\n".encode() * 300), ("sub/日本語.md", b"y"), ("terms-lock.json", b"{}\n")]


def test_a_pack_is_the_stored_zip_zipfile_writes_and_reads_back_whole(tmp_path):
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w", zipfile.ZIP_STORED) as archive:
        for name, data in FILES:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data)
    data = zippack.pack(FILES)
    assert data == expected.getvalue()
    assert zippack.unpack(data) == dict(FILES)
    if shutil.which("unzip"):
        (tmp_path / "p.zip").write_bytes(data)
        assert subprocess.run(["unzip", "-tq", str(tmp_path / "p.zip")], capture_output=True).returncode == 0


@pytest.mark.parametrize("cut", [0, 10, 100, -30, -1])
def test_a_truncated_or_damaged_pack_is_none(cut):
    data = zippack.pack(FILES)
    assert zippack.unpack(data[:cut]) is None
    flipped = bytearray(data)
    flipped[100] ^= 0xFF                    # a byte of guide.md: its CRC fails
    assert zippack.unpack(bytes(flipped)) is None


def test_a_name_twice_is_refused():
    assert zippack.unpack(zippack.pack([("a", b"1"), ("a", b"2")])) is None

"""The snapshot's office pack: an uncompressed zip of an office folder's files, made and read in memory.

A plain zip, so `unzip -l` lists a pack and any zip tool opens it: every entry stored (no
compression), named by its path relative to the office folder (with /, UTF-8), dated
1980-01-01 00:00 and mode 0644, so the same files always give the same bytes. It is written
here with struct rather than zipfile: a national build packs two thousand files, and zipfile's
per-entry bookkeeping cost more than the writing. Reading goes through zipfile, which checks
each entry's CRC. Office folders hold a few small files: a folder past zip's 32-bit limits
(4 GiB, 65,535 entries) is refused with ValueError.
"""
from __future__ import annotations

import struct
import zlib

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_VERSION = 20                  # 2.0: stored entries, folders
_MADE_BY = 3 << 8 | _VERSION   # on Unix: the external attributes hold the mode
_UTF8 = 0x800                  # names are UTF-8
_DATE = (0 << 9) | (1 << 5) | 1   # 1980-01-01 in MS-DOS form; the time is 00:00
_MODE = 0o100644 << 16


def pack(files: list[tuple[str, bytes]]) -> bytes:
    """The zip holding these files (path relative to the folder, bytes), in this order."""
    parts, central, offset = [], [], 0
    for name, data in files:
        raw = name.encode("utf-8")
        crc, size = zlib.crc32(data), len(data)
        if size >= 0xFFFFFFFF or offset >= 0xFFFFFFFF:
            raise ValueError(f"{name}: too large for a pack")
        flags = _UTF8 if not raw.isascii() else 0
        head = _LOCAL.pack(0x04034B50, _VERSION, flags, 0, 0, _DATE, crc, size, size, len(raw), 0)
        central.append(_CENTRAL.pack(0x02014B50, _MADE_BY, _VERSION, flags, 0, 0, _DATE, crc, size, size,
                                     len(raw), 0, 0, 0, 0, _MODE, offset) + raw)
        parts += (head, raw, data)
        offset += len(head) + len(raw) + size
    if len(central) > 0xFFFF or offset >= 0xFFFFFFFF:
        raise ValueError("too many files for a pack")
    directory = b"".join(central)
    end = _END.pack(0x06054B50, 0, 0, len(central), len(central), len(directory), offset, 0)
    return b"".join((*parts, directory, end))


def unpack(data: bytes) -> dict[str, bytes] | None:
    """The files of a pack (path → bytes); None when it is not a whole zip of files (truncated,
    damaged, a name twice, a folder entry)."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = {}
            for info in archive.infolist():
                if info.filename in files or info.is_dir():
                    return None
                files[info.filename] = archive.read(info)   # checks the entry's CRC
    except (zipfile.BadZipFile, EOFError, ValueError, KeyError, NotImplementedError, OSError):
        return None
    return files

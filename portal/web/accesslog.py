"""gunicorn's access log with every logged value made safe to read and to parse (issue 14).

gunicorn writes the decoded path (`%(U)s`) and request headers as received: `%0d%0a` in a URL
became a line break and a forged log line, and `<script>` went in raw for any log viewer to
render. Here the path is logged percent-encoded as on the wire, and every other text value has
each character outside printable ASCII (and `<`, `>`, `"`, `\\`) written as an escape. Set as
`logger_class` in gunicorn.conf.py, so any gunicorn started from the project folder uses it.
"""
from __future__ import annotations

import datetime
from urllib.parse import quote

from gunicorn.glogging import Logger

_PATH_SAFE = "/-._~!$&'()*+,;=:@"   # RFC 3986 path characters, less the percent sign
_RISKY = set('<>"\\')


def _escape(ch: str) -> str:
    if " " <= ch <= "~" and ch not in _RISKY:
        return ch
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xff else f"\\u{code:04x}" if code <= 0xffff else f"\\U{code:08x}"


def escape_text(value: str) -> str:
    """value with control, non-ASCII and markup characters as \\xNN / \\uNNNN escapes."""
    return "".join(map(_escape, value))


def escape_path(path: str) -> str:
    """A decoded WSGI path (latin-1 text of the raw bytes) percent-encoded again, as sent."""
    return quote(path.encode("latin-1", "backslashreplace"), safe=_PATH_SAFE)


class SafeAccessLogger(Logger):
    """gunicorn's Logger whose access-log values are escaped (see the module docstring)."""

    def atoms(self, resp: object, req: object, environ: dict, request_time: datetime.timedelta) -> dict:
        """gunicorn's atoms, the path percent-encoded and every other text escaped."""
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str) and key != "t":   # t: gunicorn's own time stamp
                atoms[key] = escape_path(value) if key == "U" else escape_text(value)
        return atoms

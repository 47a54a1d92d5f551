"""STARTTLS and TLS from the start, with SMTP AUTH, against a real aiosmtpd server holding a
certificate made for the test (trusted through SSL_CERT_FILE, as the system's CAs would be)."""
from __future__ import annotations

import datetime
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from portal.web.outbox.message import build
from portal.web.outbox.sender import SmtpSettings, connect

from .smtpserver import Collector, free_port

NOW = datetime.datetime(2026, 5, 1, tzinfo=datetime.timezone.utc)


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def _check(user: str, password: str):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=ok)
    return authenticator


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_secure_connection_with_login(certificate, security):
    collector, port = Collector(), free_port()
    extra = {"tls_context": certificate, "require_starttls": True} if security == "starttls" \
        else {"ssl_context": certificate, "auth_require_tls": False}   # aiosmtpd cannot tell TLS from the start
    controller = Controller(collector, hostname="localhost", port=port, authenticator=_check("mado", "pw"),
                            auth_required=True, **extra)
    controller.start()
    try:
        settings = SmtpSettings("localhost", port, security, "mado", "pw", "madoguchi@example.jp")
        smtp = connect(settings)
        msg = build(recipient="a@example.jp", subject="件名", body="本文", ics=None, message_key="k1",
                    sender=settings.sender, sender_name="窓口", now=NOW)
        smtp.send_message(msg)
        smtp.quit()
    finally:
        controller.stop()
    assert [m["Message-ID"] for m in collector.messages] == ["<k1@example.jp>"]

"""Error pages in Japanese for every HTTP error; never a traceback, and the session rolls back."""
from __future__ import annotations

import traceback
from pathlib import Path

from flask import Flask, g, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from .frame import page
from .state import portal_state

MESSAGES = {
    400: ("送信内容を受け付けられませんでした",
          "ページの有効期限が切れたか、送信内容に問題があります。お手数ですが、最初からやり直してください。"),
    403: ("このページを表示する権限がありません",
          "担当している窓口のページだけを表示できます。別の窓口の申し込みは、その窓口にお問い合わせください。"),
    404: ("ページが見つかりません", "アドレスが間違っているか、ページが移動した可能性があります。"),
    405: ("この操作はできません", "このページでは、その方法での送信を受け付けていません。"),
    413: ("送信内容が大きすぎます", "入力した文章を短くして、もう一度送信してください。"),
    429: ("送信の回数が多すぎます", "しばらく時間をおいてから、もう一度お試しください。"),
    500: ("システムの不具合が発生しました",
          "申し訳ありません。時間をおいてもう一度お試しいただくか、電話でお申し込みください。"),
    503: ("ただいまご利用いただけません",
          "システムの保守または一時的な障害のため、ただいまご利用いただけません。数分おいてから、もう一度お試しください。"
          "送信の途中だった場合も、同じ内容で送り直して申し込みが二重になることはありません。"),
}


def render_error(code: int):
    """The Japanese error page of an HTTP status (also for handlers that answer some cases themselves)."""
    title, text = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    return render_template("portal/error.html", page=page(None, title, portal_state().site.title, portal_state().site.operator),
                           code=code, title=title, text=text), code


def _with_allow(exc: HTTPException, page: tuple[str, int]) -> tuple[str, int, dict[str, str]]:
    """A 405 page keeps the `Allow` header the exception carries (RFC 9110 requires it)."""
    allowed = getattr(exc, "valid_methods", None)
    return (*page, {"Allow": ", ".join(allowed)} if allowed else {})


def database_unavailable(exc: BaseException) -> bool:
    """True for a database that cannot be reached right now (restarting, down, pool exhausted):
    the request can simply be tried again, so it gets a 503, not the 500 of a bug."""
    if isinstance(exc, PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and (exc.connection_invalidated
                                            or isinstance(exc, (OperationalError, InterfaceError)))


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(_exc: CSRFError):
        return render_error(400)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return _with_allow(exc, render_error(exc.code or 500))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return _with_allow(exc, render_error(exc.code or 500))
        db = g.pop("db", None)
        if db is not None:
            db.rollback()
            db.close()
        # The type and where it happened, never the message: a database server may echo a
        # submitted value in its error text, and no log line may carry personal data.
        frames = traceback.extract_tb(exc.__traceback__)
        where = " < ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames[-4:]))
        if database_unavailable(exc):
            app.logger.warning("database unavailable: %s at %s", type(exc).__name__, where)
            return (*render_error(503), {"Retry-After": "30"})
        app.logger.error("unhandled error: %s at %s", type(exc).__name__, where)
        return render_error(InternalServerError.code)

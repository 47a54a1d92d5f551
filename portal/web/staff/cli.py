"""`flask --app portal.web staff …`: add, disable and reset staff, reset their MFA; purge; backup.

A click group that create_app adds to the app's command line. Each command prints one line; an
error prints one line and exits 1.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
import sqlite3
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from .. import db, retention
from ..db import database_problem
from ..state import portal_state
from . import accounts, mfa


group = AppGroup("staff", help="Staff accounts, purge and backup of the portal's database.")


def _fail(message: str):
    raise click.ClickException(message)


def _one_line(command: Callable[..., None]) -> Callable[..., None]:
    """Turn a database or file error into one line naming the database, never a traceback."""
    @functools.wraps(command)
    def run(*args: object, **kwargs: object) -> None:
        try:
            return command(*args, **kwargs)
        except (SQLAlchemyError, sqlite3.Error) as exc:
            _fail(database_problem(current_app.config["DATABASE_URL"], exc))
        except OSError as exc:
            _fail(f"{exc.filename or ''}: {exc.strerror or exc}")
    return run


def _username(raw: str) -> str:
    """Names are stored in lower case (add), so every command looks them up so."""
    return raw.strip().lower()


def _database() -> str:
    return db.engine_of(current_app).url.render_as_string(hide_password=True)


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("パスワード", hide_input=True, confirmation_prompt=True)


@group.command("add")
@click.argument("username")
@click.option("--name", "display_name", default="", help="表示名（省略時はユーザー名）")
@click.option("--office", "offices", multiple=True, required=True,
              help="窓口と役割: slug[:counsellor|office_admin]（複数指定可）")
@click.option("--password-stdin", is_flag=True, help="パスワードを標準入力の1行目から読む")
@_one_line
def add(username: str, display_name: str, offices: tuple[str, ...], password_stdin: bool) -> None:
    """Add a staff account bound to one or more offices."""
    try:
        bindings = accounts.parse_offices(list(offices), set(portal_state().offices))
        user_id = accounts.add_staff(db.session(), _username(username), display_name,
                                     _password(password_stdin), bindings, portal_state().now(),
                                     portal_state().hasher)
    except accounts.AccountError as exc:
        _fail(exc.message)
    click.echo(f"職員 {_username(username)} を追加しました（id {user_id}）: " + ", ".join(f"{s}:{r}" for s, r in bindings))


@group.command("disable")
@click.argument("username")
@_one_line
def disable(username: str) -> None:
    """Disable an account; its sessions end at once."""
    try:
        accounts.disable_staff(db.session(), _username(username), portal_state().now())
    except accounts.AccountError as exc:
        _fail(exc.message)
    click.echo(f"職員 {username} を無効にしました（ログイン中のセッションも終了）")


@group.command("reset")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="パスワードを標準入力の1行目から読む")
@_one_line
def reset(username: str, password_stdin: bool) -> None:
    """Set a new password (re-enables and unlocks the account; ends its sessions)."""
    try:
        accounts.reset_password(db.session(), _username(username), _password(password_stdin),
                                portal_state().now(), portal_state().hasher)
    except accounts.AccountError as exc:
        _fail(exc.message)
    click.echo(f"職員 {username} のパスワードを再設定しました")


@group.command("mfa-reset")
@click.argument("username")
@_one_line
def mfa_reset(username: str) -> None:
    """Remove a user's two-step authentication (lost phone and codes); they enrol again at next login."""
    try:
        user_id = accounts.user_id(db.session(), _username(username))
    except accounts.AccountError as exc:
        _fail(exc.message)
    mfa.reset(db.session(), user_id, portal_state().now(), None)
    click.echo(f"職員 {_username(username)} の二段階認証を解除しました（ログイン中のセッションも終了。次のログインで再設定）")


@group.command("purge")
@click.option("--dry-run", is_flag=True, help="数えるだけで削除しない")
@click.option("--wait", "wait_seconds", type=click.FloatRange(0, 3600), default=30.0, show_default=True,
              help="ほかの接続の読み取りが終わるのを待つ秒数（SQLite の -wal を空にするため）")
@_one_line
def purge(dry_run: bool, wait_seconds: float) -> None:
    """Delete personal data past each office's retention (office.yaml `retention`)."""
    state = portal_state()
    try:
        result = retention.purge(db.engine_of(current_app), list(state.offices.values()), state.now(),
                                 dry_run=dry_run, wait_seconds=wait_seconds)
    except retention.CompactError as exc:
        _fail(str(exc))
    verb = "削除対象" if dry_run else "削除しました"
    click.echo(f"{_database()}: {verb}: {result.total}件 (" + ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items())) + ")")


@group.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@_one_line
def backup(dest: Path) -> None:
    """Copy the running SQLite database to DEST (online backup API), checked with integrity_check."""
    try:
        pages = retention.backup(db.engine_of(current_app), dest)
    except retention.BackupError as exc:
        _fail(str(exc))
    click.echo(f"{_database()} のバックアップを作成しました: {dest}（{pages}ページ, integrity_check ok）")

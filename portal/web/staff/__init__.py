"""The staff console as a blueprint: login, per-office queue, request detail and actions,
schedule, CSV export, audit log and accounts, all under /staff/.

The URL map is written here as a table; the views live in `views`, `actions` and
`accounts_views`, the session and access checks in `access`, reads in `queries` and `reports`,
writes in `services` and `accounts`, and the `flask staff …` commands in `cli` (added to the app
by create_app).
"""
from __future__ import annotations

from flask import Blueprint

from . import access, accounts_views, actions, intake_views, mail_views, mfa_pages, params, views

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(params.check_request)
bp.before_request(access.load_staff)
bp.after_request(access.no_store)
bp.add_url_rule("/login", view_func=views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", view_func=views.logout, methods=["POST"])
bp.add_url_rule("/mfa", "mfa", view_func=mfa_pages.code_page, methods=["GET", "POST"])
bp.add_url_rule("/mfa/setup", "mfa_setup", view_func=mfa_pages.setup_page, methods=["GET", "POST"])
bp.add_url_rule("/", view_func=views.home, methods=["GET"])
bp.add_url_rule("/<slug>/", view_func=views.queue, methods=["GET"])
bp.add_url_rule("/<slug>/new", view_func=intake_views.new_booking, methods=["GET", "POST"])
bp.add_url_rule("/<slug>/requests/<reference>", view_func=views.detail, methods=["GET"])
bp.add_url_rule("/<slug>/requests/<reference>/<action>", "ask", view_func=actions.ask, methods=["GET"])
bp.add_url_rule("/<slug>/requests/<reference>/<action>", view_func=actions.act, methods=["POST"])
bp.add_url_rule("/<slug>/terms/<sha256>", view_func=views.terms, methods=["GET"])
bp.add_url_rule("/<slug>/schedule", view_func=views.schedule, methods=["GET"])
bp.add_url_rule("/<slug>/week", view_func=views.week, methods=["GET"])
bp.add_url_rule("/<slug>/export.csv", view_func=views.export, methods=["GET"])
bp.add_url_rule("/<slug>/audit", view_func=views.audit_log, methods=["GET"])
bp.add_url_rule("/<slug>/mail", "mail", view_func=mail_views.mail_page, methods=["GET"])
bp.add_url_rule("/password", view_func=accounts_views.password, methods=["GET", "POST"])
bp.add_url_rule("/<slug>/accounts", view_func=accounts_views.account_list, methods=["GET", "POST"])
bp.add_url_rule("/<slug>/accounts/<username>", view_func=accounts_views.account_page, methods=["GET"])
bp.add_url_rule("/<slug>/accounts/<username>/<action>", view_func=accounts_views.account_act, methods=["POST"])
bp.add_url_rule("/<slug>/mfa", "mfa_office", view_func=mfa_pages.office_page, methods=["GET"])
bp.add_url_rule("/<slug>/mfa/<user_id>/reset", "mfa_reset", view_func=mfa_pages.office_reset, methods=["POST"])

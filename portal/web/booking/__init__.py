"""The seeker's booking flow of one office, as a blueprint: start, eligibility, request, check
answers, done; then the seeker's own request: its page, finding it, cancelling it.

The URL map is written here as a table, so the whole flow reads in one place; the views live in
`views`, their forms in `forms`, the page context in `pages` and the one write in `services`.
"""
from __future__ import annotations

from flask import Blueprint

from . import manage, views

bp = Blueprint("booking", __name__, url_prefix="/<slug>/booking")
bp.add_url_rule("/", view_func=views.start, methods=["GET"])
bp.add_url_rule("/eligibility", view_func=views.eligibility, methods=["GET", "POST"])
bp.add_url_rule("/not-eligible/<condition>", view_func=views.not_eligible, methods=["GET"])
bp.add_url_rule("/request", endpoint="request_get", view_func=views.request_get, methods=["GET"])
bp.add_url_rule("/request", endpoint="request_post", view_func=views.request_post, methods=["POST"])
bp.add_url_rule("/check", view_func=views.check, methods=["GET"])
bp.add_url_rule("/submit", view_func=views.submit, methods=["POST"])
bp.add_url_rule("/done", view_func=views.done, methods=["GET"])
bp.add_url_rule("/status", view_func=manage.status, methods=["GET"])
bp.add_url_rule("/find", view_func=manage.find, methods=["GET", "POST"])
bp.add_url_rule("/status/cancel", endpoint="cancel_get", view_func=manage.cancel_get, methods=["GET"])
bp.add_url_rule("/status/cancel", endpoint="cancel_post", view_func=manage.cancel_post, methods=["POST"])
bp.register_error_handler(429, views.too_many)

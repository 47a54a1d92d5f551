"""Madoguchi: per-office content, static site, leaflets and booking portal.

The web application factory lives in :mod:`portal.web`, so that the static build
(``build.py``) never imports Flask or the database layer.
"""

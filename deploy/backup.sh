#!/bin/bash
# A consistent online copy of the portal's database (madoguchi-backup.service runs it daily):
# pg_dump for PostgreSQL, `staff backup` (SQLite's online backup API) for a SQLite file. Copies go
# to $BACKUP_DIR readable by their owner only; those older than $BACKUP_KEEP_DAYS days are
# deleted (backups hold personal data: keep them no longer than the retention).
set -euo pipefail
umask 077
dir="${BACKUP_DIR:-/var/backups/madoguchi}"
keep="${BACKUP_KEEP_DAYS:-30}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stamp="$(TZ=Asia/Tokyo date +%Y-%m-%d-%H%M%S)"
url="${PORTAL_DATABASE_URL:-}"
mkdir -p "$dir"
case "$url" in
  postgresql*)
    dest="$dir/madoguchi-$stamp.dump"
    # pg_dump takes libpq's URL: without SQLAlchemy's +driver part.
    pg_dump --format=custom --file="$dest.part" "${url/+psycopg/}"
    mv "$dest.part" "$dest" ;;
  *)
    dest="$dir/madoguchi-$stamp.sqlite3"
    (cd "$root" && "$root/.venv/bin/flask" --app portal.web staff backup "$dest") ;;
esac
find "$dir" -maxdepth 1 -name 'madoguchi-*' -mtime +"$keep" -delete
echo "backup written: $dest"

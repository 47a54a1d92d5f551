# Sourced by scripts/run and scripts/test: installs what the project needs, idempotently.
# Debian packages via apt-get (only the missing ones), then a virtualenv in .venv with the
# project installed editable. Re-running is cheap: each step is skipped when already done.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What building the site and its PDF leaflets needs (Japanese fonts, WeasyPrint's libraries).
RUN_PACKAGES=(fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 python3-venv)
# What the tests add: PDF and QR tools, a real browser, a real PostgreSQL server.
TEST_PACKAGES=(poppler-utils zbar-tools chromium postgresql)
# The multi-host test (tests/deploy/) runs Debian's nginx in front of two portal hosts.
TEST_PACKAGES+=(nginx)
# The browser tests' checkers: vnu runs on Java, axe-core and vnu-jar come from npm.
command -v java >/dev/null || TEST_PACKAGES+=(default-jre-headless)
command -v npm >/dev/null || TEST_PACKAGES+=(nodejs npm)

setup_python() {
  local extras="$1" stamp
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  stamp="$VENV/.madoguchi-$(cat "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)-$extras"
  if [ ! -f "$stamp" ]; then
    echo "setup: installing Python packages into .venv ($extras)"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e "$ROOT[$extras]"
    rm -f "$VENV"/.madoguchi-*
    touch "$stamp"
  fi
}

# axe-core and vnu-jar for the browser tests, pinned by tests/e2e/package-lock.json. Scripts are
# not run: vnu-jar's postinstall would download a Java runtime; the machine's Java is used.
setup_node_tools() {
  local dir="$ROOT/tests/e2e" stamp
  stamp="$dir/node_modules/.madoguchi-$(sha256sum < "$dir/package-lock.json" | cut -c1-16)"
  [ -f "$stamp" ] && return 0
  echo "setup: installing axe-core and vnu-jar into tests/e2e/node_modules"
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  touch "$stamp"
}

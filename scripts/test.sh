#!/usr/bin/env bash
# Install what the test suite needs (Python packages, Debian's Chromium, a Redis), then run it.
# Extra arguments go to pytest. Set TEST_DATABASE_URL to also run the database tests on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

apt_install() {
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

"$PYTHON" -m pip install -q --disable-pip-version-check -r requirements-dev.txt

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser tests..."
  apt_install chromium
fi

# Celery is tested with a real worker on Redis: use TEST_REDIS_URL, the local server, or a private one.
if [ -z "${TEST_REDIS_URL:-}" ]; then
  if ! "$PYTHON" -c "import redis; redis.Redis(host='127.0.0.1', port=6379, socket_timeout=1).ping()" 2>/dev/null; then
    command -v redis-server >/dev/null || apt_install redis-server
    PORT=6391
    redis-server --daemonize yes --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no >/dev/null
    export TEST_REDIS_URL="redis://127.0.0.1:${PORT}/15"
    echo "Started a private Redis on port ${PORT} for the tests."
  fi
fi

# Two processes by default (TEST_WORKERS=1 runs the suite in one); each has its own databases.
exec "$PYTHON" -m pytest -n "${TEST_WORKERS:-2}" "$@"

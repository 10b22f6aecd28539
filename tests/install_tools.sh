#!/usr/bin/env bash
# Installs the Debian programs some tests drive, when missing and we may (root, apt):
#   chromium                  the dashboard in a browser (tests/browser)
#   prometheus-alertmanager   a real Alertmanager posting to IMAS (tests/integration)
#   prometheus                promtool, which checks the chart's alert rules (tests/deploy)
# Idempotent and quiet; never fails the caller: a test whose program is missing skips.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
[ ${#missing[@]} -eq 0 ] && exit 0
[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || exit 0
export DEBIAN_FRONTEND=noninteractive
# Debian's packages start no daemon here (no init system); the tests start what they need.
install() { apt-get install -y -qq "$@" >/dev/null 2>&1; }
install "${missing[@]}" \
    || { apt-get update -qq >/dev/null 2>&1 && install "${missing[@]}"; } \
    || echo "could not install ${missing[*]}: the tests that need them will be skipped"
exit 0

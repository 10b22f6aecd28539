#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing and we may (root, apt).
# Idempotent and quiet; never fails the caller: without chromium the browser tests skip.
command -v chromium >/dev/null 2>&1 && exit 0
[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq chromium >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; } \
    || echo "chromium could not be installed: the browser tests will be skipped"
exit 0

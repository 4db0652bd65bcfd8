#!/usr/bin/env bash
# The system packages the tests need, installed when missing (Debian/Ubuntu): chromium for the
# search page's browser tests, redis-server for the cluster tests. Used by `make test` and `.ci/run`.
# Not root and something missing: one line says what to run, and the exit status is 1.
set -euo pipefail

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v redis-server >/dev/null || need+=(redis-server)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "the tests need ${need[*]}: run  sudo apt-get install -y ${need[*]}  then make test again" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"

#!/bin/sh
# Refuse to start scrapyd without real basic-auth credentials: scrapyd 1.6 with no username or
# password serves every endpoint, code upload (addversion.json) included, to anyone who reaches it.
# Run by scrapyd.service (ExecStartPre) with the environment of /etc/hfhub/scrapyd.env.
case "${SCRAPYD_USERNAME:-}" in "") echo "check-scrapyd-env: SCRAPYD_USERNAME is not set in /etc/hfhub/scrapyd.env" >&2; exit 1 ;; esac
case "${SCRAPYD_PASSWORD:-}" in
  ""|replace_me|changeme|password)
    echo "check-scrapyd-env: set SCRAPYD_PASSWORD in /etc/hfhub/scrapyd.env (e.g. openssl rand -hex 24)" >&2; exit 1 ;;
esac
if [ "${#SCRAPYD_PASSWORD}" -lt 16 ]; then
  echo "check-scrapyd-env: SCRAPYD_PASSWORD is shorter than 16 characters" >&2; exit 1
fi
exit 0

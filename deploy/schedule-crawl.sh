#!/bin/sh
# Ask scrapyd to run one hfhub crawl:  schedule-crawl.sh [incremental|full]   (default: incremental)
#
# Environment: SCRAPYD_USERNAME and SCRAPYD_PASSWORD (required), SCRAPYD_URL (default
# http://127.0.0.1:6800), HFHUB_DATA (default /srv/hfhub: the dataset, its index and the stats file).
# Prints scrapyd's answer ({"status": "ok", "jobid": …}); exits 1 when scrapyd refused the job.
set -eu

mode=${1:-incremental}
# scrapyd takes any spider argument and the job fails later: refuse a wrong mode here, at once
case $mode in
  full|incremental) ;;
  *) echo "schedule-crawl.sh: mode must be full or incremental, not '$mode'" >&2; exit 2 ;;
esac
url=${SCRAPYD_URL:-http://127.0.0.1:6800}
data=${HFHUB_DATA:-/srv/hfhub}

# The credentials reach curl on its standard input, not on its command line (which `ps` shows).
answer=$(printf 'user = "%s:%s"\n' "$SCRAPYD_USERNAME" "$SCRAPYD_PASSWORD" |
  curl --silent --show-error --fail --config - "$url/schedule.json" \
    -d project=hfhub -d spider=models -d mode="$mode" \
    -d setting=HFHUB_DATASET_DIR="$data/models" \
    -d setting=HFHUB_INDEX_DIR="$data/index" \
    -d setting=HFHUB_STATS_FILE="$data/crawl_stats.json")
# scrapyd answers most errors (unknown project or spider) with HTTP 200 and "status": "error".
case $answer in
  *'"status": "ok"'*) echo "$answer" ;;
  *) echo "$answer" >&2; exit 1 ;;
esac

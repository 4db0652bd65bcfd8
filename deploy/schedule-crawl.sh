#!/bin/sh
# Ask scrapyd to run hfhub crawls:  schedule-crawl.sh [incremental|full] [models datasets spaces]
# (default: incremental, one job for each of the three tables)
#
# Environment: SCRAPYD_USERNAME and SCRAPYD_PASSWORD (required), SCRAPYD_URL (default
# http://127.0.0.1:6800), HFHUB_DATA (default /srv/hfhub: the tables, their indexes and stats files).
# Prints scrapyd's answer for each job ({"status": "ok", "jobid": …}); exits 1 when scrapyd refused one.
set -eu

mode=${1:-incremental}
[ $# -gt 0 ] && shift
spiders=${*:-models datasets spaces}
# scrapyd takes any spider argument and the job fails later: refuse a wrong mode or table here, at once
case $mode in
  full|incremental) ;;
  *) echo "schedule-crawl.sh: mode must be full or incremental, not '$mode'" >&2; exit 2 ;;
esac
for spider in $spiders; do
  case $spider in
    models|datasets|spaces) ;;
    *) echo "schedule-crawl.sh: the tables are models, datasets and spaces, not '$spider'" >&2; exit 2 ;;
  esac
done
url=${SCRAPYD_URL:-http://127.0.0.1:6800}
data=${HFHUB_DATA:-/srv/hfhub}

refused=0
for spider in $spiders; do
  # Each table in $data/<spider>; its index and stats file go beside it by default
  # ($data/index, $data/index-datasets, …; $data/crawl_stats.json, $data/crawl_stats-datasets.json, …).
  # The credentials reach curl on its standard input, not on its command line (which `ps` shows).
  answer=$(printf 'user = "%s:%s"\n' "$SCRAPYD_USERNAME" "$SCRAPYD_PASSWORD" |
    curl --silent --show-error --fail --config - "$url/schedule.json" \
      -d project=hfhub -d spider="$spider" -d mode="$mode" \
      -d setting=HFHUB_DATASET_DIR="$data/$spider") || { refused=1; continue; }
  # scrapyd answers most errors (unknown project or spider) with HTTP 200 and "status": "error".
  case $answer in
    *'"status": "ok"'*) echo "$answer" ;;
    *) echo "$answer" >&2; refused=1 ;;
  esac
done
exit $refused

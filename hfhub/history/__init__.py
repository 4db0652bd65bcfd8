"""History: dated snapshots of every crawl (downloads, likes, trending score, sha, deletions), kept
under ``output/history/`` so that trends can be asked of them (``hfhub.history.trends``,
``hfhub-trends``)."""

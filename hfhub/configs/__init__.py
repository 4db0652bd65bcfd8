"""Model configs (``-a configs=1``): each repo's config.json, fetched once per revision, its attention
facts and the KV-cache and memory estimates they give, in their own Parquet table (``output/configs``)."""

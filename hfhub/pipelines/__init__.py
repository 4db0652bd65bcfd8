"""Item pipelines, in order: validate → enrich → deduplicate → write Parquet."""

"""hfhub: mirror the Hugging Face Hub model metadata into a Parquet dataset."""

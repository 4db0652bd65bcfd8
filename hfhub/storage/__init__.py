"""The dataset on disk: atomic Parquet parts, versions behind one symlink, publishing."""

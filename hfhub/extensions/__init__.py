"""Extensions: things the crawl does around the items (its stats file; later the index)."""

"""The crawl machinery around Scrapy: the Hub's API, a page's work and its pool, the crawl's
identity and checkpoint, rate limits, feed exports."""

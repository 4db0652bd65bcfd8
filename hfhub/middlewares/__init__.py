"""Downloader middlewares: the Hub token and the Hub's rate limits."""

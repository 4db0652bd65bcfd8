"""The record core: a model as the Hub describes it (schema, mapping, validation, derived fields,
Arrow) — pure functions, no Scrapy."""

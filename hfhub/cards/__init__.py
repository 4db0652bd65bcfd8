"""Model cards: parsing a fetched README.md into a bounded summary, and the cards Parquet table."""

from hfhub.cards.parse import REJECTION_REASONS, CardRejected, ParsedCard, parse_card

__all__ = ["REJECTION_REASONS", "CardRejected", "ParsedCard", "parse_card"]

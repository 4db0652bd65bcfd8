"""The user pipeline the README shows (section "Your own pipeline"), as tests/test_feeds.py runs it."""

from __future__ import annotations

from typing import Any

from hfhub.items import ModelPage


class KeepLicensedModels:
    """Keep only models whose license is known, and leave out their ``region:`` tags."""

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ModelPage):
            item.models = [model for model in item.models if model.license]
            for model in item.models:
                model.tags = [tag for tag in model.tags or [] if not tag.startswith("region:")]
        return item

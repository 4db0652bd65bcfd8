"""The Markdown table every benchmark prints: one row per measurement, columns as the dict keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _cell(value: Any) -> str:
    if isinstance(value, float):  # ratios and shares keep two decimals, rates and sizes one
        return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def markdown_table(rows: list[dict[str, Any]]) -> str:
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def save_and_print(rows: list[dict[str, Any]], output: Path) -> None:
    """Save the rows as JSON at ``output`` and print them as a Markdown table."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(rows, indent=2) + "\n")
    print(markdown_table(rows))

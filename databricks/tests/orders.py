"""Order events for tests, in the contract's wire form (DOMAIN.md, schema_version 1)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

MENU = {
    "HOT-1": ("Americano", "hot_beverages", 185),
    "HOT-2": ("Espresso", "hot_beverages", 135),
    "BRE-58": ("Waffle", "breakfast", 775),
}
BASE = datetime(2026, 1, 1, 1, 15, tzinfo=timezone.utc)  # 07:00 Nepal time: a window start


def at(minutes: float) -> str:
    moment = BASE + timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def order(
    order_id: str,
    minutes: float,
    branch: str = "Jhamsikhel",
    items: Sequence[tuple[str, int]] = (("HOT-1", 2),),
) -> bytes:
    lines: list[dict[str, Any]] = []
    for item_id, quantity in items:
        name, category, price = MENU[item_id]
        lines.append(
            {
                "item_id": item_id,
                "item_name": name,
                "category": category,
                "price": price,
                "quantity": quantity,
                "amount": price * quantity,
            }
        )
    event = {
        "schema_version": 1,
        "order_id": order_id,
        "timestamp": at(minutes),
        "branch": branch,
        "terminal_id": f"{branch}-1",
        "order_details": lines,
        "total_order_amount": sum(line["amount"] for line in lines),
        "currency": "NPR",
        "mode_of_payment": "cash",
    }
    return json.dumps(event).encode()

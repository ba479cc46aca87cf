"""The shared contract corpus ``contract/order-events.corpus.jsonl`` (PLAN.md §1), read by both test suites."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[2] / "contract" / "order-events.corpus.jsonl"


@dataclass(frozen=True)
class Case:
    line: int
    name: str
    raw: bytes
    expect: str
    rule: str | None
    order: dict[str, Any] | None


def load_corpus() -> list[Case]:
    cases: list[Case] = []
    for number, text in enumerate(CORPUS.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        entry = json.loads(text)
        if "value_b64" in entry:
            raw = base64.b64decode(entry["value_b64"])
        else:
            raw = entry["value"].encode("utf-8", errors="surrogatepass")
        cases.append(Case(number, entry["name"], raw, entry["expect"], entry.get("rule"), entry.get("order")))
    return cases

"""The order-event contract (DOMAIN.md) as a pure function over the raw message bytes.

It mirrors ``src/domain/order-event.ts`` rule for rule and reason for reason, so both engines quarantine the
same messages with the same rule names; ``contract/order-events.corpus.jsonl`` is run by both test suites.
Spark-free: :mod:`brewline_pipeline.silver` wraps :func:`validate` in a UDF.

Decisions that keep the verdicts identical to the TypeScript validator:

- Money is decided from the JSON number's literal text (``Decimal``), never from a binary float: at most 2
  significant decimals, ``amount == price x quantity`` and ``total == sum(amount)`` exactly.
- ``NaN``/``Infinity`` (which Python's ``json`` would accept) are not JSON.
- String lengths are counted in UTF-16 code units, as JavaScript's ``String.length`` does.
- Invalid UTF-8 is its own rule (``utf8``), checked before JSON parsing; nothing is substituted.
- Values a lakehouse column cannot hold are quarantined by the rule of the field (quantity beyond INT,
  price beyond DECIMAL(10,2), amount/total beyond DECIMAL(12,2), event times TIMESTAMP cannot hold exactly).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from brewline_pipeline.catalog import Catalog

CONTRACT_RULES: Final = (
    "utf8",
    "not_json",
    "not_object",
    "schema_version",
    "order_id",
    "timestamp",
    "branch",
    "terminal_id",
    "lines",
    "item",
    "quantity",
    "price",
    "amount",
    "total",
    "currency",
    "payment",
)
PAYMENT_MODES: Final = ("mobile banking", "debit card", "cash")
SCHEMA_VERSION: Final = 1
MAX_LINES_PER_ORDER: Final = 5
MAX_ORDER_ID_LENGTH: Final = 64
#: INT (silver.order_items.quantity)
MAX_QUANTITY: Final = 2**31 - 1
#: DECIMAL(10,2) unit_price, DECIMAL(12,2) line_amount / order_total, in paisa
MAX_PRICE_PAISA: Final = 10**10 - 1
MAX_AMOUNT_PAISA: Final = 10**12 - 1
#: Event times whose microseconds since the epoch stay below 2^53 (about 1684-2255): what every reader of
#: the lakehouse (Spark's TIMESTAMP, DuckDB, JavaScript numbers) holds exactly.
MAX_ABS_EVENT_TIME_US: Final = 2**53 - 1

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_V1_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?Z"
)
_V0_TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{6}))?")
_HUNDRED = Decimal(100)


class JsonNumber:
    """A JSON number kept as its literal text, so money is judged exactly as written."""

    __slots__ = ("text", "value")

    def __init__(self, text: str) -> None:
        self.text = text
        self.value = Decimal(text)

    def __repr__(self) -> str:
        return f"JsonNumber({self.text})"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(text: str) -> Any:
    """``JSON.parse`` semantics: strict JSON, numbers as :class:`JsonNumber`, duplicate keys last-wins."""
    return json.loads(text, parse_float=JsonNumber, parse_int=JsonNumber, parse_constant=_reject_constant)


@dataclass(frozen=True)
class ValidLine:
    line_no: int
    item_id: str
    item_name: str
    category: str
    price_paisa: int
    quantity: int
    amount_paisa: int


@dataclass(frozen=True)
class ValidOrder:
    order_id: str
    #: microseconds since the UTC epoch, truncated to milliseconds (as the embedded engine keeps it)
    event_time_us: int
    branch: str
    terminal_id: str | None
    payment: str
    total_paisa: int
    lines: tuple[ValidLine, ...]
    schema_version: int


@dataclass(frozen=True)
class Verdict:
    order: ValidOrder | None = None
    rule: str | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.order is not None


def _fail(rule: str, detail: str) -> Verdict:
    return Verdict(rule=rule, reason=f"{rule}: {detail}")


def _js_length(text: str) -> int:
    """JavaScript's ``String.length``: UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _json_repr(value: Any) -> str:
    """``JSON.stringify`` of a parsed value, for reasons that quote it."""
    if isinstance(value, JsonNumber):
        return _js_number_text(value.value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, JsonNumber):
        return float(value.value)
    raise TypeError(type(value).__name__)


def _js_number_text(value: Decimal) -> str:
    if value == value.to_integral_value() and abs(value) < 10**21:
        return str(int(value))
    return repr(float(value))


def paisa_of(value: Any) -> int | None:
    """Exact paisa of a JSON number with at most 2 significant decimals, else None (never a float)."""
    if not isinstance(value, JsonNumber):
        return None
    try:
        scaled = value.value * _HUNDRED
    except InvalidOperation:
        return None
    if not scaled.is_finite() or scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def _integer_of(value: Any) -> int | None:
    if not isinstance(value, JsonNumber):
        return None
    number = value.value
    if not number.is_finite() or number != number.to_integral_value():
        return None
    return int(number)


def parse_event_time_us(text: Any, version: int) -> int | None:
    """Microseconds since the epoch of a contract timestamp (v1: ISO-8601 ``Z``; v0: naive UTC), ms-truncated."""
    if not isinstance(text, str):
        return None
    match = (_V1_TIME if version == 1 else _V0_TIME).fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = match.group(7) or ""
    millis = int((fraction + "000")[:3])
    try:
        moment = datetime(year, month, day, hour, minute, second, millis * 1000, tzinfo=timezone.utc)
    except ValueError:
        return None
    delta = moment - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    if abs(micros) > MAX_ABS_EVENT_TIME_US:
        return None
    return micros


def _is_v0(value: dict[str, Any]) -> bool:
    """The chain's original events: no schema_version and Python's naive ``str(datetime)`` timestamp."""
    if "schema_version" in value:
        return False
    ts = value.get("timestamp")
    return isinstance(ts, str) and _V0_TIME.fullmatch(ts) is not None


def validate(raw: bytes | bytearray | memoryview | None, catalog: Catalog) -> Verdict:
    """Parses and validates one raw message against the contract and the catalog. Pure; never raises."""
    if raw is None:
        return _fail("not_json", "value is not valid JSON")
    try:
        text = bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return _fail("utf8", "value is not valid UTF-8")
    try:
        parsed = parse_json(text)
    except (ValueError, RecursionError):
        return _fail("not_json", "value is not valid JSON")
    return validate_value(parsed, catalog)


def validate_value(value: Any, catalog: Catalog) -> Verdict:
    if not isinstance(value, dict):
        return _fail("not_object", "value is JSON but not an object")
    version: int = 0 if _is_v0(value) else SCHEMA_VERSION
    if "schema_version" in value:
        declared = value["schema_version"]
        if not isinstance(declared, JsonNumber) or declared.value != SCHEMA_VERSION:
            return _fail("schema_version", f"unsupported schema_version {_json_repr(declared)}")
    order_id = value.get("order_id")
    if not isinstance(order_id, str) or len(order_id) == 0 or _js_length(order_id) > MAX_ORDER_ID_LENGTH:
        return _fail("order_id", "order_id must be a non-empty string of at most 64 characters")
    event_time_us = parse_event_time_us(value.get("timestamp"), version)
    if event_time_us is None:
        return _fail("timestamp", "timestamp must be ISO-8601 UTC like 2026-11-26T02:15:04.512Z")
    branch = value.get("branch")
    if not isinstance(branch, str):
        return _fail("branch", "branch must be a string")
    if branch not in catalog.branches:
        return _fail("branch", f"unknown branch {_json_repr(branch)}")
    terminal_id: str | None = None
    if version == 1:
        terminal = value.get("terminal_id")
        if not isinstance(terminal, str) or len(terminal) == 0:
            return _fail("terminal_id", "terminal_id must be a non-empty string")
        terminal_id = terminal
        if value.get("currency") != "NPR":
            return _fail("currency", 'currency must be "NPR"')
    payment = value.get("mode_of_payment")
    if not isinstance(payment, str) or payment not in PAYMENT_MODES:
        return _fail("payment", f"mode_of_payment must be one of {', '.join(PAYMENT_MODES)}")
    details = value.get("order_details")
    if not isinstance(details, list) or len(details) == 0:
        return _fail("lines", "order_details must be a non-empty array")
    if len(details) > MAX_LINES_PER_ORDER:
        return _fail("lines", f"order_details has {len(details)} lines; at most {MAX_LINES_PER_ORDER}")
    lines: list[ValidLine] = []
    total = 0
    for i, line in enumerate(details):
        if not isinstance(line, dict):
            return _fail("lines", f"order_details[{i}] is not an object")
        item_id = line.get("item_id")
        if not isinstance(item_id, str):
            return _fail("item", f"order_details[{i}].item_id must be a string")
        item = catalog.items.get(item_id)
        if item is None:
            return _fail("item", f"order_details[{i}]: unknown item {_json_repr(item_id)}")
        if any(earlier.item_id == item_id for earlier in lines):
            return _fail("item", f"order_details[{i}]: item {item_id} appears twice")
        item_name = line.get("item_name")
        category = line.get("category") if version == 1 else item.category
        if not isinstance(item_name, str) or not isinstance(category, str):
            return _fail("item", f"order_details[{i}]: item_name and category must be strings")
        quantity = _integer_of(line.get("quantity"))
        if quantity is None or quantity < 1 or quantity > MAX_QUANTITY:
            return _fail("quantity", f"order_details[{i}].quantity must be a positive integer")
        price = paisa_of(line.get("price"))
        if price is None or price <= 0 or price > MAX_PRICE_PAISA:
            return _fail(
                "price", f"order_details[{i}].price must be a positive amount with at most 2 decimals"
            )
        amount = paisa_of(line.get("amount"))
        if amount is None or amount != price * quantity or amount > MAX_AMOUNT_PAISA:
            return _fail("amount", f"order_details[{i}].amount must equal price × quantity")  # noqa: RUF001 (the TS reason)
        total += amount
        lines.append(ValidLine(i + 1, item_id, item_name, category, price, quantity, amount))
    order_total = paisa_of(value.get("total_order_amount"))
    if order_total is None or order_total != total or order_total > MAX_AMOUNT_PAISA:
        return _fail("total", "total_order_amount must equal the sum of line amounts")
    return Verdict(
        order=ValidOrder(
            order_id=order_id,
            event_time_us=event_time_us,
            branch=branch,
            terminal_id=terminal_id,
            payment=payment,
            total_paisa=order_total,
            lines=tuple(lines),
            schema_version=version,
        )
    )


def paisa_text(paisa: int) -> str:
    """Paisa as a fixed 2-decimal string, the DECIMAL text form: 18500 -> "185.00"."""
    sign = "-" if paisa < 0 else ""
    whole, frac = divmod(abs(paisa), 100)
    return f"{sign}{whole}.{frac:02d}"


def event_time_text(micros: int) -> str:
    """ISO-8601 UTC with milliseconds, as silver stores the event time: "2026-11-26T02:15:04.512Z"."""
    m = _EPOCH + timedelta(microseconds=micros)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
        f".{m.microsecond // 1000:03d}Z"
    )

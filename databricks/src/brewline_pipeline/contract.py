"""The order-event contract (DOMAIN.md) as a pure function over the raw message bytes.

It mirrors ``src/domain/order-event.ts`` rule for rule and reason for reason, so both engines quarantine the
same messages with the same rule names; ``contract/order-events.corpus.jsonl`` is run by both test suites.
Spark-free: :mod:`brewline_pipeline.silver` wraps :func:`validate` in a UDF.

Decisions that keep the verdicts identical to the TypeScript validator:

- Money is decided from the JSON number's literal text (``Decimal``), never from a binary float: at most 2
  significant decimals, ``amount == price x quantity`` and ``total == sum(amount)`` exactly.
- ``NaN``/``Infinity`` (which Python's ``json`` would accept) are not JSON.
- String lengths are counted in UTF-16 code units, as JavaScript's ``String.length`` does.
- Invalid UTF-8 is rule ``utf8``, checked before JSON parsing (nothing is substituted); so is a string that
  escapes a lone surrogate (order id, terminal, a non-catalog item name or category).
- Values a lakehouse column cannot hold are rule ``range``: quantity beyond INT, price beyond DECIMAL(10,2),
  amounts beyond DECIMAL(12,2), event times outside [1700, 2250).
- A quantity must be written as an integer literal (``2``; not ``2.0`` or ``2e0``), as json-literals.ts decides.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Final

from brewline_pipeline.catalog import Catalog

CONTRACT_RULES: Final = (
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
    "utf8",
    "range",
)
PAYMENT_MODES: Final = ("mobile banking", "debit card", "cash")
SCHEMA_VERSION: Final = 1
MAX_LINES_PER_ORDER: Final = 5
MAX_ORDER_ID_LENGTH: Final = 64
#: INT (silver.order_items.quantity)
MAX_QUANTITY_INT32: Final = 2_147_483_647
#: DECIMAL(10,2) unit_price, DECIMAL(12,2) line_amount / order_total, in paisa
MAX_PRICE_PAISA: Final = 9_999_999_999
MAX_AMOUNT_PAISA: Final = 999_999_999_999
#: [1700-01-01, 2250-01-01) UTC in epoch ms: what TIMESTAMP and the gold windows hold (time.ts)
MIN_EVENT_TIME_MS: Final = -8_520_336_000_000
MAX_EVENT_TIME_MS: Final = 8_835_955_200_000
#: a literal whose paisa value needs more than 15 digits (json-literals.ts TOO_LARGE)
MAX_PAISA_DIGITS: Final = 15

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_OUT_OF_RANGE: Final = -(2**80)
_TOO_LARGE: Final = 2**80
_V1_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?Z"
)
_V0_TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{6}))?")
_INTEGER_LITERAL = re.compile(r"-?[0-9]+")


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
    #: microseconds since the UTC epoch, exact (schema version 0 carries microseconds)
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


def _well_formed(text: str) -> bool:
    """No lone UTF-16 surrogate (JSON may escape one, ``"\\ud800"``; UTF-8 cannot encode it)."""
    return not any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def js_number_text(value: Decimal | int) -> str:
    """JavaScript's ``String(number)`` of the double nearest ``value``."""
    number = float(value)
    if number == int(number) and abs(number) < 1e21:
        return str(int(number))
    text = repr(number)
    return text.replace("e+0", "e+").replace("e-0", "e-") if "e" in text else text


def _json_repr(value: Any) -> str:
    """``JSON.stringify`` of a parsed value, for reasons that quote it."""
    if isinstance(value, JsonNumber):
        return js_number_text(value.value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, JsonNumber):
        return float(value.value)
    raise TypeError(type(value).__name__)


def paisa_of(value: Any) -> int | None:
    """Exact paisa of a JSON number literal (json-literals.ts ``paisaFromLiteral``): None when it has more than 2
    significant decimals or is not a number; ``_TOO_LARGE`` (signed) when the paisa value needs > 15 digits."""
    if not isinstance(value, JsonNumber):
        return None
    sign, digits, exponent = value.value.as_tuple()
    if not isinstance(exponent, int):
        return None
    numerals = list(digits)
    while numerals and numerals[0] == 0:
        numerals.pop(0)
    if not numerals:
        return 0
    while numerals[-1] == 0:
        numerals.pop()
        exponent += 1
    if exponent < -2:
        return None
    lead_exponent = exponent + len(numerals) - 1
    if lead_exponent + 3 > MAX_PAISA_DIGITS:
        return -_TOO_LARGE if sign else _TOO_LARGE
    paisa = int("".join(str(d) for d in numerals)) * int(10 ** (exponent + 2))
    return -paisa if sign else paisa


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil)."""
    y = year - 1 if month <= 2 else year
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 28
    return 30 if month in (4, 6, 9, 11) else 31


def parse_event_time_us(text: Any, version: int) -> int | None:
    """Epoch µs of a contract timestamp (v1: ISO-8601 ``Z`` with 0-6 fraction digits; v0: Python's naive
    ``YYYY-MM-DD HH:MM:SS[.ffffff]``); None when malformed, ``_OUT_OF_RANGE`` outside [1700, 2250)."""
    if not isinstance(text, str):
        return None
    match = (_V1_TIME if version == 1 else _V0_TIME).fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = match.group(7) or ""
    if not (1 <= month <= 12 and day >= 1 and hour <= 23 and minute <= 59 and second <= 59):
        return None
    if day > _days_in_month(year, month):
        return None
    ms = (_days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second) * 1000
    if ms < MIN_EVENT_TIME_MS or ms >= MAX_EVENT_TIME_MS:
        return _OUT_OF_RANGE
    return ms * 1000 + (int(fraction.ljust(6, "0")) if fraction else 0)


def _looks_like_v0_time(value: Any) -> bool:
    """A schema version 0 timestamp: Python's naive ``str(datetime)``, a space where ISO has its ``T``."""
    return isinstance(value, str) and len(value) > 10 and value[10] == " "


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
    except (ValueError, RecursionError, ArithmeticError):
        return _fail("not_json", "value is not valid JSON")
    return validate_value(parsed, catalog)


def _money_problem(paisa: int | None, maximum: int) -> str | None:
    if paisa is None:
        return "inexact"
    if abs(paisa) > maximum:
        return "range"
    return None


def validate_value(value: Any, catalog: Catalog) -> Verdict:
    if not isinstance(value, dict):
        return _fail("not_object", "value is JSON but not an object")
    if "schema_version" in value:
        declared = value["schema_version"]
        if not isinstance(declared, JsonNumber) or declared.value != SCHEMA_VERSION:
            return _fail("schema_version", f"unsupported schema_version {_json_repr(declared)}")
    v0 = "schema_version" not in value and _looks_like_v0_time(value.get("timestamp"))
    order_id = value.get("order_id")
    if not isinstance(order_id, str) or len(order_id) == 0 or _js_length(order_id) > MAX_ORDER_ID_LENGTH:
        return _fail("order_id", "order_id must be a non-empty string of at most 64 characters")
    if not _well_formed(order_id):
        return _fail("utf8", "order_id escapes a lone surrogate")
    event_time_us = parse_event_time_us(value.get("timestamp"), 0 if v0 else 1)
    if event_time_us is None:
        return _fail(
            "timestamp",
            "a timestamp without schema_version must be naive UTC like 2026-01-10 07:39:04.123456"
            if v0
            else "timestamp must be ISO-8601 UTC like 2026-11-26T02:15:04.512Z",
        )
    if event_time_us == _OUT_OF_RANGE:
        return _fail(
            "range",
            f"timestamp {_json_repr(value.get('timestamp'))} is outside what the lakehouse holds "
            "(1700-01-01T00:00:00.000Z ≤ t < 2250-01-01T00:00:00.000Z)",
        )
    branch = value.get("branch")
    if not isinstance(branch, str):
        return _fail("branch", "branch must be a string")
    if branch not in catalog.branches:
        return _fail("branch", f"unknown branch {_json_repr(branch)}")
    terminal_id: str | None = None
    if not v0 or "terminal_id" in value:
        terminal = value.get("terminal_id")
        if not isinstance(terminal, str) or len(terminal) == 0:
            return _fail("terminal_id", "terminal_id must be a non-empty string")
        if not _well_formed(terminal):
            return _fail("utf8", "terminal_id escapes a lone surrogate")
        terminal_id = terminal
    if value.get("currency") != "NPR" and not (v0 and "currency" not in value):
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
        category = item.category if v0 and "category" not in line else line.get("category")
        if not isinstance(item_name, str) or not isinstance(category, str):
            return _fail("item", f"order_details[{i}]: item_name and category must be strings")
        if (item_name != item.item_name and not _well_formed(item_name)) or (
            category != item.category and not _well_formed(category)
        ):
            return _fail("utf8", f"order_details[{i}]: item_name or category escapes a lone surrogate")
        raw_quantity = line.get("quantity")
        if not isinstance(raw_quantity, JsonNumber) or not _INTEGER_LITERAL.fullmatch(raw_quantity.text):
            return _fail("quantity", f"order_details[{i}].quantity must be a positive integer")
        quantity = int(raw_quantity.text)
        if quantity < 1:
            return _fail("quantity", f"order_details[{i}].quantity must be a positive integer")
        if quantity > MAX_QUANTITY_INT32:
            return _fail(
                "range",
                f"order_details[{i}].quantity {js_number_text(quantity)} does not fit INT "
                f"(at most {MAX_QUANTITY_INT32})",
            )
        price = paisa_of(line.get("price"))
        price_problem = _money_problem(price, MAX_PRICE_PAISA)
        if price_problem == "range":
            return _fail("range", f"order_details[{i}].price does not fit DECIMAL(10,2)")
        if price is None or price <= 0:
            return _fail(
                "price", f"order_details[{i}].price must be a positive amount with at most 2 decimals"
            )
        amount = paisa_of(line.get("amount"))
        amount_problem = _money_problem(amount, MAX_AMOUNT_PAISA)
        if amount_problem == "range":
            return _fail("range", f"order_details[{i}].amount does not fit DECIMAL(12,2)")
        if amount is None or amount != price * quantity:
            return _fail("amount", f"order_details[{i}].amount must equal price × quantity")  # noqa: RUF001 (the TS reason)
        total += amount
        lines.append(ValidLine(i + 1, item_id, item_name, category, price, quantity, amount))
    order_total = paisa_of(value.get("total_order_amount"))
    if _money_problem(order_total, MAX_AMOUNT_PAISA) == "range":
        return _fail("range", "total_order_amount does not fit DECIMAL(12,2)")
    if order_total is None or order_total != total:
        return _fail("total", "total_order_amount must equal the sum of line amounts")
    if total > MAX_AMOUNT_PAISA:
        return _fail("range", "the sum of line amounts does not fit DECIMAL(12,2)")
    return Verdict(
        order=ValidOrder(
            order_id=order_id,
            event_time_us=event_time_us,
            branch=branch,
            terminal_id=terminal_id,
            payment=payment,
            total_paisa=order_total,
            lines=tuple(lines),
            schema_version=0 if v0 else 1,
        )
    )


def paisa_text(paisa: int) -> str:
    """Paisa as a fixed 2-decimal string, the DECIMAL text form: 18500 -> "185.00"."""
    sign = "-" if paisa < 0 else ""
    whole, frac = divmod(abs(paisa), 100)
    return f"{sign}{whole}.{frac:02d}"


def event_time_text(micros: int) -> str:
    """ISO-8601 UTC as silver stores the event time: 3 fraction digits, or 6 with sub-millisecond µs."""
    m = _EPOCH + timedelta(microseconds=micros)
    fraction = f"{m.microsecond // 1000:03d}" if m.microsecond % 1000 == 0 else f"{m.microsecond:06d}"
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}.{fraction}Z"

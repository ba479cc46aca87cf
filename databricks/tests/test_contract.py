"""The Python validator against the shared corpus and its boundaries (no Spark)."""

from __future__ import annotations

import pytest

from brewline_pipeline.catalog import load_catalog
from brewline_pipeline.contract import CONTRACT_RULES, event_time_text, paisa_text, validate
from tests.corpus import Case, load_corpus

CATALOG = load_catalog()
CASES = load_corpus()


def test_the_corpus_is_there_and_covers_both_verdicts() -> None:
    assert len(CASES) >= 10
    assert {c.expect for c in CASES} == {"valid", "quarantine"}


def expected_of(case: Case) -> dict[str, object]:
    assert case.order is not None
    return case.order


@pytest.mark.parametrize("case", CASES, ids=[f"{c.line}:{c.name}" for c in CASES])
def test_corpus_case(case: Case) -> None:
    verdict = validate(case.raw, CATALOG)
    if case.expect == "quarantine":
        assert not verdict.ok, f"accepted, expected rule {case.rule}"
        assert case.rule in CONTRACT_RULES, f"unknown rule {case.rule}"
        assert verdict.reason is not None and verdict.reason.startswith(f"{case.rule}: "), verdict.reason
        return
    assert verdict.ok, verdict.reason
    order = verdict.order
    assert order is not None
    want = expected_of(case)
    got = {
        "order_id": order.order_id,
        "event_time": event_time_text(order.event_time_us),
        "branch": order.branch,
        "terminal_id": order.terminal_id,
        "mode_of_payment": order.payment,
        "order_total": paisa_text(order.total_paisa),
        "lines": [
            {
                "line_no": line.line_no,
                "item_id": line.item_id,
                "item_name": line.item_name,
                "category": line.category,
                "unit_price": paisa_text(line.price_paisa),
                "quantity": line.quantity,
                "line_amount": paisa_text(line.amount_paisa),
            }
            for line in order.lines
        ],
    }
    assert got == {k: want[k] for k in got}


GOOD = (
    '{"schema_version":1,"order_id":"o-1","timestamp":"2026-11-26T02:15:04.512Z","branch":"Jhamsikhel",'
    '"terminal_id":"Jhamsikhel-2","order_details":[{"item_id":"HOT-1","item_name":"Americano",'
    '"category":"hot_beverages","price":PRICE,"quantity":QTY,"amount":AMOUNT}],"total_order_amount":AMOUNT,'
    '"currency":"NPR","mode_of_payment":"cash"}'
)


def event(price: str = "185", qty: str = "2", amount: str = "370") -> bytes:
    return GOOD.replace("PRICE", price).replace("QTY", qty).replace("AMOUNT", amount).encode()


@pytest.mark.parametrize(
    ("price", "qty", "amount", "rule"),
    [
        ("185", "2", "370", None),
        ("185.00", "2", "370.0", None),
        ("185.5", "2", "371", None),
        ("1.85e2", "2", "370", None),
        ("185.0000001", "2", "370.0000002", "price"),
        ("0.30000000000000004", "1", "0.30000000000000004", "price"),
        ("185", "2.5", "462.5", "quantity"),
        ("185", "2147483648", "397284834880", "range"),
        ("100000000", "1", "100000000", "range"),
        ("99999999", "101", "10099999899", "range"),
        ("185", "2.0", "370", "quantity"),
        ("-185", "2", "-370", "price"),
        ("185", "true", "370", "quantity"),
    ],
)
def test_money_and_ranges_are_exact(price: str, qty: str, amount: str, rule: str | None) -> None:
    verdict = validate(event(price, qty, amount), CATALOG)
    if rule is None:
        assert verdict.ok, verdict.reason
    else:
        assert verdict.reason is not None and verdict.reason.startswith(f"{rule}: "), verdict.reason


@pytest.mark.parametrize(
    ("timestamp", "ok", "text"),
    [
        ("2026-11-26T02:15:04.512Z", True, "2026-11-26T02:15:04.512Z"),
        ("2026-11-26T02:15:04Z", True, "2026-11-26T02:15:04.000Z"),
        ("2026-11-26T02:15:04.5129Z", True, "2026-11-26T02:15:04.512900Z"),
        ("2026-02-30T02:15:04.512Z", False, ""),
        ("0050-06-01T00:00:00.000Z", False, "range"),
        ("2300-01-01T00:00:00.000Z", False, "range"),
        ("2026-11-26T02:15:04.512+00:00", False, ""),
        ("\uff12\uff1026-11-26T02:15:04.512Z", False, ""),  # full-width digits are not [0-9]
    ],
)
def test_timestamps(timestamp: str, ok: bool, text: str) -> None:
    raw = GOOD.replace("PRICE", "185").replace("QTY", "2").replace("AMOUNT", "370")
    raw = raw.replace("2026-11-26T02:15:04.512Z", timestamp)
    verdict = validate(raw.encode(), CATALOG)
    assert verdict.ok is ok, verdict.reason
    if ok:
        assert verdict.order is not None and event_time_text(verdict.order.event_time_us) == text
    else:
        assert verdict.reason is not None and verdict.reason.startswith(f"{text or 'timestamp'}: ")


def test_schema_version_0_the_chains_original_events() -> None:
    raw = (
        b'{"order_id":"o-0","timestamp":"2026-01-10 07:39:04.123456","branch":"Jhamsikhel",'
        b'"order_details":[{"item_id":"HOT-1","item_name":"Americano","price":185,"quantity":2,"amount":370}],'
        b'"total_order_amount":370,"mode_of_payment":"cash"}'
    )
    verdict = validate(raw, CATALOG)
    assert verdict.ok, verdict.reason
    assert verdict.order is not None
    assert verdict.order.terminal_id is None and verdict.order.schema_version == 0
    assert verdict.order.lines[0].category == "hot_beverages"
    assert event_time_text(verdict.order.event_time_us) == "2026-01-10T07:39:04.123456Z"


def test_not_json_the_python_way() -> None:
    for raw in (b"NaN", b'{"a": Infinity}', b"", b"\xef\xbb\xbf{}"):
        verdict = validate(raw, CATALOG)
        assert verdict.reason is not None and verdict.reason.startswith("not_json: "), (raw, verdict.reason)
    assert (validate(b"\xff\xfe", CATALOG).reason or "").startswith("utf8: ")

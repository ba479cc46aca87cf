"""SIGTERM stops the queries from a helper thread, at their batch boundary (no Spark needed: fake queries)."""

import signal
import threading

import pytest

from brewline_pipeline.pipeline import StopRequest


class FakeQuery:
    def __init__(self, name: str) -> None:
        self.name = name
        self.stopped = threading.Event()
        self.stopped_by: str | None = None

    def stop(self) -> None:
        self.stopped_by = threading.current_thread().name
        self.stopped.set()


def test_sigterm_stops_every_watched_query_from_another_thread() -> None:
    stop = StopRequest()
    ingest, gold = FakeQuery("ingest"), FakeQuery("gold")
    stop.watch(ingest)
    stop.watch(gold)
    stop._on_signal(signal.SIGTERM, None)
    assert stop.event.is_set()
    assert ingest.stopped.wait(5) and gold.stopped.wait(5)
    assert ingest.stopped_by == "brewline-stop"
    assert gold.stopped_by == "brewline-stop"


def test_a_query_started_after_the_request_is_stopped_at_once() -> None:
    stop = StopRequest()
    stop._on_signal(signal.SIGTERM, None)
    late = FakeQuery("gold")
    stop.watch(late)
    assert late.stopped.is_set()


def test_a_second_sigterm_gives_up_waiting() -> None:
    stop = StopRequest()
    stop._on_signal(signal.SIGTERM, None)
    with pytest.raises(KeyboardInterrupt):
        stop._on_signal(signal.SIGTERM, None)


class ProgressingQuery:
    """A query whose progress list grows as the test says; active until told otherwise."""

    def __init__(self) -> None:
        self.recentProgress: list[dict[str, int]] = []
        self.isActive = True


def _waiter(query: ProgressingQuery, stop: threading.Event) -> threading.Thread:
    from brewline_pipeline.pipeline import _until_first_data_batch

    thread = threading.Thread(target=_until_first_data_batch, args=(query, stop, 0.01), daemon=True)
    thread.start()
    return thread


def test_gold_waits_for_the_first_ingest_batch_with_data_not_for_empty_ones() -> None:
    query, stop = ProgressingQuery(), threading.Event()
    waiting = _waiter(query, stop)
    # Given only empty batches so far, the wait goes on
    query.recentProgress.append({"numInputRows": 0})
    waiting.join(0.2)
    assert waiting.is_alive()
    # When a batch with input has committed, it ends
    query.recentProgress.append({"numInputRows": 2000})
    waiting.join(5)
    assert not waiting.is_alive()


def test_the_wait_ends_on_a_stop_request_or_when_the_ingest_query_ends() -> None:
    query, stop = ProgressingQuery(), threading.Event()
    waiting = _waiter(query, stop)
    stop.set()
    waiting.join(5)
    assert not waiting.is_alive()
    ended = ProgressingQuery()
    waiting = _waiter(ended, threading.Event())
    ended.isActive = False
    waiting.join(5)
    assert not waiting.is_alive()

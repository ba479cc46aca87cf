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

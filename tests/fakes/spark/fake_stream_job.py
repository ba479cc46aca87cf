"""A stand-in for tasks/stream.py speaking brewline's progress protocol (src/backends/spark/PROTOCOL.md), no Spark.

Env: FAKE_BATCHES (default 3) progress lines, then idle until SIGTERM; FAKE_IGNORE_SIGTERM=1 ignores it (brewline
must kill the process group); FAKE_CHILD_PID_FILE: start a child process (the "JVM") and write its pid there;
FAKE_EXIT_CODE: exit at once with this code after the batches.
"""

import json
import os
import signal
import subprocess
import sys
import time

argv = sys.argv[1:]
stopping = False


def emit(obj: dict) -> None:
    print("BREWLINE " + json.dumps(obj), flush=True)


def on_term(signum, frame):  # noqa: ANN001
    global stopping
    stopping = True


if os.environ.get("FAKE_IGNORE_SIGTERM") == "1":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
else:
    signal.signal(signal.SIGTERM, on_term)

pid_file = os.environ.get("FAKE_CHILD_PID_FILE")
if pid_file:
    jvm = subprocess.Popen(["sleep", "300"])
    with open(pid_file, "w") as f:
        f.write(str(jvm.pid))

print("some library chatter on stdout", flush=True)
print("log4j: WARN something", file=sys.stderr, flush=True)
emit({"event": "started", "queryName": "orders", "queryId": "q-1", "runId": "r-1", "timestamp": "2026-12-01T09:00:00.000Z"})
for n in range(int(os.environ.get("FAKE_BATCHES", "3"))):
    emit({"event": "silver", "queryName": "orders", "batchId": n, "rows": 10, "orders": 9, "duplicates": 1, "quarantined": 0})
    emit(
        {
            "event": "progress",
            "progress": {
                "id": "q-1",
                "runId": "r-1",
                "name": "orders",
                "timestamp": "2026-12-01T09:00:01.000Z",
                "batchId": n,
                "numInputRows": 10,
                "inputRowsPerSecond": "NaN",
                "processedRowsPerSecond": 50.0,
                "durationMs": {"addBatch": 150, "triggerExecution": 200},
                "eventTime": {
                    "max": f"2026-11-20T0{n + 1}:00:00.000Z",
                    "min": "2026-11-20T00:00:00.000Z",
                    "watermark": "1970-01-01T00:00:00.000Z" if n == 0 else f"2026-11-20T0{n}:50:00.000Z",
                },
                "stateOperators": [
                    {"operatorName": "stateStoreSave", "numRowsTotal": 5, "numRowsUpdated": 2, "numRowsRemoved": 0, "numRowsDroppedByWatermark": n, "memoryUsedBytes": 1000}
                ],
                "sources": [
                    {
                        "description": "KafkaV2[Subscribe[orders]]",
                        "startOffset": None if n == 0 else {"orders": {"0": 10 * n, "1": 0}},
                        "endOffset": {"orders": {"0": 10 * (n + 1), "1": 0}},
                        "latestOffset": {"orders": {"0": 30, "1": 0}},
                        "numInputRows": 10,
                        "metrics": {"avgOffsetsBehindLatest": "0.0"},
                    }
                ],
                "sink": {"description": "ForeachBatchSink", "numOutputRows": -1},
            },
        }
    )
if "FAKE_EXIT_CODE" in os.environ:
    print("Traceback: boom", file=sys.stderr, flush=True)
    sys.exit(int(os.environ["FAKE_EXIT_CODE"]))
emit({"event": "idle", "queryName": "orders", "timestamp": "2026-12-01T09:00:02.000Z"})
while not stopping:
    time.sleep(0.05)
emit({"event": "terminated", "queryName": "orders", "timestamp": "2026-12-01T09:00:03.000Z"})
sys.exit(0)

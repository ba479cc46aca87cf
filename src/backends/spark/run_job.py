"""Runs a brewline_pipeline entry point as brewline's supervised child: usage ``run_job.py SCRIPT [ARGS...]``.

brewline starts the job in its own process group (so a terminal's Ctrl+C reaches brewline, which forwards a
SIGTERM). Should brewline itself die (SIGKILL, crash), nobody would stop the job: this wrapper watches its
stdin — a pipe from brewline — and on end-of-file kills the whole group, the JVM included, as a crash would.
"""

import os
import runpy
import signal
import sys
import threading


def _die_with_parent() -> None:
    try:
        # os.read, not sys.stdin: no buffered-reader lock that interpreter shutdown would wait on.
        while os.read(0, 65536):
            pass
    except OSError:
        pass
    os.killpg(os.getpgrp(), signal.SIGKILL)


threading.Thread(target=_die_with_parent, name="brewline-parent-watch", daemon=True).start()
script = sys.argv[1]
sys.argv = sys.argv[1:]
code: object = 0
try:
    runpy.run_path(script, run_name="__main__")
except SystemExit as exit_:
    code = exit_.code
sys.stdout.flush()
sys.stderr.flush()
os._exit(code if isinstance(code, int) else (0 if code is None else 1))

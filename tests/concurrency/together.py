"""Run several users' calls at the same moment: one thread per call (each with its own
``Client``, hence its own session; the work is on the server), released together by a
barrier, every wait bounded."""

import threading
import time

from rig import RpcError


class Outcome:
    """What one call got: its result, or the server's error answer."""

    def __init__(self, label):
        self.label, self.result, self.error, self.seconds = label, None, None, None

    @property
    def ok(self):
        return self.error is None

    def __repr__(self):
        return f"<{self.label}: {'ok' if self.ok else self.error}>"


def run_together(calls, delays=None, timeout=90):
    """Call each ``(label, callable)`` of ``calls`` in its own thread, all released at
    once; ``delays`` (seconds, one per call) holds some back after the release, to vary
    who goes first. Return the outcomes in the order of ``calls``. An RpcError is an
    outcome; any other exception (a broken connection, a bug of the test) is raised."""
    barrier = threading.Barrier(len(calls), timeout=timeout)
    outcomes = [Outcome(label) for label, _call in calls]
    crashes = []
    delays = delays or [0] * len(calls)

    def run(index, call, delay):
        outcome = outcomes[index]
        try:
            barrier.wait()
            time.sleep(delay)
            started = time.monotonic()
            try:
                outcome.result = call()
            except RpcError as error:
                outcome.error = error
            outcome.seconds = time.monotonic() - started
        except Exception as error:  # reported below, in the test's thread
            crashes.append((outcome.label, error))

    threads = [
        threading.Thread(target=run, args=(index, call, delay), daemon=True)
        for index, ((_label, call), delay) in enumerate(zip(calls, delays, strict=True))
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [
        outcome.label
        for thread, outcome in zip(threads, outcomes, strict=True)
        if thread.is_alive()
    ]
    if stuck:
        raise TimeoutError(f"calls still running after {timeout} s: {stuck}")
    if crashes:
        label, error = crashes[0]
        raise RuntimeError(f"{label} crashed: {error!r}") from error
    return outcomes

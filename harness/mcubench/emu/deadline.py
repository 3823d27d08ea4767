"""A wall-clock bound for everything a command does (`--timeout`): emulation stops
when it is reached (Unicorn's own timeout, since no Python runs inside a native-counted
call), and the parent process is interrupted by an alarm. Pool workers inherit it."""

from __future__ import annotations

import signal
import time

from mcubench.base.errors import McubenchError

_deadline: float | None = None  # time.time() at which work must stop
ALARM_GRACE_S = 2.0


class WallClockTimeout(McubenchError):
    """The command ran out of wall-clock time."""


def set_deadline(when: float | None) -> None:
    global _deadline
    _deadline = when


def get_deadline() -> float | None:
    return _deadline


def remaining_us() -> int:
    """Microseconds left (0: no bound); raises when the time is up."""
    if _deadline is None:
        return 0
    left = _deadline - time.time()
    if left <= 0:
        raise WallClockTimeout("wall-clock timeout reached")
    return max(1, int(left * 1e6))


def expired() -> bool:
    return _deadline is not None and time.time() >= _deadline


def arm(seconds: float) -> None:
    """Bound this process (and the workers it starts) to `seconds` from now."""
    set_deadline(time.time() + seconds)

    def on_alarm(_sig, _frame):
        raise WallClockTimeout(f"wall-clock timeout: the command ran longer than {seconds:g} s (--timeout)")

    signal.signal(signal.SIGALRM, on_alarm)
    # a little after the deadline: emulation stops at the deadline itself and says where
    signal.setitimer(signal.ITIMER_REAL, seconds + ALARM_GRACE_S)


def disarm() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)
    set_deadline(None)

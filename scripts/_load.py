"""CPU load for the measurement scripts: busy-loop processes, and the load average to show them.

    with burners(2):
        ...  # both cores of a 2-core machine are busy here

Each burner is its own process running a pure-Python busy loop, as a slow, shared CI machine
would be. They are stopped (terminate, then kill, each wait bounded) when the block ends,
however it ends: an exception, Ctrl-C, or SIGTERM sent to the script.
"""

import contextlib
import os
import signal
import subprocess
import sys

STOP_GRACE = 2.0  # seconds a burner gets to end after terminate() before it is killed


BUSY_LOOP = "while True: pass"


@contextlib.contextmanager
def burners(count):
    """Run ``count`` busy-loop processes for the duration of the block."""
    processes = []
    previous = signal.getsignal(signal.SIGTERM)
    if count:  # SIGTERM to the script unwinds the block like Ctrl-C, so the burners are stopped
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        for _ in range(count):
            processes.append(subprocess.Popen([sys.executable, "-c", BUSY_LOOP], stdin=subprocess.DEVNULL,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        yield [p.pid for p in processes]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_GRACE)
        signal.signal(signal.SIGTERM, previous)


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def load():
    """The load averages and the run queue, as /proc/loadavg says them (elsewhere: getloadavg)."""
    try:
        with open("/proc/loadavg") as file:
            return file.read().strip()
    except OSError:
        try:
            return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
        except (AttributeError, OSError):
            return "unknown"


def cpu_times():
    """(busy, total) jiffies of all cores since boot, from /proc/stat; None elsewhere."""
    try:
        with open("/proc/stat") as file:
            values = [int(v) for v in file.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


def busy_since(before):
    """The share of all cores' time that was busy since ``before = cpu_times()``, as "93%"."""
    after = cpu_times()
    if before is None or after is None or after[1] == before[1]:
        return "unknown"
    return f"{100 * (after[0] - before[0]) / (after[1] - before[1]):.0f}%"


def describe(count):
    """One line: how many burners on how many cores."""
    return f"{count} CPU burner process(es) on {os.cpu_count()} core(s)"

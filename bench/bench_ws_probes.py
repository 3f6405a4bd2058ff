"""What the WebSocket benchmark reads from /proc: memory, CPU time, sockets, TCP states."""

import contextlib
import os
from pathlib import Path

TCP_STATES = {
    "01": "ESTABLISHED",
    "04": "FIN_WAIT1",
    "05": "FIN_WAIT2",
    "06": "TIME_WAIT",
    "07": "CLOSE",
    "08": "CLOSE_WAIT",
    "09": "LAST_ACK",
    "0B": "CLOSING",
}


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def server_pids(pid: int) -> list[int]:
    """The serving processes: the process itself with one worker, its children with several."""
    return children(pid) or [pid]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def socket_fds(pid: int) -> int:
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd).startswith("socket:"):
                count += 1
        except OSError:
            pass
    return count


def tcp_state(local_port: int, remote_port: int) -> tuple[str, int] | None:
    """State and send-queue bytes of the 127.0.0.1 socket local_port -> remote_port, if any."""
    want = (f"0100007F:{local_port:04X}", f"0100007F:{remote_port:04X}")
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            parts = line.split()
            if (parts[1], parts[2]) == want:
                tx = int(parts[4].split(":")[0], 16)
                return TCP_STATES.get(parts[3], parts[3]), tx
    return None

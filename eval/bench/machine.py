"""The machine a bench runs on: CPU, memory, library versions, and a server's peak memory."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = round(kb / 1024 / 1024, 1)
    except (OSError, AttributeError):
        pass
    info = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": ram,
        "python": platform.python_version(),
        "load_avg_at_start": os.getloadavg()[0],
    }
    for name in ("torch", "faiss", "onnxruntime", "sentence_transformers", "bm25s"):
        try:
            module = __import__(name)
            info[name] = getattr(module, "__version__", "?")
        except ImportError:
            info[name] = None
    return info


def child_pids(pid: int) -> list[int]:
    """The process's children (the server's model process), from /proc."""
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids += [int(k) for k in task.read_text().split()]
        except OSError:
            pass
    return kids


def rss_peak_mib(pid: int) -> float | None:
    """Peak resident memory (VmHWM) of the process plus its children (the model process):
    the sum of each one's peak, an upper bound on their peak together."""
    total, seen = 0, False
    for p in [pid, *child_pids(pid)]:
        try:
            text = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        m = re.search(r"VmHWM:\s+(\d+) kB", text)
        if m:
            total, seen = total + int(m.group(1)), True
    return round(total / 1024, 1) if seen else None

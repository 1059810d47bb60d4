"""Run a command and measure it: wall time, CPU of the whole process tree, peak memory.

``os.wait4`` gives the CPU seconds of the child and every descendant it reaped
(extraction workers included). A sampler thread reads ``/proc`` every 0.2 s for
the rest: each process's own peak RSS (``VmHWM``), the peak of the *summed* RSS of
the live tree, and how the CPU splits between the main process and its workers.
Not ``wait4``'s ``ru_maxrss``: Linux carries the high-water mark of the image a
child was forked from across ``exec``, so a child of a large bench process reported
the bench's size (663 MB for a 2,000-article crawl that peaked at 210 MB).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measurement:
    wall_s: float
    cpu_s: float  # user + system of the whole tree
    peak_rss_mb: float  # the largest single process (its VmHWM, sampled)
    peak_tree_rss_mb: float  # the largest sum over the live tree (sampled)
    cpu_by_process: dict[str, float] = field(default_factory=dict)  # sampled, "main"/"workers"
    returncode: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def _proc_stat(pid: int) -> tuple[int, float, float] | None:
    """(parent pid, CPU seconds, RSS MB) of one live process, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name is in parentheses and may contain spaces
    fields = raw[raw.rindex(")") + 2:].split()
    ppid, utime, stime, rss_pages = int(fields[1]), int(fields[11]), int(fields[12]), int(fields[21])
    return ppid, (utime + stime) / CLOCK_TICKS, rss_pages * PAGE_SIZE / 1e6


def _tree(root: int) -> dict[int, tuple[float, float]]:
    """{pid: (cpu s, rss MB)} for ``root`` and all its live descendants."""
    stats: dict[int, tuple[int, float, float]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _proc_stat(int(entry))
            if stat is not None:
                stats[int(entry)] = stat
    members, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _, _) in stats.items():
            if ppid == parent and pid not in members:
                members.add(pid)
                frontier.append(pid)
    return {pid: stats[pid][1:] for pid in members if pid in stats}


class _Sampler(threading.Thread):
    def __init__(self, root: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.stop = threading.Event()
        self.peak_tree_rss = 0.0
        self.peak_process_rss = 0.0
        self.cpu: dict[int, float] = {}  # last CPU seen per pid

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            tree = _tree(self.root)
            self.peak_tree_rss = max(self.peak_tree_rss, sum(rss for _, rss in tree.values()))
            for pid, (cpu, _) in tree.items():
                self.cpu[pid] = cpu
                self.peak_process_rss = max(self.peak_process_rss, _peak_rss(pid))


def _peak_rss(pid: int) -> float:
    """The process's own peak RSS in MB (``VmHWM``, which ``exec`` resets); 0 if it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_measured(command: list[str], *, cwd: str | Path | None = None, log: Path | None = None,
                 env: dict | None = None, timeout: float | None = None,
                 interval: float = 0.2) -> Measurement:
    """Run ``command`` to completion (stdout+stderr to ``log``) and measure it."""
    out = open(log, "wb") if log else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        sampler = _Sampler(process.pid, interval)
        sampler.start()
        deadline = None if timeout is None else start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                process.kill()
            time.sleep(0.05)
        wall = time.perf_counter() - start
        sampler.stop.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            out.close()
    main_cpu = sampler.cpu.get(process.pid, 0.0)
    cpu = usage.ru_utime + usage.ru_stime
    return Measurement(
        wall_s=wall, cpu_s=cpu, peak_rss_mb=sampler.peak_process_rss,
        peak_tree_rss_mb=sampler.peak_tree_rss,
        cpu_by_process={"main": main_cpu, "others": max(0.0, cpu - main_cpu)},
        returncode=process.returncode,
    )


def run_parallel_measured(commands: list[list[str]], *, cwd: str | Path | None = None,
                          logs: list[Path] | None = None) -> Measurement:
    """Run several commands at once (one wget per host) as one measured tree.

    They are started by one ``sh`` so that the tree has a single root.
    """
    import shlex

    parts = []
    for index, command in enumerate(commands):
        redirect = f" > {shlex.quote(str(logs[index]))} 2>&1" if logs else " > /dev/null 2>&1"
        parts.append(shlex.join(command) + redirect + " &")
    script = " ".join(parts) + " wait"
    return run_measured(["sh", "-c", script], cwd=cwd)

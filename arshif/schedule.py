"""``arshif schedule``: crawl each site on its own interval, unattended.

Each ``[[site]]`` may say when it is crawled:

    schedule = "every 6h"        # a period: s, m, h, d (combinable: "1h30m"); "off" never
    cron = "0 */6 * * *"         # or a 5-field cron expression, read in UTC

Sites with neither use ``--every`` (default 6h). A period counts from the start of the
site's last run (kept in ``DATA/logs/schedule-state.json``, so a restarted scheduler
does not re-crawl everything at once); a cron site that missed a slot while the
scheduler was down runs once on start. Every crawl is its own process (``arshif crawl
SITE``, so a crash or a leak cannot take the scheduler down), at most one per site at a
time and at most ``--jobs`` at once; its output goes to ``DATA/logs/crawl-SITE-TIME.log``
and the scheduler's own log to ``DATA/logs/schedule.log``. A failed crawl is logged and
the site is tried again at its next slot. SIGINT/SIGTERM stop the scheduler: running
crawls get SIGINT (Scrapy closes them cleanly) and ``--grace`` seconds to finish.

Periods and cron expressions are read in arshif/schedule_plans.py.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from arshif.schedule_plans import Plan

logger = logging.getLogger("arshif.schedule")

STATE_FILE = "schedule-state.json"


@dataclass
class Job:
    site: str
    process: subprocess.Popen
    log_path: Path
    started: datetime
    log_file: object = None


@dataclass
class SiteState:
    last_start: str | None = None
    last_end: str | None = None
    last_exit: int | None = None
    runs: int = 0
    failures: int = 0
    next_run: str | None = None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass
class Scheduler:
    config: Path
    data_dir: Path
    plans: list[Plan]
    jobs: int = 1
    settings: list[str] = field(default_factory=list)  # extra KEY=VALUE for every crawl
    max_runs: int | None = None  # stop after launching this many crawls (and waiting for them)
    grace: float = 120.0
    keep_logs: int = 50
    tick: float = 1.0
    command_for: Callable[[str], list[str]] | None = None  # tests: replace the crawl command
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        self.log_dir = self.data_dir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.state_path = self.log_dir / STATE_FILE
        self.state: dict[str, SiteState] = {p.site: SiteState() for p in self.plans}
        if self.state_path.exists():
            try:
                saved = json.loads(self.state_path.read_text(encoding="utf-8"))
                for name, values in saved.items():
                    if name in self.state:
                        self.state[name] = SiteState(**{k: v for k, v in values.items()
                                                        if k in SiteState.__dataclass_fields__})
            except (ValueError, TypeError) as exc:
                logger.warning("ignoring unreadable %s: %s", self.state_path, exc)
        self.running: dict[str, Job] = {}
        self.launched = 0
        self.stopping = False
        now = self.clock()
        self.next_run: dict[str, datetime] = {p.site: self.first_run(p, now) for p in self.plans}

    # --- timing -----------------------------------------------------------------

    def first_run(self, plan: Plan, now: datetime) -> datetime:
        last = _parse(self.state[plan.site].last_start)
        if plan.cron is not None:
            missed = plan.cron.previous_before(now)
            if last is not None and missed is not None and missed > last:
                return now  # a slot passed while the scheduler was down: catch up once
            return plan.cron.next_after(now)
        if last is None:
            return now
        return max(now, last + timedelta(seconds=plan.period))

    def following(self, plan: Plan, started: datetime, now: datetime) -> datetime:
        if plan.cron is not None:
            return plan.cron.next_after(max(started, now - timedelta(seconds=1)))
        return max(now, started + timedelta(seconds=plan.period))

    # --- crawls -----------------------------------------------------------------

    def command(self, site: str) -> list[str]:
        if self.command_for is not None:
            return self.command_for(site)
        command = [sys.executable, "-m", "arshif", "crawl", site, "--config", str(self.config),
                   "--data", str(self.data_dir), "--set", "ARSHIF_RUN_TRIGGER=schedule",
                   "--set", "ARSHIF_PROGRESS=log"]
        for pair in self.settings:
            command += ["--set", pair]
        return command

    def launch(self, plan: Plan) -> None:
        now = self.clock()
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        log_path = self.log_dir / f"crawl-{plan.site}-{stamp}.log"
        serial = 1
        while log_path.exists():
            serial += 1
            log_path = self.log_dir / f"crawl-{plan.site}-{stamp}-{serial}.log"
        log_file = open(log_path, "w", encoding="utf-8")
        command = self.command(plan.site)
        log_file.write(f"# {_iso(now)} {' '.join(command)}\n")
        log_file.flush()
        try:
            process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            log_file.close()
            logger.error("%s: could not start the crawl: %s", plan.site, exc)
            self.finish(plan, now, 127)
            return
        self.running[plan.site] = Job(plan.site, process, log_path, now, log_file)
        self.launched += 1
        state = self.state[plan.site]
        state.last_start, state.runs = _iso(now), state.runs + 1
        self.save_state()
        logger.info("%s: crawl started (pid %d), log %s", plan.site, process.pid, log_path)

    def finish(self, plan: Plan, started: datetime, code: int) -> None:
        now = self.clock()
        state = self.state[plan.site]
        state.last_end, state.last_exit = _iso(now), code
        if code != 0:
            state.failures += 1
        self.next_run[plan.site] = self.following(plan, started, now)
        state.next_run = _iso(self.next_run[plan.site])
        self.save_state()
        level = logging.INFO if code == 0 else logging.ERROR
        logger.log(level, "%s: crawl %s after %.0f s; next at %s", plan.site,
                   "finished" if code == 0 else f"FAILED (exit {code})",
                   (now - started).total_seconds(), state.next_run)
        self.prune_logs(plan.site)

    def reap(self) -> None:
        plans = {p.site: p for p in self.plans}
        for site, job in list(self.running.items()):
            code = job.process.poll()
            if code is None:
                continue
            job.log_file.close()
            del self.running[site]
            self.finish(plans[site], job.started, code)

    def prune_logs(self, site: str) -> None:
        logs = sorted(self.log_dir.glob(f"crawl-{site}-*.log"))
        for old in logs[:-self.keep_logs] if self.keep_logs else []:
            old.unlink(missing_ok=True)

    def save_state(self) -> None:
        data = {name: state.__dict__ for name, state in self.state.items()}
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.state_path)

    # --- the loop ---------------------------------------------------------------

    def due(self, now: datetime) -> list[Plan]:
        waiting = [p for p in self.plans if p.site not in self.running and self.next_run[p.site] <= now]
        return sorted(waiting, key=lambda p: self.next_run[p.site])

    def step(self) -> None:
        self.reap()
        if self.stopping:
            return
        for plan in self.due(self.clock()):
            if len(self.running) >= self.jobs or self.out_of_runs():
                break
            self.launch(plan)

    def out_of_runs(self) -> bool:
        return self.max_runs is not None and self.launched >= self.max_runs

    def run(self) -> None:
        for plan in self.plans:
            logger.info("%s: %s, first run at %s", plan.site, plan.describe(), _iso(self.next_run[plan.site]))
        if not self.plans:
            logger.warning("no site to schedule")
            return
        try:
            while not self.stopping:
                self.step()
                if self.out_of_runs() and not self.running:
                    logger.info("%d crawls run: stopping (--max-runs)", self.launched)
                    break
                waits = [self.tick] + [max(0.05, (self.next_run[p.site] - self.clock()).total_seconds())
                                       for p in self.plans if p.site not in self.running]
                time.sleep(min(waits))
        finally:
            self.shutdown()

    def stop(self, *_args) -> None:
        if not self.stopping:
            logger.info("stopping: no new crawls; %d running", len(self.running))
        self.stopping = True

    def shutdown(self) -> None:
        if not self.running:
            return
        for job in self.running.values():
            with_suppressed(lambda job=job: os.killpg(job.process.pid, signal.SIGINT))
        deadline = time.monotonic() + self.grace
        while self.running and time.monotonic() < deadline:
            self.reap()
            time.sleep(0.2)
        for job in list(self.running.values()):
            logger.warning("%s: crawl still running after %.0f s: killing it", job.site, self.grace)
            with_suppressed(lambda job=job: os.killpg(job.process.pid, signal.SIGKILL))
            job.process.wait()
        self.reap()


def with_suppressed(action: Callable[[], object]) -> None:
    try:
        action()
    except (ProcessLookupError, PermissionError):
        pass


def setup_logging(log_dir: Path, echo: bool = True) -> logging.Handler:
    """The scheduler's log: DATA/logs/schedule.log (and stderr when ``echo``)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_dir / "schedule.log", encoding="utf-8")
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    handler.setFormatter(formatter)
    logger.addHandler(handler)
    if echo:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(formatter)
        logger.addHandler(stream)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler

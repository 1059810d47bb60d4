"""``arshif schedule``: plans, cron arithmetic, and real scheduled crawls on loopback."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from arshif.schedule import Scheduler
from arshif.schedule_plans import Cron, ScheduleError, load_plans, parse_period, plan_for
from crawler.sites import SiteConfigError, site_from_dict
from samples.config import sites_config
from samples.farm import running_farm
from tests.conftest import REPO


def site(**extra):
    return site_from_dict({"name": "x", "base_url": "http://127.0.0.1/", **extra}, "test")


def test_periods():
    assert parse_period("every 6h") == 6 * 3600
    assert parse_period("1h30m") == 5400
    assert parse_period("90s") == 90
    assert parse_period("1d") == 86400
    for bad in ("often", "6", "every -1h", "6 hours", "0s"):
        with pytest.raises(ScheduleError):
            parse_period(bad)


def test_cron_next_and_previous():
    at = datetime(2026, 1, 1, 7, 30, tzinfo=UTC)  # a Thursday
    cron = Cron.parse("0 */6 * * *")
    assert cron.next_after(at) == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert cron.previous_before(at) == datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
    assert Cron.parse("30 2 * * mon-fri").next_after(datetime(2026, 1, 2, 3, 0, tzinfo=UTC)) == \
        datetime(2026, 1, 5, 2, 30, tzinfo=UTC)
    # day of month OR day of week when both are restricted, as in cron
    assert Cron.parse("0 0 15 * sun").next_after(at) == datetime(2026, 1, 4, 0, 0, tzinfo=UTC)
    assert Cron.parse("0 0 * * 7").next_after(at) == datetime(2026, 1, 4, 0, 0, tzinfo=UTC)
    assert Cron.parse("@monthly").next_after(datetime(2026, 1, 31, 3, tzinfo=UTC)) == \
        datetime(2026, 2, 1, tzinfo=UTC)
    assert Cron.parse("15 10 29 feb *").next_after(at) == datetime(2028, 2, 29, 10, 15, tzinfo=UTC)
    for bad in ("* * *", "61 * * * *", "* * * * funday", "*/0 * * * *", "0 0 * * * 2030", "every day"):
        with pytest.raises(ScheduleError):
            Cron.parse(bad)
    with pytest.raises(ScheduleError, match="never matches"):
        Cron.parse("0 0 31 2 *").next_after(at)


def test_site_plans():
    assert plan_for(site(schedule="every 2h")).period == 7200
    assert plan_for(site(cron="0 3 * * *")).cron.next_after(datetime(2026, 1, 1, 4, tzinfo=UTC)) == \
        datetime(2026, 1, 2, 3, tzinfo=UTC)
    assert plan_for(site()).period == 6 * 3600  # the default
    assert plan_for(site(), "30m").period == 1800
    assert plan_for(site(schedule="off")) is None
    with pytest.raises(ScheduleError):
        plan_for(site(schedule="1h", cron="* * * * *"))
    with pytest.raises(SiteConfigError):
        site(schedule=6)
    assert site(revisit_days=3, revisit_depth=1).revisit_days == 3


def test_scheduler_survives_failures_and_keeps_one_crawl_per_site(tmp_path):
    """Two sites on 0.3 s periods: one crawl always fails, one takes 0.5 s (longer than its period)."""
    config = tmp_path / "sites.toml"
    config.write_text('[[site]]\nname = "good"\nbase_url = "http://127.0.0.1/"\nschedule = "every 0.3s"\n'
                      '[[site]]\nname = "bad"\nbase_url = "http://127.0.0.1/"\nschedule = "every 0.3s"\n',
                      encoding="utf-8")
    marks = tmp_path / "marks"
    marks.mkdir()

    def command(name: str) -> list[str]:
        if name == "bad":
            return [sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"]
        code = ("import os, sys, time, pathlib; d = pathlib.Path(sys.argv[1]);"
                " open(d / f'{time.time():.3f}-{os.getpid()}', 'w').close(); time.sleep(0.5)")
        return [sys.executable, "-c", code, str(marks)]

    scheduler = Scheduler(config, tmp_path / "data", load_plans(config), jobs=2, max_runs=6,
                          command_for=command, tick=0.05)
    started = time.monotonic()
    scheduler.run()
    assert time.monotonic() - started < 30
    state = json.loads((tmp_path / "data" / "logs" / "schedule-state.json").read_text())
    assert state["bad"]["failures"] == state["bad"]["runs"] >= 2
    assert state["bad"]["last_exit"] == 3
    assert state["good"]["runs"] >= 2 and state["good"]["failures"] == 0
    assert state["good"]["runs"] + state["bad"]["runs"] == 6
    logs = sorted((tmp_path / "data" / "logs").glob("crawl-bad-*.log"))
    assert len(logs) == state["bad"]["runs"] and "boom" in logs[0].read_text()
    # never two crawls of one site at once: each good run started after the previous ended
    starts = sorted(float(p.name.split("-")[0]) for p in marks.iterdir())
    assert all(b - a >= 0.5 for a, b in zip(starts, starts[1:]))


def test_restarted_scheduler_waits_for_the_period(tmp_path):
    config = tmp_path / "sites.toml"
    config.write_text('[[site]]\nname = "a"\nbase_url = "http://127.0.0.1/"\nschedule = "every 1h"\n',
                      encoding="utf-8")
    first = Scheduler(config, tmp_path, load_plans(config), max_runs=1,
                      command_for=lambda name: [sys.executable, "-c", "pass"], tick=0.05)
    first.run()
    again = Scheduler(config, tmp_path, load_plans(config))
    wait = (again.next_run["a"] - datetime.now(UTC)).total_seconds()
    assert 3500 < wait <= 3600


def test_schedule_cli_runs_two_intervals_on_loopback(tmp_path):
    """`arshif schedule` crawls the farm's nabd site twice, 3 s apart, then stops (--max-runs)."""
    with running_farm(port=0) as farm:
        config = tmp_path / "sites.toml"
        text = sites_config(farm.port).replace('name = "nabd"', 'name = "nabd"\nschedule = "every 3s"')
        config.write_text(text, encoding="utf-8")
        data = tmp_path / "data"
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "arshif", "schedule", "nabd", "--config", str(config), "--data", str(data),
             "--max-runs", "2", "--set", "AUTOTHROTTLE_ENABLED=False", "--set", "ARSHIF_PACKAGE=False"],
            cwd=REPO, capture_output=True, text=True, timeout=300)
        elapsed = time.monotonic() - started
        article_requests = farm.requests_to("127.0.0.13", "/news/")
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(data / "archive.db") as conn:
        runs = conn.execute("SELECT trigger, status, sites, new, started, requests FROM crawl_runs ORDER BY id").fetchall()
        articles = conn.execute("SELECT count(*) FROM articles WHERE site = 'nabd'").fetchone()[0]
    assert [(r[0], r[1], json.loads(r[2])) for r in runs] == [("schedule", "finished", ["nabd"])] * 2
    assert runs[0][3] == articles == 20 and runs[1][3] == 0
    # crawl_runs.started has whole seconds and is taken after the crawl's start-up, so
    # the period is checked on the scheduler's own launch times (milliseconds in its log)
    launches = [datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
                for line in (data / "logs" / "schedule.log").read_text().splitlines()
                if "nabd: crawl started" in line]
    assert len(launches) == 2 and (launches[1] - launches[0]).total_seconds() >= 2.95
    assert runs[1][5] < runs[0][5] / 4  # the second run is incremental
    assert article_requests < 2 * 20 + 10
    logs = data / "logs"
    assert len(list(logs.glob("crawl-nabd-*.log"))) == 2
    log = (logs / "schedule.log").read_text()
    assert log.count("nabd: crawl started") == 2 and log.count("nabd: crawl finished") == 2
    assert elapsed < 120


def test_schedule_cli_rejects_bad_config(tmp_path):
    config = tmp_path / "sites.toml"
    config.write_text('[[site]]\nname = "a"\nbase_url = "http://127.0.0.1/"\ncron = "every day"\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "arshif", "schedule", "--config", str(config),
                             "--data", str(tmp_path / "d")], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "5 fields" in result.stderr and "Traceback" not in result.stderr


def test_dry_run_lists_plans(tmp_path):
    config = tmp_path / "sites.toml"
    config.write_text('[[site]]\nname = "a"\nbase_url = "http://127.0.0.1/"\ncron = "0 */6 * * *"\n'
                      '[[site]]\nname = "b"\nbase_url = "http://127.0.0.1/"\nschedule = "off"\n'
                      '[[site]]\nname = "c"\nbase_url = "http://127.0.0.1/"\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "arshif", "schedule", "--config", str(config),
                             "--data", str(tmp_path / "d"), "--dry-run", "--every", "2h"],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("a: cron '0 */6 * * *' (UTC); next run ")
    assert lines[1].startswith("c: every 7200 s; next run ") and len(lines) == 2
    assert Path(tmp_path / "d" / "logs" / "schedule.log").exists()

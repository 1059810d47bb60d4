"""The extraction pool (pipelines/workers.py): worker processes that yield the CPU to the
reactor, and a task over its time budget costs its worker, never the pool."""

from __future__ import annotations

import os
import time
from concurrent.futures import wait

import pytest
from scrapy.utils.test import get_crawler

from pipelines.workers import KillablePool, RemoteTraceback, TaskTimeout, WorkerDied
from pipelines.extract import ExtractPipeline


@pytest.mark.parametrize("nice", [0, 7])
def test_workers_run_at_the_configured_niceness(nice):
    crawler = get_crawler(settings_dict={"ARSHIF_EXTRACT_WORKERS": 1, "ARSHIF_EXTRACT_NICE": nice})
    pipeline = ExtractPipeline.from_crawler(crawler)
    pipeline.open_spider()
    try:
        # os.nice(0) in the worker reports its niceness without changing it
        assert pipeline.pool.submit(os.nice, 0).result(timeout=60) == os.nice(0) + nice
    finally:
        pipeline.spider_closed()


def test_timeout_setting_reaches_the_pipeline():
    import crawler.settings

    assert crawler.settings.ARSHIF_EXTRACT_TIMEOUT == 20
    crawler = get_crawler(settings_dict={"ARSHIF_EXTRACT_TIMEOUT": "1.5"})
    assert ExtractPipeline.from_crawler(crawler).timeout == 1.5


@pytest.fixture
def pool():
    pool = KillablePool(2, preload=(__name__,))  # the tasks below are this module's
    yield pool
    pool.shutdown(cancel_futures=True)


def _pid_after(seconds: float, note=None) -> int:
    if note is not None:
        note.write_text(str(os.getpid()))
    time.sleep(seconds)
    return os.getpid()


def test_a_task_over_budget_kills_its_worker_alone(pool, tmp_path):
    note = tmp_path / "pid"
    started = time.monotonic()
    stuck = pool.submit(_pid_after, 3600, note, timeout=2)
    others = [pool.submit(_pid_after, 0.05, timeout=60) for _ in range(20)]
    with pytest.raises(TaskTimeout):
        stuck.result(60)
    assert time.monotonic() - started < 30
    stuck_pid = int(note.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(stuck_pid, 0)  # killed and reaped
    wait(others, 60)
    assert [f.exception() for f in others] == [None] * 20  # queued and running tasks all done
    # two workers again, the stuck one replaced
    pids = {f.result(60) for f in [pool.submit(_pid_after, 0.5) for _ in range(2)]}
    assert len(pids) == 2 and stuck_pid not in pids


def test_time_counts_from_the_tasks_start_not_its_wait_in_the_queue(pool):
    futures = [pool.submit(_pid_after, 0.6, timeout=1) for _ in range(6)]  # three rounds on two workers
    assert len({f.result(60) for f in futures}) == 2


def test_a_dead_worker_fails_its_task_only(pool):
    with pytest.raises(WorkerDied):
        pool.submit(os._exit, 3).result(60)
    assert pool.submit(sum, [1, 2, 3]).result(60) == 6


def test_a_tasks_own_error_keeps_its_worker():
    pool = KillablePool(1)
    try:
        pid = pool.submit(os.getpid).result(60)
        with pytest.raises(ZeroDivisionError) as caught:
            pool.submit(divmod, 1, 0, timeout=60).result(60)
        assert isinstance(caught.value.__cause__, RemoteTraceback)
        assert pool.submit(os.getpid).result(60) == pid
    finally:
        pool.shutdown()


def test_shutdown_cancels_what_has_not_started():
    pool = KillablePool(1)
    running = pool.submit(time.sleep, 0.5)
    queued = [pool.submit(time.sleep, 5) for _ in range(3)]
    time.sleep(0.2)
    pool.shutdown(cancel_futures=True)
    assert running.result(0) is None
    assert all(f.cancelled() for f in queued)
    with pytest.raises(RuntimeError):
        pool.submit(os.getpid)

"""A process pool whose tasks have a time budget: a task over budget kills its worker.

``concurrent.futures.ProcessPoolExecutor`` cannot stop one task: a page that sends the
extractor into an endless loop holds its worker for ever, and the only remedy it offers,
killing the pool, fails every other task in flight. Here each worker process is driven
by a thread of its own, over a pipe: the thread sends one task, waits for the answer at
most the task's ``timeout``, and on expiry kills that process alone and starts another
in its place. Tasks queued or running on the other workers are untouched.

``submit`` returns a ``concurrent.futures.Future`` (``asyncio.wrap_future`` it on an event
loop). A task over budget fails with ``TaskTimeout``; a task whose worker died (killed by
the OOM killer, a crash in C code) fails with ``WorkerDied``; in both cases the worker is
replaced and the pool goes on. An exception raised by the task itself is the future's.

Used by the crawl's extraction (pipelines/extract.py) and by ``reindex``.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import queue
import signal
import threading
import traceback
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)


class TaskTimeout(Exception):
    """The task ran past its time budget; its worker was killed and replaced."""


class WorkerDied(Exception):
    """The worker process died while running the task; it was replaced."""


class RemoteTraceback(Exception):
    """Where in the worker a task's exception was raised (its ``__cause__``)."""


def _serve(conn, initializer: Callable | None, initargs: tuple, preload: tuple[str, ...]) -> None:
    """A worker process: run tasks from the pipe until it closes or says stop (None)."""
    # Ctrl-C reaches the whole process group: the pool's owner decides what stops, and when
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer(*initargs)
    for module in preload:
        importlib.import_module(module)
    conn.send("ready")  # a task's time counts from here: imports are not the page's fault
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the pool's process is gone
            return
        if task is None:
            return
        fn, args, kwargs = task
        try:
            answer = (True, fn(*args, **kwargs), "")
        except BaseException as exc:  # noqa: BLE001 - the caller's future gets it
            answer = (False, exc, traceback.format_exc())
        try:
            conn.send(answer)
        except Exception as exc:  # noqa: BLE001 - an unpicklable result or exception
            conn.send((False, RuntimeError(f"{type(answer[1]).__name__} could not be sent back: {exc}"), ""))


class _Worker:
    """One worker process and the end of the pipe that drives it."""

    def __init__(self, context, initializer: Callable | None, initargs: tuple, preload: tuple[str, ...]) -> None:
        self.conn, child = context.Pipe()
        # daemon: never outlives the crawl, even when nobody shuts the pool down
        self.process = context.Process(target=_serve, args=(child, initializer, initargs, preload), daemon=True)
        self.process.start()
        child.close()
        try:
            self.conn.recv()  # "ready"
        except EOFError:
            self.process.join()
            self.conn.close()
            raise OSError(f"the worker process exited while starting (exit code {self.process.exitcode})") from None

    def run(self, fn: Callable, args: tuple, kwargs: dict, timeout: float | None) -> Any:
        """The task's result; raises TaskTimeout/WorkerDied (this worker is then unusable)."""
        try:
            self.conn.send((fn, args, kwargs))  # pickled before anything is written
            if not self.conn.poll(timeout):
                raise TaskTimeout(f"{getattr(fn, '__name__', fn)} ran over its {timeout:g} s budget")
            ok, value, remote = self.conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            self.process.join(1)
            raise WorkerDied(f"the worker process died (exit code {self.process.exitcode})") from None
        if not ok:
            raise value from (RemoteTraceback(remote) if remote else None)
        return value

    def stop(self, *, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class KillablePool:
    """``workers`` processes (spawned, not forked: the caller may run a reactor and threads).

    Each runs ``initializer(*initargs)`` and imports the ``preload`` modules before its
    first task, so that no task's budget pays for them.
    """

    def __init__(self, workers: int, *, initializer: Callable | None = None, initargs: tuple = (),
                 preload: tuple[str, ...] = ()) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._initializer, self._initargs, self._preload = initializer, initargs, preload
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self._closed = False
        self._threads = [threading.Thread(target=self._drive, name=f"pool-worker-{k}", daemon=True)
                         for k in range(workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable, /, *args: Any, timeout: float | None = None, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` in a worker; ``timeout`` (s) counts from the task's start."""
        if self._closed:
            raise RuntimeError("the pool is shut down")
        future: Future = Future()
        self._tasks.put((future, fn, args, kwargs, timeout or None))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking tasks; the queued ones run first unless ``cancel_futures``."""
        self._closed = True
        if cancel_futures:
            try:
                while True:
                    task = self._tasks.get_nowait()
                    if task is not None:
                        task[0].cancel()
            except queue.Empty:
                pass
        for _ in self._threads:
            self._tasks.put(None)
        if wait:
            for thread in self._threads:
                thread.join()

    def _drive(self) -> None:
        """A thread of this process: feed one worker, replacing it when it dies or overruns."""
        worker = self._start_worker()
        while (task := self._tasks.get()) is not None:
            future, fn, args, kwargs, timeout = task
            if not future.set_running_or_notify_cancel():
                continue
            worker = worker or self._start_worker()
            if worker is None:
                future.set_exception(WorkerDied("no worker process could be started"))
                continue
            try:
                result = worker.run(fn, args, kwargs, timeout)
            except (TaskTimeout, WorkerDied) as exc:
                logger.warning("%s; starting another worker", exc)
                worker.stop(kill=True)
                # started at once, so the next task does not wait for its imports
                worker = self._start_worker()
                future.set_exception(exc)
            except BaseException as exc:  # noqa: BLE001 - the task's own error, or an unpicklable task
                future.set_exception(exc)
            else:
                future.set_result(result)
        if worker is not None:
            worker.stop()

    def _start_worker(self) -> _Worker | None:
        try:
            return _Worker(self._context, self._initializer, self._initargs, self._preload)
        except Exception:  # noqa: BLE001 - out of processes or memory: tried again at the next task
            logger.exception("Could not start a worker process")
            return None

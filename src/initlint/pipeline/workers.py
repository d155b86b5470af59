"""Analysis in worker processes, so that no input can take the run down.

libcst can crash the interpreter or run for a very long time on pathological input, and a
pre-commit hook that dies blocks a commit. Every file is therefore analysed in a worker
process: a worker that dies (segfault, OOM kill) or exceeds the per-file timeout costs one
INI901 diagnostic for the file it held, and a fresh worker takes over the rest. A Python
exception inside the analysis becomes an INI900 "internal error" diagnostic (never a
traceback). This small pool exists because ``concurrent.futures`` breaks the whole pool on
one dead worker and has no per-task timeout.

Workers are forked where possible (a fork costs ~6 ms here, ``spawn`` ~100 ms plus
imports). libcst costs ~0.5 s to import, so it is imported only where needed: by the
parent before forking when there are more files than workers (every worker will need it, and
forked workers share it); with as many files as workers (a pre-commit run), by the workers as
soon as they start, while the parent runs the ``ast`` stage and then hands them only what
survives it (a file that the ``ast`` stage settles never waits for the import).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import time
from collections import deque
from typing import Any, Iterator, Optional

from initlint.finding import Finding, Settings
from initlint.lint import Outcome, _internal_error, analyze_file, gate_file, judge_file


def default_jobs() -> int:
    """The cores this process may run on (respects CPU affinity, e.g. in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


# -- the pool -----------------------------------------------------------------------------


def run_tasks(
    tasks: "list[tuple[str, str]]", settings: Settings, jobs: int, timeout: float
) -> "list[Outcome]":
    """Analyse ``(path, text)`` tasks on up to ``jobs`` workers; outcomes in task order."""
    results: list[Optional[Outcome]] = [None] * len(tasks)
    if not tasks:
        return []
    ctx = _context()
    size = max(1, min(jobs, len(tasks)))
    few = len(tasks) <= size
    if not few and ctx.get_start_method() == "fork":
        _preload()
    workers: list[_Worker] = []
    if few:
        # As many files as workers (a pre-commit run on one file): start the workers now, so
        # that they import libcst (~0.5 s) while this process runs the ast stage, then hand
        # them only what survives it.
        workers = [_Worker(ctx, settings, preload=True) for _ in range(size)]
        located = [gate_file(text, path, settings) for path, text in tasks]
        for i, item in enumerate(located):
            if isinstance(item, Outcome):
                results[i] = item
        # (settled files keep their slot, so that indexes still match ``results``)
        tasks = [(path, None if isinstance(item, Outcome) else item, True) for (path, _), item in zip(tasks, located)]
    queue = deque(i for i in range(len(tasks)) if results[i] is None)
    if not queue:  # the ast stage settled every file: no need to wait for libcst imports
        _shutdown(workers, graceful=False)
        return [r if r is not None else Outcome() for r in results]
    retries: dict[int, int] = {}
    busy: dict[Any, _Worker] = {}
    finished = False
    try:
        while queue or busy:
            while queue and len(busy) < size:
                worker = next((w for w in workers if w.index is None), None)
                if worker is None:
                    worker = _Worker(ctx, settings)
                    workers.append(worker)
                index = queue.popleft()
                if worker.send(index, tasks[index], timeout):
                    busy[worker.conn] = worker
                    continue
                # The worker died between tasks: retry the file once on a fresh worker.
                _discard(worker, workers)
                retries[index] = retries.get(index, 0) + 1
                if retries[index] > 1:
                    results[index] = _crashed(tasks[index][0], worker)
                else:
                    queue.appendleft(index)
            if not busy:
                continue
            wait = max(0.0, min(w.deadline for w in busy.values()) - time.monotonic())
            ready = set(multiprocessing.connection.wait([*busy, *(w.proc.sentinel for w in busy.values())], wait))
            for conn, worker in list(busy.items()):
                index = worker.index
                if conn in ready or worker.proc.sentinel in ready:
                    outcome = worker.receive(tasks[index][0])
                    if outcome is None:  # died mid-task
                        results[index] = _crashed(tasks[index][0], worker)
                        _discard(worker, workers)
                    else:
                        results[index] = outcome
                    del busy[conn]
                elif time.monotonic() >= worker.deadline:
                    worker.kill()
                    path = tasks[index][0]
                    results[index] = Outcome(
                        [Finding(path, 1, 0, "INI901", f"analysis timed out after {timeout:g} s; not analysed")],
                        cacheable=False,
                    )
                    _discard(worker, workers)
                    del busy[conn]
        finished = True
    finally:
        _shutdown(workers, graceful=finished)  # interrupted: kill, do not talk
    return [r if r is not None else Outcome() for r in results]


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _preload() -> None:
    try:
        import libcst  # noqa: F401

        from initlint.lint import analyzer  # noqa: F401
    except Exception:
        pass  # the worker will meet the same error and report it for each file


def _crashed(path: str, worker: "_Worker") -> Outcome:
    code = worker.proc.exitcode
    if code is not None and code < 0:
        try:
            how = f"killed by {signal.Signals(-code).name}"
        except ValueError:
            how = f"killed by signal {-code}"
    elif code is not None:
        how = f"exited with status {code}"
    else:
        how = "stopped responding"
    return Outcome(
        [Finding(path, 1, 0, "INI901", f"analysis crashed (worker process {how}); not analysed")],
        cacheable=False,
    )


def _discard(worker: "_Worker", workers: "list[_Worker]") -> None:
    worker.kill()
    if worker in workers:
        workers.remove(worker)


def _shutdown(workers: "list[_Worker]", graceful: bool) -> None:
    # An explicit stop message: forked siblings hold copies of each other's pipe ends, so
    # closing ours would not reach the worker as EOF.
    for w in workers:
        if graceful:
            with contextlib.suppress(OSError, EOFError):
                w.conn.send(None)
        w.close_conn()
    for w in workers:
        if graceful:
            w.proc.join(timeout=2)
        w.kill()


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """Block SIGINT while starting a worker, so that it never sees a Ctrl-C before it has
    chosen to ignore it (the parent alone reports an interrupt)."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class _Worker:
    def __init__(self, ctx: Any, settings: Settings, preload: bool = False):
        parent_conn, child_conn = ctx.Pipe(duplex=True)
        with _sigint_blocked():
            self.proc = ctx.Process(target=_worker_main, args=(child_conn, settings, preload), daemon=True)
            self.proc.start()
        child_conn.close()
        self.conn = parent_conn
        self.index: Optional[int] = None
        self.deadline = 0.0

    def send(self, index: int, task: tuple, timeout: float) -> bool:
        """``task``: (path, text) for both stages, or (path, reduced, True) for libcst only."""
        try:
            self.conn.send((index, *task))
        except (OSError, EOFError):
            return False
        self.index, self.deadline = index, time.monotonic() + timeout
        return True

    def receive(self, path: str) -> Optional[Outcome]:
        """The outcome for the current task, or None if the worker died."""
        index = self.index
        try:
            if not self.conn.poll():
                self.proc.join(timeout=1)
                return None
            got_index, outcome = self.conn.recv()
        except (OSError, EOFError):
            self.proc.join(timeout=1)
            return None
        except Exception as e:  # an unpicklable result: report, keep going
            self.index = None
            return Outcome([_internal_error(path, e)], cacheable=False)
        self.index = None
        if got_index != index or not isinstance(outcome, Outcome):
            return None
        return outcome

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(timeout=5)
        self.close_conn()

    def close_conn(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()


def _worker_main(conn: Any, settings: Settings, preload: bool = False) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if preload:
        _preload()
    parent = multiprocessing.parent_process()
    watch = [conn] if parent is None else [conn, parent.sentinel]
    while True:
        try:
            if conn not in multiprocessing.connection.wait(watch):
                return  # the parent is gone (killed): nobody wants our results
            message = conn.recv()
        except Exception:  # EOF, or a stream cut mid-message by a dying parent
            return
        if message is None:
            return
        index, path, text, *reduced = message
        outcome = judge_file(text, path, settings) if reduced else analyze_file(text, path, settings)
        try:
            conn.send((index, outcome))
        except (OSError, EOFError):
            return

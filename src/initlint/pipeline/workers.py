"""Analysis in worker processes, so that no input can take the run down.

libcst can crash the interpreter or run for a very long time on pathological input, and a
pre-commit hook that dies blocks a commit. Every file is therefore analysed in a worker
process, both stages (the ``ast`` guard too: ``ast.parse`` of a 5 MB one-line file runs for
tens of seconds in C, where no signal can stop it): a worker that dies (segfault, OOM kill)
or exceeds the per-file timeout costs one INI901 diagnostic for the file it held, and a fresh
worker takes over the rest. A Python exception inside the analysis becomes an INI900
"internal error" diagnostic (never a traceback). This small pool exists because
``concurrent.futures`` breaks the whole pool on one dead worker and has no per-task timeout.

Workers are forked where possible (a fork costs ~6 ms here, ``spawn`` ~100 ms plus
imports). libcst costs ~0.5 s to import, so it is imported only where needed: by the
parent before forking when there are more files than workers (every worker will need it, and
forked workers share it); with as many files as workers (a pre-commit run), by each worker
once its file has passed the ``ast`` stage (a file that stage settles never waits for it).

Workers never outlive the run: SIGTERM and SIGHUP stop the pool like Ctrl-C does, the kernel
kills a worker whose parent died (Linux), and workers write nothing to the caller's stdout or
stderr (a caller reading them to EOF is never held up by a worker). When no more workers can
be started (out of file descriptors, processes or memory), the run goes on with the workers
it has, or in this process when it has none.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, Union

from initlint.finding import Finding, Settings
from initlint.lint import Outcome, internal_error, out_of_memory
from initlint.pipeline.tasks import Task, analyze_task

#: More workers than this many per core only add start-up cost and memory (the analysis is
#: CPU-bound): ``jobs`` is capped here and at the number of files.
MAX_JOBS_PER_CORE = 2
#: The longest single wait on the workers: the poll behind it takes whole milliseconds in a
#: C int, so an unbounded deadline (``timeout = 1e300``) must never reach it.
_MAX_WAIT = 60.0


@dataclass
class PoolRun:
    """The outcomes of :func:`run_tasks`, in task order, and how they were produced."""

    outcomes: "list[Outcome]" = field(default_factory=list)
    workers: int = 0  # worker processes started
    in_process: int = 0  # files analysed in this process: no worker could be started


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived during a run: raised in the main thread, so that the
    workers are stopped before the process exits. An interrupt like Ctrl-C, with the
    signal's number (the CLI exits 128 + it)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def default_jobs() -> int:
    """The cores this process may run on (respects CPU affinity, e.g. in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def pool_size(jobs: int, files: int) -> int:
    """The workers a run starts: ``jobs``, at most one per file and MAX_JOBS_PER_CORE per core."""
    return max(1, min(jobs, files, MAX_JOBS_PER_CORE * default_jobs()))


def _analyze_anyhow(task: Task, settings: Settings) -> Outcome:
    """:func:`initlint.pipeline.tasks.analyze_task` (a Python file or a document) that never
    raises (an import can fail too, e.g. out of memory)."""
    try:
        return analyze_task(task, settings)
    except MemoryError:
        return Outcome([out_of_memory(task.path)], cacheable=False)
    except Exception as e:
        return Outcome([internal_error(task.path, e)], cacheable=False)


# -- the pool -----------------------------------------------------------------------------


def run_tasks(tasks: "Iterable[Union[Task, tuple[str, str]]]", settings: Settings, jobs: int, timeout: float,
              expected: Optional[int] = None) -> PoolRun:
    """Analyse tasks (a :class:`~initlint.pipeline.tasks.Task`, or a Python file's
    ``(path, text)``) on up to ``jobs`` workers (see :func:`pool_size`). ``tasks`` may be a
    generator that reads the files: it is drawn from while the workers are busy, so that they
    start on the first file while the others are read. ``expected``: at most how many it
    yields (a list's length by default)."""
    run = PoolRun()
    source = iter(tasks)
    if expected is None:
        expected = len(tasks) if isinstance(tasks, Sequence) else MAX_JOBS_PER_CORE * default_jobs() + 1
    todo: list[Task] = []  # every task drawn so far
    results: list[Optional[Outcome]] = []
    queue: deque = deque()  # indices of drawn tasks no worker holds yet
    drawn_all = False

    def draw() -> bool:
        """One more task into the queue (False when there are none left)."""
        nonlocal drawn_all
        if drawn_all:
            return False
        task = next(source, None)
        if task is None:
            drawn_all = True
            return False
        todo.append(task if isinstance(task, Task) else Task(*task))
        results.append(None)
        queue.append(len(todo) - 1)
        return True

    ctx = _context()
    size = pool_size(jobs, max(expected, 1))
    preload = expected > size and ctx.get_start_method() == "fork"
    _load_prctl()  # before forking: every worker needs it
    workers: list[_Worker] = []
    retries: dict[int, int] = {}
    busy: dict[Any, _Worker] = {}
    finished = False
    restore_signals = _raise_on_stop_signals()
    try:
        while queue or busy or draw():
            while (queue or draw()) and len(busy) < size:
                if preload:  # before the first fork: every worker will need libcst, and shares it
                    _preload()
                    preload = False
                worker = next((w for w in workers if w.index is None), None) or _start_worker(ctx, settings)
                if worker is None:  # out of descriptors, processes or memory
                    if busy:
                        size = len(busy)  # go on with the workers there are
                        break
                    index = queue.popleft()  # none at all: analyse here, unprotected
                    results[index] = _analyze_anyhow(todo[index], settings)
                    run.in_process += 1
                    continue
                if worker not in workers:
                    workers.append(worker)
                    run.workers += 1
                index = queue.popleft()
                if worker.send(index, todo[index], timeout):
                    busy[worker.conn] = worker
                    continue
                # The worker died between tasks: retry the file once on a fresh worker.
                _discard(worker, workers)
                retries[index] = retries.get(index, 0) + 1
                if retries[index] > 1:
                    results[index] = _crashed(todo[index].path, worker)
                else:
                    queue.appendleft(index)
            if not busy:
                continue
            wait = min(_MAX_WAIT, max(0.0, min(w.deadline for w in busy.values()) - time.monotonic()))
            watched = [*busy, *(w.proc.sentinel for w in busy.values())]
            ready = set(multiprocessing.connection.wait(watched, 0 if not drawn_all else wait))
            if not ready and not drawn_all and draw():
                continue  # every worker is busy: read the next file meanwhile
            for conn, worker in list(busy.items()):
                index = worker.index
                if conn in ready or worker.proc.sentinel in ready:
                    outcome = worker.receive(todo[index].path)
                    if outcome is None:  # died mid-task
                        results[index] = _crashed(todo[index].path, worker)
                        _discard(worker, workers)
                    else:
                        results[index] = outcome
                    del busy[conn]
                elif time.monotonic() >= worker.deadline:
                    worker.kill()
                    path = todo[index].path
                    results[index] = Outcome(
                        [Finding(path, 1, 0, "INI901", f"analysis timed out after {timeout:g} s; not analysed")],
                        cacheable=False,
                    )
                    _discard(worker, workers)
                    del busy[conn]
        finished = True
    finally:
        _shutdown(workers, graceful=finished)  # interrupted: kill, do not talk
        restore_signals()
    run.outcomes = [r if r is not None else Outcome() for r in results]
    return run


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _preload() -> None:
    try:
        import libcst  # noqa: F401

        from initlint.lint import analyzer  # noqa: F401
    except Exception:
        pass  # the worker will meet the same error and report it for each file


def _start_worker(ctx: Any, settings: Settings) -> "Optional[_Worker]":
    """A new worker, or None when the system refuses one (EMFILE, EAGAIN, ENOMEM)."""
    try:
        return _Worker(ctx, settings)
    except (OSError, MemoryError):
        return None


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


# -- signals ------------------------------------------------------------------------------

#: Signals that end a run, as Ctrl-C (SIGINT, a KeyboardInterrupt) does.
_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _raise_on_stop_signals() -> "Callable[[], None]":
    """While the pool runs, SIGTERM and SIGHUP raise :class:`Terminated` (their default
    action would end this process at once and leave the workers running). A signal that is
    ignored (``nohup``) or has a handler of the caller's own is left alone. Returns what
    puts the previous handlers back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(signum: int, frame: Any) -> None:
        raise Terminated(signum)

    replaced = {sig: signal.signal(sig, stop) for sig in _STOP_SIGNALS if signal.getsignal(sig) == signal.SIG_DFL}

    def restore() -> None:
        for sig, handler in replaced.items():
            signal.signal(sig, handler)

    return restore


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """Block the stop signals while starting a worker, so that it never runs the parent's
    handlers before it has set its own (the parent alone reports an interrupt)."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, *_STOP_SIGNALS})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@functools.lru_cache(maxsize=None)
def _load_prctl() -> "Optional[Callable[..., int]]":
    """Linux's prctl, loaded once in the parent (forked workers inherit it)."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (ImportError, OSError, AttributeError):  # pragma: no cover - not Linux
        return None


_PR_SET_PDEATHSIG = 1


def _become_worker() -> None:
    """A fresh worker: Ctrl-C, SIGTERM and SIGHUP are the parent's to handle (it stops the
    workers); the kernel kills it if the parent dies, however (even SIGKILL); and its
    stdout/stderr are /dev/null, so that it never holds the caller's pipes open (set
    INITLINT_DEBUG=1 to see what a worker prints)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in _STOP_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, *_STOP_SIGNALS})
    prctl = _load_prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if not os.environ.get("INITLINT_DEBUG"):
        _streams_to_devnull()


def _streams_to_devnull() -> None:
    try:
        os.close(2)  # frees a descriptor even when the process is at its limit
        null = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):
            if null != fd:
                os.dup2(null, fd)
        if null not in (1, 2):
            os.close(null)
    except OSError:
        pass


class _Worker:
    def __init__(self, ctx: Any, settings: Settings):
        parent_conn, child_conn = ctx.Pipe(duplex=True)
        try:
            with _signals_blocked():
                self.proc = ctx.Process(target=_worker_main, args=(child_conn, settings), daemon=True)
                self.proc.start()
        except BaseException:
            parent_conn.close()
            raise
        finally:
            child_conn.close()
        self.conn = parent_conn
        self.index: Optional[int] = None
        self.deadline = 0.0

    def send(self, index: int, task: Task, timeout: float) -> bool:
        """The timeout covers every stage of the file (reading a document too)."""
        try:
            self.conn.send((index, task))
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
            return Outcome([internal_error(path, e)], cacheable=False)
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


def _worker_main(conn: Any, settings: Settings) -> None:
    _become_worker()
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
        index, task = message
        outcome = _analyze_anyhow(task, settings)
        try:
            conn.send((index, outcome))
        except Exception:  # the parent is gone, or no memory left to pickle the outcome
            return

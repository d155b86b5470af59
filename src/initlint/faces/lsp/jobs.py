"""One analysis of one editor document, in a process of its own, off the editor's thread.

A job runs :func:`initlint.pipeline.engine.check_source`, the engine's entry for one
in-memory file (the CLI's analysis with its filters: ``select``, ``ignore``,
``per-file-ignores``, ``strict``, ``noqa``), with the ``[tool.initlint]`` the CLI would
find for the file. It runs in a process so that a newer version of the document can stop it
at once (:meth:`Job.cancel` kills it), a file that runs past ``timeout`` is stopped, and a
crash costs one INI901 diagnostic, never the editor's server.

The processes are forked by multiprocessing's forkserver, which has libcst and the analyzer
loaded (a job starts in ~10 ms): the forkserver is single-threaded, so no lock held by one of
the server's threads (the LSP reader, the threads waiting on jobs) is ever copied into a job,
as a plain ``fork`` of the server would copy it. Where there is no forkserver (Windows),
jobs are spawned. Imports no pygls: this module is the server's analysis, not its protocol.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import signal
import threading
from dataclasses import dataclass, field
from typing import Any, Optional

from initlint.finding import Finding
from initlint.pipeline.config import Config, ConfigError, load_config
from initlint.pipeline.files import Excluder

log = logging.getLogger("initlint.lsp")

#: What the forkserver imports once, so that no job imports it again.
_PRELOAD = ["initlint.faces.lsp.jobs", "initlint.pipeline.engine", "initlint.lint.analyzer"]


@dataclass(frozen=True)
class Analysis:
    """What a job found; ``config_error`` is the one-line problem of a ``[tool.initlint]``
    that could not be read (then nothing was analysed)."""

    findings: "list[Finding]" = field(default_factory=list)
    config_error: Optional[str] = None


def document_config(path: Optional[str], fallback_dir: str) -> Config:
    """The configuration the CLI would use for ``path``: the nearest ``[tool.initlint]`` above
    it (above ``fallback_dir`` for a document that is not a file yet). Read again for every
    analysis, so that an edited ``pyproject.toml`` counts from the next one on."""
    return load_config(None, path if path is not None else fallback_dir)


class Job:
    """The analysis of one version of a document: :meth:`run` in a waiting thread,
    :meth:`cancel` from any thread."""

    def __init__(self, text: str, path: str, is_file: bool, fallback_dir: str):
        self.text, self.path = text, path
        self._is_file, self._fallback_dir = is_file, fallback_dir
        self._lock = threading.Lock()
        self._process: Any = None
        self._cancelled = False

    def cancel(self) -> None:
        """Stop the analysis: its process is killed, :meth:`run` returns at once."""
        with self._lock:
            self._cancelled = True
            process = self._process
        if process is not None:
            with contextlib.suppress(OSError, ValueError):
                process.kill()

    def run(self) -> Analysis:
        try:
            config = document_config(self.path if self._is_file else None, self._fallback_dir)
        except ConfigError as e:
            return Analysis(config_error=str(e))
        if self._is_file and config.exclude and Excluder(config.exclude, config.root).covers(self.path):
            return Analysis()  # excluded, as the pre-commit hook (--force-exclude) has it
        return Analysis(self._analyse(config))

    def _analyse(self, config: Config) -> "list[Finding]":
        ctx = _context()
        receiver, sender = ctx.Pipe(duplex=False)
        with contextlib.closing(receiver):
            try:
                with self._lock:
                    if self._cancelled:
                        return []
                    process = ctx.Process(target=_job_main, args=(sender, self.text, self.path, config), daemon=True)
                    process.start()
                    self._process = process
            except Exception as e:  # no process to be had (EMFILE, EAGAIN, a dead forkserver): analyse here
                log.warning("no process for the analysis of %s (%r); analysing it in the server, without a timeout", self.path, e)
                return _check(self.text, self.path, config)
            finally:
                sender.close()
            try:
                return self._outcome(receiver, process, config.timeout)
            finally:
                process.join(timeout=1)  # it has sent its findings and is leaving
                if process.is_alive():
                    process.kill()
                    process.join(timeout=5)

    def _outcome(self, receiver: Any, process: Any, timeout: float) -> "list[Finding]":
        ready = multiprocessing.connection.wait([receiver, process.sentinel], timeout)
        if receiver in ready:
            try:
                return receiver.recv()
            except (EOFError, OSError):
                pass  # died while sending
        if self._cancelled:
            return []
        if not ready:
            return [_diagnostic(self.path, f"analysis timed out after {timeout:g} s; not analysed")]
        process.join(timeout=1)
        return [_diagnostic(self.path, f"analysis crashed (worker process {_how(process.exitcode)}); not analysed")]


def _check(text: str, path: str, config: Config) -> "list[Finding]":
    """The engine on one text; never raises (an import can fail too, e.g. out of memory)."""
    from initlint.lint import internal_error, out_of_memory

    try:
        from initlint.pipeline.engine import check_source

        return check_source(text, path, config).findings
    except MemoryError:
        return [out_of_memory(path)]
    except Exception as e:
        return [internal_error(path, e)]


def _job_main(sender: Any, text: str, path: str, config: Config) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the editor's Ctrl-C is the server's to handle
    findings = _check(text, path, config)
    try:
        sender.send(findings)
    except Exception:  # the server is gone, or no memory left to pickle the findings
        pass


def _diagnostic(path: str, message: str) -> Finding:
    return Finding(path, 1, 0, "INI901", message)


def _how(exitcode: Optional[int]) -> str:
    if exitcode is None:
        return "stopped responding"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with status {exitcode}"


_CONTEXT: Any = None
_CONTEXT_LOCK = threading.Lock()


def _context() -> Any:
    """The forkserver context, its server preloaded (started on first use), else spawn."""
    global _CONTEXT
    with _CONTEXT_LOCK:
        if _CONTEXT is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload(_PRELOAD)
            else:  # pragma: no cover - Windows
                ctx = multiprocessing.get_context("spawn")
            _CONTEXT = ctx
        return _CONTEXT


def warm_up() -> None:
    """Start the forkserver (it imports libcst and the analyzer, ~0.5 s) before the first
    document needs it."""
    ctx = _context()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()

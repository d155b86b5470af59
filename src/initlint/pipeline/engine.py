"""The one engine behind every face of initlint (CLI, pre-commit hook, flake8 plugin).

Per file: size limit -> read -> decode (PEP 263) -> textual prefilter -> cache -> ``ast``
guard -> libcst analysis (in worker processes for :func:`check_paths`) -> filters. The
filters are: idioms shown only with ``strict``; ``select``/``ignore``; per-file-ignores;
``# noqa``. INI900/INI901 (diagnostics about the run itself) pass every filter.

A document (notebook, Markdown, reST: by its suffix) takes the same road, decoded as UTF-8;
the worker reads it into one program and maps the findings back, noqa applied
(:mod:`initlint.pipeline.tasks`), so only the other filters are left to this module.
"""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterator, Optional, Union

from initlint.pipeline import noqa
from initlint.pipeline.cache import Cache, content_key, project_path
from initlint.pipeline.config import Config
from initlint.pipeline.documents import document_kind, document_text, file_size_limit
from initlint.pipeline.documents.notebook import check_notebook
from initlint.pipeline.files import Excluder, Globs, Target, discover
from initlint.finding import Finding
from initlint.catalog import ALWAYS_ON
from initlint.pipeline.sources import SourceProblem, decode, read_bytes, too_large_message
from initlint.pipeline.tasks import DocumentOutcome, Note, Task

if TYPE_CHECKING:
    import ast


@dataclass
class FileResult:
    path: str
    findings: "list[Finding]"
    notes: "list[Note]" = field(default_factory=list)


@dataclass
class RunStats:
    """Counts for ``--verbose``: they show, e.g., that a warm run parsed nothing."""

    files: int = 0  # files read
    skipped: int = 0  # dropped by the textual prefilter (this run): never parsed
    cached: int = 0  # results taken from the cache (prefilter verdicts included): never parsed
    analysed: int = 0  # sent to the ast guard and libcst
    documents: int = 0  # of the files read: notebooks, Markdown and reST documents
    left_out: int = 0  # cells/blocks of the documents analysed that did not parse (notes)
    workers: int = 0  # worker processes started
    in_process: int = 0  # analysed in this process: no worker process could be started
    seconds: float = 0.0


@dataclass
class RunResult:
    """The findings, and the decoded text of each file that has one (the full output's
    code frames, baseline fingerprints and ``--add-noqa`` read it; line numbers are its own)."""

    findings: "list[Finding]" = field(default_factory=list)
    stats: RunStats = field(default_factory=RunStats)
    sources: "dict[str, str]" = field(default_factory=dict)
    notes: "list[Note]" = field(default_factory=list)  # of the documents analysed in this run

    @property
    def has_errors(self) -> bool:
        return any(f.code in ALWAYS_ON for f in self.findings)

    def exit_code(self, exit_zero: bool = False) -> int:
        """2 if a file could not be analysed (wins, even with ``exit_zero``), 1 for
        findings, else 0."""
        if self.has_errors:
            return 2
        return 1 if self.findings and not exit_zero else 0


class _Filter:
    """select/ignore, per-file-ignores, idioms, noqa: built once per run."""

    def __init__(self, config: Config):
        self.config = config
        self.per_file = [(Excluder([glob], config.root), codes) for glob, codes in config.per_file_ignores]

    def __call__(self, findings: "list[Finding]", path: str, text: Optional[str], use_noqa: bool = True) -> "list[Finding]":
        enabled = self.config.enabled
        ignored: set = set()
        for matches, codes in self.per_file:
            if matches(path):
                ignored |= codes
        kept = [
            f
            for f in findings
            if f.code in ALWAYS_ON
            or ((f.idiom is None or self.config.strict) and f.code in enabled and f.code not in ignored)
        ]
        if use_noqa and text is not None:
            kept = noqa.filter_noqa(kept, text, ALWAYS_ON)
        return kept


def check_source(
    source: Union[bytes, str],
    path: str,
    config: Optional[Config] = None,
    *,
    cli_filters: bool = True,
    tree: "Optional[ast.Module]" = None,
) -> FileResult:
    """Check one in-memory file, in this process (the flake8 plugin's path; the ``ast``
    guard in front of libcst keeps pathological input away from it). ``tree``: ``source``
    already parsed by ``ast``, if the caller has it (flake8 does). A ``path`` with a
    document's suffix (``.ipynb``, ``.md``, ``.rst``) is read as that document.

    With ``cli_filters=False`` only idioms are filtered (by ``strict``): flake8 applies its
    own select/ignore/per-file-ignores/noqa and must not see them applied twice.
    """
    from initlint.pipeline.tasks import analyze_task

    config = config or Config()
    kind = document_kind(path)
    limit = file_size_limit(kind, config.max_file_size)
    try:
        if isinstance(source, bytes):
            if len(source) > limit:
                raise SourceProblem("INI901", too_large_message(len(source), limit))
            text = decode(source) if kind is None else document_text(source)
        else:
            if len(source) > limit // 4 and len(source.encode("utf-8", "surrogatepass")) > limit:
                raise SourceProblem("INI901", too_large_message(len(source.encode("utf-8", "surrogatepass")), limit))
            text = source.replace("\r\n", "\n").replace("\r", "\n") if "\r" in source else source
    except SourceProblem as p:
        return FileResult(path, [Finding(path, p.line, p.col, p.code, p.message)])
    outcome = analyze_task(Task(path, text, kind, config.max_file_size), config.settings(), tree)
    findings = outcome.findings
    if cli_filters:
        findings = _Filter(config)(findings, path, text if kind is None else None)
    else:
        findings = [f for f in findings if f.code in ALWAYS_ON or f.idiom is None or config.strict]
    notes = outcome.notes if isinstance(outcome, DocumentOutcome) else []
    return FileResult(path, sorted(findings), notes)


def check_paths(paths: "list[str]", config: Optional[Config] = None) -> RunResult:
    """Check files and directories (the CLI's and the pre-commit hook's path)."""
    started = time.perf_counter()
    config = config or Config()
    settings = config.settings()
    stats = RunStats()
    raw: dict[str, list[Finding]] = {}
    texts: dict[str, str] = {}  # Python files with findings, for noqa (documents: applied in the worker)
    notes: list[Note] = []
    cache = None
    if config.use_cache:
        cache = Cache(config.resolved_cache_dir(), settings.key(), config.root)
    tasks: list[Task] = []
    digests: list[str] = []
    targets = discover(paths, Excluder(config.exclude, config.root), config.force_exclude, Globs(config.included, config.root))

    def analysed() -> "Iterator[Task]":
        """The files to analyse, read as the workers ask for them (they start on the first
        while the rest are read), biggest first so that one large file does not finish the
        run alone."""
        for target in sorted(targets, key=_size, reverse=True):
            if target.problem is not None:
                raw[target.path] = [Finding(target.path, 1, 0, *target.problem)]
                continue
            kind = document_kind(target.path)
            try:
                data = read_bytes(target.path, file_size_limit(kind, config.max_file_size))
                stats.files += 1
                stats.documents += kind is not None
                # The cache comes before decoding and the prefilter: hashing is ~15x cheaper
                # than the prefilter's regex, so a warm run only reads and hashes.
                content_digest = content_key(data, kind is not None) if cache is not None else ""
                hit = cache.get(target.path, content_digest) if cache is not None else None
                if hit is not None:
                    raw[target.path] = hit
                    if hit and kind is None:
                        texts[target.path] = decode(data)  # for noqa
                    continue
                text = decode(data) if kind is None else document_text(data)
            except SourceProblem as p:
                raw[target.path] = [Finding(target.path, p.line, p.col, p.code, p.message)]
                continue
            # (A document's raw text holds every word of its code: a notebook's JSON escapes no
            # letter of an identifier.)
            if not _may_contain(text, settings):
                if kind == "notebook":
                    try:  # not analysed, but a notebook that cannot be read at all is still said
                        check_notebook(text)
                    except SourceProblem as p:
                        raw[target.path] = [Finding(target.path, p.line, p.col, p.code, p.message)]
                        continue
                stats.skipped += 1
                if cache is not None:
                    cache.put(target.path, content_digest, [])
                continue
            if kind is None:
                texts[target.path] = text
            task = Task(target.path, text, kind, config.max_file_size)
            tasks.append(task)
            digests.append(content_digest)
            # The analysis sees each file by its path from the project root, the path its cache
            # entry is kept under: where the checkout lives (``/home/me/tests/proj``) never makes
            # its files test files, and a moved checkout's cached results are the ones it would get.
            yield replace(task, path=project_path(task.path, config.root))

    pending = analysed()
    first = next(pending, None)
    if first is not None:  # (a warm run never loads the worker pool)
        from initlint.pipeline.workers import default_jobs, run_tasks

        pooled = run_tasks(itertools.chain([first], pending), settings, config.jobs or default_jobs(), config.timeout,
                           expected=len(targets))
        stats.workers, stats.in_process = pooled.workers, pooled.in_process
        for task, content_digest, outcome in zip(tasks, digests, pooled.outcomes):
            raw[task.path] = [replace(f, path=task.path) for f in outcome.findings]
            if isinstance(outcome, DocumentOutcome):
                notes.extend(replace(n, path=task.path) for n in outcome.notes)
            if cache is not None and outcome.cacheable:
                cache.put(task.path, content_digest, outcome.findings)
    if cache is not None:
        cache.save()
        stats.cached = cache.hits
    stats.analysed = len(tasks)
    stats.left_out = sum(n.left_out for n in notes)
    keep = _Filter(config)
    findings: list[Finding] = []
    sources: dict[str, str] = {}
    for path, found in raw.items():
        if found:
            kept = keep(found, path, texts.get(path))
            findings.extend(kept)
            if kept and path in texts:
                sources[path] = texts[path]
    stats.seconds = time.perf_counter() - started
    notes.sort(key=lambda n: (n.path, n.line, n.col))
    return RunResult(sorted(findings), stats, sources, notes)


def _size(target: Target) -> int:
    """The file's size in bytes (0 if it cannot be read: reading it says why)."""
    try:
        return os.stat(target.path).st_size
    except (OSError, ValueError):
        return 0


def _may_contain(text: str, settings) -> bool:
    from initlint.lint import may_contain

    return may_contain(text, settings)

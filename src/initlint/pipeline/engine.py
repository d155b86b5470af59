"""The one engine behind every face of initlint (CLI, pre-commit hook, flake8 plugin).

Per file: size limit -> read -> decode (PEP 263) -> textual prefilter -> cache -> ``ast``
guard -> libcst analysis (in worker processes for :func:`check_paths`) -> filters. The
filters are: idioms shown only with ``strict``; ``select``/``ignore``; per-file-ignores;
``# noqa``. INI900/INI901 (diagnostics about the run itself) pass every filter.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional, Union

from initlint.pipeline import noqa
from initlint.pipeline.cache import Cache
from initlint.pipeline.cache import digest as cache_digest
from initlint.pipeline.config import Config
from initlint.pipeline.files import Excluder, discover
from initlint.finding import Finding
from initlint.catalog import RULES
from initlint.pipeline.sources import SourceProblem, decode, read_bytes, too_large_message

if TYPE_CHECKING:
    import ast

ALWAYS_ON = frozenset(code for code, rule in RULES.items() if rule.always_on)


@dataclass
class FileResult:
    path: str
    findings: "list[Finding]"


@dataclass
class RunStats:
    """Counts for ``--verbose``: they show, e.g., that a warm run parsed nothing."""

    files: int = 0  # files read
    skipped: int = 0  # dropped by the textual prefilter (this run): never parsed
    cached: int = 0  # results taken from the cache (prefilter verdicts included): never parsed
    analysed: int = 0  # sent to the ast guard and libcst
    workers: int = 0  # worker processes started
    in_process: int = 0  # analysed in this process: no worker process could be started
    seconds: float = 0.0


@dataclass
class RunResult:
    findings: "list[Finding]" = field(default_factory=list)
    stats: RunStats = field(default_factory=RunStats)

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
    already parsed by ``ast``, if the caller has it (flake8 does).

    With ``cli_filters=False`` only idioms are filtered (by ``strict``): flake8 applies its
    own select/ignore/per-file-ignores/noqa and must not see them applied twice.
    """
    from initlint.lint import analyze_file

    config = config or Config()
    settings = config.settings()
    try:
        if isinstance(source, bytes):
            if len(source) > config.max_file_size:
                raise SourceProblem("INI901", too_large_message(len(source), config.max_file_size))
            text = decode(source)
        else:
            if len(source) > config.max_file_size // 4 and len(source.encode("utf-8", "surrogatepass")) > config.max_file_size:
                raise SourceProblem("INI901", too_large_message(len(source.encode("utf-8", "surrogatepass")), config.max_file_size))
            text = source.replace("\r\n", "\n").replace("\r", "\n") if "\r" in source else source
    except SourceProblem as p:
        return FileResult(path, [Finding(path, p.line, p.col, p.code, p.message)])
    findings = analyze_file(text, path, settings, tree).findings
    if cli_filters:
        findings = _Filter(config)(findings, path, text)
    else:
        findings = [f for f in findings if f.code in ALWAYS_ON or f.idiom is None or config.strict]
    return FileResult(path, sorted(findings))


def check_paths(paths: "list[str]", config: Optional[Config] = None) -> RunResult:
    """Check files and directories (the CLI's and the pre-commit hook's path)."""
    started = time.perf_counter()
    config = config or Config()
    settings = config.settings()
    stats = RunStats()
    raw: dict[str, list[Finding]] = {}
    texts: dict[str, str] = {}
    cache = None
    if config.use_cache:
        cache = Cache(config.resolved_cache_dir(), settings.key())
    tasks: list[tuple[str, str]] = []
    digests: list[str] = []
    for target in discover(paths, Excluder(config.exclude, config.root), config.force_exclude):
        if target.problem is not None:
            raw[target.path] = [Finding(target.path, 1, 0, *target.problem)]
            continue
        try:
            data = read_bytes(target.path, config.max_file_size)
            stats.files += 1
            # The cache comes before decoding and the prefilter: hashing is ~15x cheaper
            # than the prefilter's regex, so a warm run only reads and hashes.
            content_digest = cache_digest(data) if cache is not None else ""
            hit = cache.get(target.path, content_digest) if cache is not None else None
            if hit is not None:
                raw[target.path] = hit
                if hit:
                    texts[target.path] = decode(data)  # for noqa
                continue
            text = decode(data)
        except SourceProblem as p:
            raw[target.path] = [Finding(target.path, p.line, p.col, p.code, p.message)]
            continue
        if not _may_contain(text, settings):
            stats.skipped += 1
            if cache is not None:
                cache.put(target.path, content_digest, [])
            continue
        texts[target.path] = text
        tasks.append((target.path, text))
        digests.append(content_digest)
    if tasks:
        from initlint.pipeline.workers import default_jobs, run_tasks

        # Biggest files first, so that one large file does not finish the run alone.
        order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i][1]))
        tasks, digests = [tasks[i] for i in order], [digests[i] for i in order]

        pooled = run_tasks(tasks, settings, config.jobs or default_jobs(), config.timeout)
        stats.workers, stats.in_process = pooled.workers, pooled.in_process
        for (path, _), content_digest, outcome in zip(tasks, digests, pooled.outcomes):
            raw[path] = outcome.findings
            if cache is not None and outcome.cacheable:
                cache.put(path, content_digest, outcome.findings)
    if cache is not None:
        cache.save()
        stats.cached = cache.hits
    stats.analysed = len(tasks)
    keep = _Filter(config)
    findings: list[Finding] = []
    for path, found in raw.items():
        if found:
            findings.extend(keep(found, path, texts.get(path)))
    stats.seconds = time.perf_counter() - started
    return RunResult(sorted(findings), stats)


def _may_contain(text: str, settings) -> bool:
    from initlint.lint import may_contain

    return may_contain(text, settings)

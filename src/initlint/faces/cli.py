"""The ``initlint`` command.

Exit codes: 0 clean, 1 findings, 2 usage/config error, a file that could not be analysed or
a report that could not be written (2 wins; ``--exit-zero`` only turns 1 into 0), 130 on
Ctrl-C, 128 + N on signal N (SIGTERM, SIGHUP). Users never see a traceback
(``INITLINT_DEBUG=1`` shows one for an internal error). stdout carries only the chosen
format; summaries and stats go to stderr. A path is written back as the bytes it has on
disk, whatever they are.

``initlint rule CODE`` prints a rule's documentation. ``rule`` is taken as the subcommand
when it is followed by a code or rule name (``INI001``, ``zero-weight``), by ``--all``, or by
nothing while no file or directory called ``rule`` exists; ``initlint ./rule`` always lints.
"""

from __future__ import annotations

import argparse
import codecs
import os
import re
import shutil
import signal
import sys
from typing import Callable, Optional

from initlint import __version__
from initlint.pipeline.config import (
    Config,
    ConfigError,
    file_size_value,
    jobs_value,
    load_config,
    parse_codes_arg,
    timeout_value,
)
from initlint.faces.output import FORMATS, colour_wanted, format_statistics, location, render
from initlint.catalog import RULES, get_rule
from initlint.finding import Finding

_CODE_LIKE = re.compile(r"[A-Za-z]{2,}\d+|[a-z]+(?:-[a-z]+)+")


def main(argv: "Optional[list[str]]" = None) -> int:
    """Entry point of the console script and ``python -m initlint``; returns the exit code."""
    _prepare_streams()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] == ["check-model"] and not os.path.exists("check-model"):
            from initlint.runtime.cli import main as check_model  # imports torch/keras only for the model

            return check_model(args[1:])
        if args[:1] == ["lsp"]:  # the editor server (faces/lsp); a directory called lsp: ./lsp
            from initlint.faces.lsp import main as lsp_main

            return lsp_main(args[1:])
        if _is_rule_command(args):
            return _rule_command(args[1:])
        return _lint(args)
    except KeyboardInterrupt as e:
        signum = getattr(e, "signum", None)  # SIGTERM, SIGHUP: the worker pool's Terminated
        if signum is not None:
            _err(f"initlint: terminated by {signal.Signals(signum).name}")
            return 128 + signum
        _err("initlint: interrupted")
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 1
    except (ConfigError, ReportNotWritten) as e:
        _err(f"initlint: error: {e}")
        return 2
    except MemoryError:
        _err("initlint: error: out of memory (MemoryError)")
        return 2
    except Exception as e:  # never a traceback for users
        if os.environ.get("INITLINT_DEBUG"):
            raise
        _err(f"initlint: internal error: {type(e).__name__}: {e} (set INITLINT_DEBUG=1 for a traceback; please report it)")
        return 2


def _is_rule_command(args: "list[str]") -> bool:
    if not args or args[0] != "rule":
        return False
    if len(args) == 1:
        return not os.path.exists("rule")
    nxt = args[1]
    return nxt in ("--all", "-h", "--help") or (bool(_CODE_LIKE.fullmatch(nxt)) and not os.path.exists(nxt))


def _rule_command(args: "list[str]") -> int:
    parser = argparse.ArgumentParser(
        prog="initlint rule", description="Show a rule's documentation (code or name), or list all rules."
    )
    parser.add_argument("code", nargs="?", help="a rule code such as INI001, or a name such as zero-weight")
    parser.add_argument("--all", action="store_true", help="print every rule's documentation")
    ns = parser.parse_args(args)
    if ns.all:
        _out("\n".join(rule.doc() for rule in RULES.values()))
    elif ns.code is None:
        _out("".join(f"{r.code}  {r.name:<18} {r.summary}\n" for r in RULES.values()))
    else:
        try:
            rule = get_rule(ns.code)
        except KeyError:
            _err(f"initlint rule: unknown rule {ns.code!r} (known: {', '.join(RULES)})")
            return 2
        _out(rule.doc())
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="initlint",
        description="Catch weight-initialisation mistakes (zero, constant and dead layers) in ML code.",
        epilog="Also: 'initlint rule CODE' shows a rule's documentation; 'initlint check-model MODULE:FACTORY' "
        "checks a model's initial weights. Exit status: 0 clean, "
        "1 findings, 2 usage error or a file that could not be analysed.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to check (default: .)")
    p.add_argument("--select", type=_codes, metavar="CODES", help="comma-separated codes or prefixes to report")
    p.add_argument("--extend-select", type=_codes, metavar="CODES", help="add to the selected codes")
    p.add_argument("--ignore", type=_codes, metavar="CODES", help="codes or prefixes not to report")
    p.add_argument("--extend-ignore", type=_codes, metavar="CODES", help="add to the ignored codes")
    p.add_argument("--exclude", type=_globs, metavar="GLOBS", help="comma-separated globs to skip (replaces config)")
    p.add_argument("--extend-exclude", type=_globs, metavar="GLOBS", help="more globs to skip")
    p.add_argument("--include", type=_globs, metavar="GLOBS", help="globs a directory walk checks (replaces config; default: *.py,*.ipynb)")
    p.add_argument("--extend-include", type=_globs, metavar="GLOBS", help="more globs a walk checks, e.g. '*.md,*.rst'")
    p.add_argument("--doctests", action="store_true", default=None, help="also check the >>> examples in docstrings")
    p.add_argument(
        "--force-exclude", action="store_true", default=None, help="apply exclude to explicitly named files too (pre-commit)"
    )
    p.add_argument("--strict", action="store_true", default=None, help="also report recognised deliberate idioms, each with its reason")
    p.add_argument(
        "--format", "--output-format", dest="format", choices=FORMATS, default="text",
        help="output format (default: text, which is full on a terminal and concise elsewhere)",
    )
    p.add_argument("-o", "--output-file", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--stdin-filename", metavar="PATH", help="the name of the source read from stdin ('initlint -')")
    p.add_argument(
        "--add-noqa", action="store_true",
        help="write '# noqa: CODE' on every reported line instead of reporting; --add-noqa=REASON adds a reason",
    )
    p.add_argument("--baseline", metavar="FILE", help="report only findings that are not in this baseline file")
    p.add_argument("--write-baseline", metavar="FILE", help="record every current finding in FILE (then report as --baseline FILE)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings (2 still means a file was not analysed)")
    p.add_argument("--statistics", action="store_true", help="print the count of each code instead of the findings")
    p.add_argument("--fix", action="store_true", help="apply the safe fixes, then report what is left")
    p.add_argument("--unsafe-fixes", action="store_true", help="with --fix or --diff: the unsafe fixes too (INI003, INI004)")
    p.add_argument("--diff", action="store_true", help="print the fixes as a unified diff instead of writing them (exit 1 if any)")
    p.add_argument("-j", "--jobs", type=_number(int, jobs_value), metavar="N", help="worker processes (default: all cores)")
    p.add_argument(
        "--timeout", type=_number(float, timeout_value), metavar="SECONDS", help="per-file analysis time limit (default: 60)"
    )
    p.add_argument(
        "--max-file-size", type=_number(int, file_size_value), metavar="BYTES", help="skip larger files with INI901 (default: 5 MB)"
    )
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    p.add_argument("--cache-dir", metavar="DIR", help="cache directory (default: .initlint_cache in the project root)")
    p.add_argument("--config", metavar="FILE", help="read [tool.initlint] from FILE instead of searching pyproject.toml")
    p.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    p.add_argument("-v", "--verbose", action="store_true", help="print run statistics to stderr")
    p.add_argument("-q", "--quiet", action="store_true", help="no summary line on stderr")
    p.add_argument("--version", action="version", version=f"initlint {__version__}")
    return p


def _lint(args: "list[str]") -> int:
    parser = _parser()
    args, reason = _noqa_reason(args)
    ns = parser.parse_args(args)
    ns.noqa_reason = reason
    if ns.statistics and ns.format not in ("text", "full", "concise", "json"):
        parser.error("--statistics works with --format text or json")
    stdin = ns.paths == ["-"] or (not ns.paths and ns.stdin_filename is not None)
    if "-" in ns.paths and not stdin:
        parser.error("'-' (stdin) cannot be mixed with other paths")
    if stdin and ns.add_noqa:
        parser.error("--add-noqa edits files: it cannot edit stdin")
    config = _config_from(ns)
    result = _read_stdin(ns, config) if stdin else _check_paths(ns.paths or ["."], config)
    unwritten = False
    if (ns.fix or ns.diff) and not stdin:  # initlint.fix: make the fixes (or show them), then report what is left
        from initlint.fix.files import run_fixes

        fixing = run_fixes(result, config, unsafe=ns.unsafe_fixes, write=not ns.diff)
        for line in fixing.errors + ([] if ns.quiet else fixing.summary(write=not ns.diff)):
            _err(line)
        if ns.diff:
            _out(fixing.diff)
            return 2 if fixing.result.has_errors else int(bool(fixing.diff) and not ns.exit_zero)
        unwritten = bool(fixing.result.unwritten)
        result = _Run(fixing.result.findings, fixing.result.sources, fixing.result.stats, result.notes)
    findings, notes = _adopt(ns, config, result)
    fmt = ns.format
    to_terminal = not ns.output_file and _isatty(sys.stdout)
    if fmt == "text":
        fmt = "full" if to_terminal else "concise"
    colour = not ns.output_file and colour_wanted(sys.stdout)
    if ns.statistics:
        document = format_statistics(findings, "json" if fmt == "json" else "text")
    else:
        prints = result.prints if fmt == "sarif" else None
        document = render(findings, fmt, sources=result.sources, fingerprints=prints, colour=colour,
                          width=_terminal_width())
    if ns.output_file:
        try:
            with open(ns.output_file, "w", encoding="utf-8", errors=_AS_GIVEN) as f:
                f.write(document)
        except OSError as e:
            raise ReportNotWritten(f"{ns.output_file}: cannot write: {_reason(e)}") from None
    else:
        _out(document)
    if ns.verbose and result.stats is not None:
        s = result.stats
        where = f"{s.workers} worker process{'es' * (s.workers != 1)}"
        if s.in_process:
            where += f", {s.in_process} files in this process (no worker could be started)"
        for note in result.notes:
            _err(f"{location(note)}: note: {note.message}")
        documents = f" ({s.documents} documents; {s.left_out} cells/blocks that do not parse left out)" if s.documents else ""
        _err(
            f"initlint: {s.files} files read{documents}: {s.analysed} analysed, {s.cached} from cache, "
            f"{s.skipped} skipped by the prefilter ({s.seconds:.2f} s, {where})"
        )
    for note in notes:
        if not ns.quiet or note.startswith("initlint: error:"):
            _err(note)
    if findings and not ns.quiet and fmt in ("full", "concise") and not ns.output_file:
        files = len({f.path for f in findings})
        _err(f"Found {len(findings)} problem{'s' * (len(findings) != 1)} in {files} file{'s' * (files != 1)}.")
    failed = unwritten or any(note.startswith("initlint: error:") for note in notes)
    return 2 if failed else _exit_code(findings, ns.exit_zero)


class _Run:
    """What a run hands the output: findings, the text of each file with one, their
    fingerprints (for baselines and SARIF) and the run's statistics (files only)."""

    def __init__(self, findings: "list[Finding]", sources: "dict[str, str]", stats: object = None,
                 notes: "Optional[list]" = None):
        self.findings, self.sources, self.stats = findings, sources, stats
        self.notes = notes or []  # what of the documents was not analysed (--verbose)
        self.prints: dict = {}


def _check_paths(paths: "list[str]", config: Config) -> _Run:
    from initlint.pipeline.engine import check_paths

    result = check_paths(paths, config)
    return _Run(result.findings, result.sources, result.stats, result.notes)


def _read_stdin(ns: argparse.Namespace, config: Config) -> _Run:
    """``initlint -``: the source is stdin, named ``--stdin-filename`` (for per-file ignores,
    ``exclude`` with ``--force-exclude``, and the report) or ``-``."""
    from initlint.pipeline.engine import check_source
    from initlint.pipeline.files import Excluder

    path = ns.stdin_filename or "-"
    data = sys.stdin.buffer.read() if sys.stdin is not None and hasattr(sys.stdin, "buffer") else b""
    if ns.stdin_filename and config.force_exclude and Excluder(config.exclude, config.root).covers(path):
        return _Run([], {})
    result = check_source(data, path, config)
    sources = {}
    if result.findings:
        from initlint.pipeline.sources import SourceProblem, decode

        try:
            sources[path] = decode(data)
        except SourceProblem:
            pass
    return _Run(result.findings, sources)


def _adopt(ns: argparse.Namespace, config: Config, run: _Run) -> "tuple[list[Finding], list[str]]":
    """Baselines and ``--add-noqa``: the findings left to report, and lines for stderr."""
    from initlint.pipeline import baseline

    findings, notes = run.findings, []
    if ns.baseline or ns.write_baseline or ns.format == "sarif":
        prints = baseline.fingerprints(findings, run.sources, config.root)
        run.prints = {f: p.fingerprint for f, p in prints.items()}
    if ns.write_baseline or ns.baseline:
        checked = baseline.covering([ns.stdin_filename or "-"] if run.stats is None else ns.paths or ["."], config.root)
        old = baseline.load(ns.baseline) if ns.baseline else []
        if ns.write_baseline:
            if ns.baseline is None and os.path.exists(ns.write_baseline):
                try:
                    old = baseline.load(ns.write_baseline)
                except ConfigError:
                    old = []  # not a baseline (yet): written anew
            kept = [row for row in old if not checked(row["path"])]
            count = baseline.write(ns.write_baseline, prints.values(), kept)
            files = len({p.path for p in prints.values()})
            notes.append(f"initlint: wrote {count} finding{'s' * (count != 1)} to the baseline {ns.write_baseline} "
                         f"({len(prints)} from {files} file{'s' * (files != 1)} checked now)")
            old = kept + [{"path": p.path, "fingerprint": p.fingerprint} for p in prints.values()]
        filtered = baseline.apply(findings, prints, old, checked)
        findings = filtered.findings
        if filtered.gone and ns.baseline and not ns.write_baseline:
            gone = filtered.gone
            notes.append(f"initlint: {gone} finding{'s' * (gone != 1)} of the baseline {ns.baseline} "
                         f"{'are' if gone != 1 else 'is'} gone; --write-baseline {ns.baseline} drops "
                         f"{'them' if gone != 1 else 'it'}")
    if ns.add_noqa:
        from initlint.pipeline.noqa import add_noqa_to_files

        edits = add_noqa_to_files(findings, run.sources, ns.noqa_reason)
        for path, why in edits.failed:
            notes.append(f"initlint: error: {path}: noqa not added: {why}")
        notes.append(f"initlint: added noqa to {edits.lines} line{'s' * (edits.lines != 1)} in "
                     f"{edits.files} file{'s' * (edits.files != 1)}")
        findings = [f for f in findings if _always_on(f.code)]  # what noqa cannot silence
    return findings, notes


def _always_on(code: str) -> bool:
    rule = RULES.get(code)
    return rule is not None and rule.always_on


def _exit_code(findings: "list[Finding]", exit_zero: bool) -> int:
    """2 if a file could not be analysed (wins, even with ``--exit-zero``), 1 for findings."""
    if any(_always_on(f.code) for f in findings):
        return 2
    return 1 if findings and not exit_zero else 0


def _noqa_reason(args: "list[str]") -> "tuple[list[str], Optional[str]]":
    """``--add-noqa=REASON`` (the reason needs the ``=``, as in ruff: ``--add-noqa src`` lints
    ``src``)."""
    out, reason = [], None
    for i, arg in enumerate(args):
        if arg == "--":
            out.extend(args[i:])
            break
        if arg.startswith("--add-noqa="):
            reason = arg.split("=", 1)[1]
            arg = "--add-noqa"
        out.append(arg)
    return out, reason


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def _terminal_width() -> int:
    """Where ``full`` wraps messages: the terminal's width (``COLUMNS`` wins), 60 to 120."""
    return max(60, min(120, shutil.get_terminal_size((100, 24)).columns - 1))


def _config_from(ns: argparse.Namespace) -> Config:
    try:
        cwd = os.getcwd()  # every relative path and the config search start here
    except OSError as e:
        raise ConfigError(f"cannot use the current directory: {_reason(e)} (was it deleted?)") from None
    start = ns.paths[0] if ns.paths and ns.paths != ["-"] else (ns.stdin_filename or cwd)
    config = load_config(ns.config, start, isolated=ns.isolated)
    select = ns.select if ns.select is not None else config.select
    if ns.extend_select:
        select = select | ns.extend_select
    ignore = ns.ignore if ns.ignore is not None else config.ignore
    if ns.extend_ignore:
        ignore = ignore | ns.extend_ignore
    exclude = ns.exclude if ns.exclude is not None else config.exclude
    if ns.extend_exclude:
        exclude = exclude + ns.extend_exclude
    extend_include = config.extend_include + (ns.extend_include or ())
    return config.with_overrides(
        select=select,
        ignore=ignore,
        exclude=exclude,
        include=ns.include,
        extend_include=extend_include,
        doctests=ns.doctests,
        strict=ns.strict,
        force_exclude=ns.force_exclude,
        jobs=ns.jobs,
        timeout=ns.timeout,
        max_file_size=ns.max_file_size,
        cache_dir=os.path.abspath(ns.cache_dir) if ns.cache_dir else None,
        use_cache=False if ns.no_cache else None,
    )


# -- argparse value types: a bad value is a usage error (exit 2) -----------------------------


def _codes(text: str) -> frozenset:
    try:
        return parse_codes_arg(text)
    except ConfigError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _globs(text: str) -> tuple:
    return tuple(g.strip() for g in text.split(",") if g.strip())


def _number(kind: type, check: "Callable[[object], object]") -> "Callable[[str], object]":
    """An argparse type: ``text`` read as ``kind``, within the bounds the config file has."""

    def parse(text: str) -> object:
        try:
            value = kind(text)
        except ValueError:
            value = text
        try:
            return check(value)
        except (TypeError, ValueError) as e:
            expected = str(e).rsplit(", got ", 1)[0]
            raise argparse.ArgumentTypeError(f"{expected}, got {text!r}") from None

    return parse


# -- streams ------------------------------------------------------------------------------


class ReportNotWritten(Exception):
    """stdout or ``-o FILE`` refused the report (closed, full disk): a one-line error, exit 2."""


_AS_GIVEN = "initlint-as-given"


def _write_as_given(error: UnicodeError) -> "tuple[bytes | str, int]":
    """Encoding error handler: an undecodable byte of a path (which Python holds as a lone
    surrogate, U+DC80..U+DCFF) is written back as that byte; any other character the stream
    cannot encode becomes a backslash escape (a C locale never ends the run)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    char = error.object[error.start]
    if "\udc80" <= char <= "\udcff":
        return bytes([ord(char) - 0xDC00]), error.start + 1
    return char.encode("ascii", "backslashreplace").decode("ascii"), error.start + 1


codecs.register_error(_AS_GIVEN, _write_as_given)


def _prepare_streams() -> None:
    """Paths and messages are written whatever their characters; a closed standard stream
    (``initlint >&-``) gets /dev/null behind its number, so that no file or pipe opened later
    takes it (``sys.stdout`` stays None: the report then fails with a clear error)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors=_AS_GIVEN)
        except (AttributeError, ValueError):
            pass
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            try:
                null = os.open(os.devnull, os.O_RDWR)
            except OSError:
                return
            if null != fd:
                os.dup2(null, fd)
                os.close(null)


def _out(text: str) -> None:
    """Write to stdout. A reader that went away (``| head``) is not an error: the exit code
    stays the lint's. A stdout that is closed or cannot take the report (``>/dev/full``) is."""
    if sys.stdout is None:
        raise ReportNotWritten("cannot write the report: stdout is closed")
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except (OSError, ValueError) as e:  # ValueError: closed by the caller's code (in-process)
        _silence_stdout()
        raise ReportNotWritten(f"cannot write the report to stdout: {_reason(e)}") from None


def _err(text: str) -> None:
    if sys.stderr is None:  # closed: the exit code alone must tell
        return
    try:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _reason(e: Exception) -> str:
    return ((e.strerror if isinstance(e, OSError) else None) or str(e)).lower()


def _silence_stdout() -> None:
    """After a closed pipe (``initlint | head``) or a failed write: point stdout at
    /dev/null so that the interpreter's final flush does not print a second error."""
    try:
        fd = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        if devnull != fd:
            os.dup2(devnull, fd)
            os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass

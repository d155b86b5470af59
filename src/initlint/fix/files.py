"""``--fix``, ``--unsafe-fixes`` and ``--diff`` on the files of a run: each file with a fixable
finding is fixed in rounds (checked again after each, with the run's own filters), written
back in its own encoding and newlines, atomically, or shown as a unified diff."""

from __future__ import annotations

import difflib
import io
import os
import re
import tempfile
import tokenize
from dataclasses import dataclass, field

from initlint.catalog import RULES
from initlint.finding import Finding
from initlint.fix.model import Applicability
from initlint.fix.text import fix_text
from initlint.pipeline.config import Config
from initlint.pipeline.documents import document_kind
from initlint.pipeline.engine import RunResult, check_source
from initlint.pipeline.sources import SourceProblem, decode, read_bytes

_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass
class FixedRunResult(RunResult):
    """A run's result after its fixes; a file whose fixes could not be written is an error
    of the run (exit 2), as a file that could not be read is."""

    unwritten: "list[str]" = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.unwritten) or super().has_errors


@dataclass
class FixRun:
    """What fixing a run did (or, for ``--diff``, would do)."""

    result: RunResult  # the run's findings after the fixes
    diff: str = ""
    fixed: int = 0  # findings fixed
    made: "list[str]" = field(default_factory=list)  # one line for each fix made (or that would be)
    files: int = 0  # files changed
    unsafe_left: int = 0  # unsafe fixes not applied (no --unsafe-fixes)
    display_only: "dict[str, int]" = field(default_factory=dict)  # code -> display-only fixes
    errors: "list[str]" = field(default_factory=list)  # one line for each file that could not be written

    def summary(self, write: bool) -> "list[str]":
        """The lines for stderr."""
        files = f"{self.files} file{'s' * (self.files != 1)}"
        problems = f"{self.fixed} problem{'s' * (self.fixed != 1)}"
        if write:
            lines = [f"Fixed {problems} in {files}:", *self.made] if self.fixed else []
        else:
            lines = [f"Would fix {problems} in {files}." if self.fixed else "No problems would be fixed."]
        if self.unsafe_left:
            n = self.unsafe_left
            lines.append(f"{n} unsafe fix{'es' * (n != 1)} available with `--unsafe-fixes`.")
        shown = sum(self.display_only.values())
        if shown:
            codes = "/".join(sorted(self.display_only))
            lines.append(
                f"{shown} display-only fix{'es' * (shown != 1)} ({codes}: the constant may be deliberate) "
                f"not applied; `initlint rule {min(self.display_only)}` says what it would change."
            )
        return lines


def run_fixes(result: RunResult, config: Config, *, unsafe: bool, write: bool) -> FixRun:
    """Fix (``write``) or diff every file of ``result`` that has a finding of a rule with a fix."""
    by_path: dict[str, list[Finding]] = {}
    for f in result.findings:
        rule = RULES.get(f.code)
        if rule is not None and rule.fix is not None and document_kind(f.path) is None:
            by_path.setdefault(f.path, []).append(f)
    run = FixRun(result)
    findings = [f for f in result.findings if f.path not in by_path]
    diffs = []
    unwritten: list[str] = []
    sources = dict(result.sources)  # the text each reported file has after the run
    settings = config.settings()
    for path in sorted(by_path):
        try:
            data = read_bytes(path, config.max_file_size)
            text = decode(data)
        except SourceProblem:
            findings += by_path[path]
            continue
        fixed = fix_text(text, path, by_path[path], settings, unsafe=unsafe,
                         recheck=lambda t, p=path: check_source(t, p, config).findings)
        for offer in fixed.left:
            if offer.applicability is Applicability.DISPLAY_ONLY:
                run.display_only[offer.finding.code] = run.display_only.get(offer.finding.code, 0) + 1
            else:
                run.unsafe_left += 1
        if fixed.text == text:
            findings += [f for f in result.findings if f.path == path]
            continue
        if write:
            try:
                _write(path, _encoded(data, text, fixed.text))
            except OSError as e:
                run.errors.append(f"initlint: error: {path}: cannot write the fixes: {(e.strerror or str(e)).lower()}")
                unwritten.append(path)
                findings += [f for f in result.findings if f.path == path]
                continue
            findings += fixed.findings
            sources[path] = fixed.text
        else:
            diffs.append(unified_diff(text, fixed.text, path))
            findings += [f for f in result.findings if f.path == path]
        run.fixed += len(fixed.fixed)
        run.made += [f"  {o.finding.path}:{o.finding.line}:{o.finding.col + 1}: {o.finding.code} {o.title}"
                     for o in fixed.applied]
        run.files += 1
    run.diff = "".join(diffs)
    run.result = FixedRunResult(sorted(findings), result.stats, sources, unwritten=unwritten)
    return run


def unified_diff(old: str, new: str, path: str) -> str:
    """A unified diff of one file, as ``diff -u`` and ``ruff --diff`` print it."""
    lines = difflib.unified_diff(_lines(old), _lines(new), fromfile=path, tofile=path)
    return "".join(lines)


def _lines(text: str) -> "list[str]":
    lines = text.splitlines(keepends=True) if "\n" in text else ([text] if text else [])
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def _encoded(data: bytes, old: str, new: str) -> bytes:
    """``new`` (written with ``\\n``) as the bytes of the file ``data`` was: its encoding (and
    BOM), and the newline each unchanged line had; a new line takes the file's usual one."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    original = data.decode(encoding)
    if "\r" not in original:
        return new.encode(encoding)
    kept = _NEWLINE.split(original)
    endings = _NEWLINE.findall(original) + [""]
    usual = max(set(endings[:-1]), key=endings.count) if len(endings) > 1 else "\n"
    old_lines, new_lines = old.split("\n"), new.split("\n")
    last = len(new_lines) - 1  # the text after the last newline has no ending
    out = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [kept[i] + ((endings[i] or usual) if j1 + i - i1 < last else "") for i in range(i1, i2)]
        else:
            out += [new_lines[j] + (usual if j < last else "") for j in range(j1, j2)]
    return "".join(out).encode(encoding)


def _write(path: str, data: bytes) -> None:
    """Replace the file's content atomically (through a symlink, to the file it names),
    keeping its permissions."""
    real = os.path.realpath(path)
    mode = os.stat(real).st_mode
    fd, tmp = tempfile.mkstemp(prefix=".initlint-fix-", dir=os.path.dirname(real))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode & 0o7777)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise

"""Output formats: text, json, sarif (GitHub code scanning), github (workflow annotations),
and ``--statistics``. Each returns the whole document as a string; stdout stays
machine-parsable (summaries go to stderr, in the CLI).

Paths are whatever bytes the file system holds. Python hands a name that is not UTF-8 over
with each undecodable byte as a lone surrogate (U+DC80..U+DCFF): text and github keep them
(the CLI writes them back as the original bytes), JSON writes each as a ``\\udcXX`` escape
(valid JSON; ``os.fsencode`` of the decoded string gives the bytes back), and SARIF's URIs
percent-encode the bytes themselves (``bad%FF.py``).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from typing import Iterable, Optional
from urllib.parse import quote

from initlint import __version__
from initlint.finding import Finding
from initlint.catalog import RULES

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
def level(code: str) -> str:
    """The rule's severity (``Rule.level``), for SARIF and GitHub annotations."""
    rule = RULES.get(code)
    return rule.level if rule is not None else "error"


def format_text(findings: Iterable[Finding]) -> str:
    """``path:line:col: CODE message``, col 1-based (as flake8 and ruff print it)."""
    return "".join(f"{f.path}:{f.line}:{f.col + 1}: {f.code} {f.message}\n" for f in findings)


def format_json(findings: Iterable[Finding]) -> str:
    rows = [
        {
            "path": f.path,
            "line": f.line,
            "column": f.col + 1,
            "code": f.code,
            "name": RULES[f.code].name if f.code in RULES else None,
            "message": f.message,
            "idiom": f.idiom,
        }
        for f in findings
    ]
    return _json_text(rows)


def _json_text(data: object) -> str:
    """JSON that any UTF-8 writer can write: a lone surrogate (an undecodable byte of a
    path) becomes its ``\\uXXXX`` escape instead of an unencodable character."""
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def format_github(findings: Iterable[Finding]) -> str:
    """GitHub Actions workflow commands (``::warning`` or ``::error`` by the rule's level);
    values escaped as @actions/core does."""
    out = []
    for f in findings:
        props = f"file={_prop(f.path)},line={f.line},col={f.col + 1},title={_prop(f.code)}"
        out.append(f"::{level(f.code)} {props}::{_data(f.message)}\n")
    return "".join(out)


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def format_sarif(findings: Iterable[Finding], base: Optional[str] = None, information_uri: Optional[str] = None) -> str:
    """A SARIF 2.1.0 log with one run. URIs are relative to ``base`` (default: cwd) with
    forward slashes, under ``%SRCROOT%``, as GitHub code scanning expects."""
    base = os.path.abspath(base or os.getcwd())
    codes = list(RULES)
    rules = [_sarif_rule(RULES[c]) for c in codes]
    results = []
    for f in findings:
        result = {
            "ruleId": f.code,
            "level": level(f.code),
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact(f.path, base),
                        "region": {"startLine": max(f.line, 1), "startColumn": f.col + 1},
                    }
                }
            ],
        }
        if f.code in RULES:
            result["ruleIndex"] = codes.index(f.code)
        if f.idiom:
            result["properties"] = {"idiom": f.idiom}
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "initlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": information_uri or _homepage(),
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": _file_uri(base) + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return _json_text(log)


def _sarif_rule(rule) -> dict:
    doc = rule.doc()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": level(rule.code)},
        "properties": {"tags": ["initialisation", "correctness"]},
    }


def _artifact(path: str, base: str) -> dict:
    full = os.path.abspath(path)
    rel = os.path.relpath(full, base) if _under(full, base) else None
    if rel is None:
        return {"uri": _file_uri(full)}
    return {"uri": quote(os.fsencode(rel.replace(os.sep, "/")), safe="/"), "uriBaseId": "%SRCROOT%"}


def _under(path: str, base: str) -> bool:
    try:
        return os.path.commonpath([path, base]) == base
    except ValueError:  # different drives
        return False


def _file_uri(path: str) -> str:
    posix = path.replace(os.sep, "/")
    if not posix.startswith("/"):
        posix = "/" + posix  # C:/x -> /C:/x
    return "file://" + quote(os.fsencode(posix), safe="/:")


def _homepage() -> str:
    try:
        from importlib.metadata import metadata

        meta = metadata("initlint")
        for entry in meta.get_all("Project-URL") or []:
            label, _, url = entry.partition(",")
            if label.strip().lower() in ("homepage", "home", "repository", "source"):
                return url.strip()
        if meta.get("Home-page"):
            return meta["Home-page"]
    except Exception:
        pass
    return "https://pypi.org/project/initlint/"


def statistics(findings: Iterable[Finding]) -> "list[tuple[str, int]]":
    """(code, count), most frequent first."""
    counts = Counter(f.code for f in findings)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def format_statistics(findings: Iterable[Finding], fmt: str = "text") -> str:
    rows = statistics(findings)
    if fmt == "json":
        data = [{"code": c, "name": RULES[c].name if c in RULES else None, "count": n} for c, n in rows]
        return _json_text(data)
    return "".join(f"{n:>5}  {c}  {RULES[c].name if c in RULES else ''}\n" for c, n in rows)


def render(findings: "list[Finding]", fmt: str) -> str:
    if fmt == "json":
        return format_json(findings)
    if fmt == "sarif":
        return format_sarif(findings)
    if fmt == "github":
        return format_github(findings)
    return format_text(findings)

"""Output formats: SARIF validated against the vendored OASIS 2.1.0 schema and parsed back,
GitHub annotation escaping, text/json/statistics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from initlint.finding import Finding
from initlint.faces.output import format_github, format_json, format_sarif, format_statistics, format_text
from initlint.catalog import RULES

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
GOOD = "import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.weight)\n"

SAMPLE = [
    Finding("src/a b.py", 3, 0, "INI001", "fc.weight is zero"),
    Finding("src/pkg/m.py", 10, 4, "INI003", "every layer", idiom=None),
    Finding("src/pkg/m.py", 12, 8, "INI001", "lora_B.weight is zero", idiom="adapter"),
    Finding("bad.py", 1, 0, "INI900", "syntax error: invalid syntax"),
]


def _validate(log: dict) -> None:
    validator_cls = jsonschema.validators.validator_for(SCHEMA)
    validator_cls.check_schema(SCHEMA)
    validator_cls(SCHEMA).validate(log)


def test_vendored_schema_is_the_oasis_one():
    assert SCHEMA["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert SCHEMA["id"].endswith("/sarif-schema-2.1.0.json")


def test_sarif_is_valid_and_round_trips(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # finding paths are relative to the cwd
    log = json.loads(format_sarif(SAMPLE, base=str(tmp_path)))
    _validate(log)
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "initlint" and driver["version"] and driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == list(RULES)
    for rule in driver["rules"]:
        code = rule["id"]
        assert rule["name"] == RULES[code].name
        assert rule["shortDescription"]["text"] == RULES[code].summary
        assert rule["help"]["markdown"] == RULES[code].doc()
        assert rule["fullDescription"]["text"]
    back = [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
            r["message"]["text"],
        )
        for r in run["results"]
    ]
    assert back == [
        ("INI001", "src/a%20b.py", 3, 1, "fc.weight is zero"),
        ("INI003", "src/pkg/m.py", 10, 5, "every layer"),
        ("INI001", "src/pkg/m.py", 12, 9, "lora_B.weight is zero"),
        ("INI900", "bad.py", 1, 1, "syntax error: invalid syntax"),
    ]
    for r in run["results"]:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert run["results"][0]["level"] == "warning" and run["results"][1]["level"] == "error"
    assert run["results"][2]["properties"] == {"idiom": "adapter"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_path_outside_base_is_a_file_uri(tmp_path):
    log = json.loads(format_sarif([Finding("/elsewhere/x.py", 1, 0, "INI001", "m")], base=str(tmp_path)))
    _validate(log)
    loc = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": "file:///elsewhere/x.py"}


def test_sarif_empty_run_is_valid():
    log = json.loads(format_sarif([]))
    _validate(log)
    assert log["runs"][0]["results"] == []


def test_sarif_from_the_cli(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.py").write_text(GOOD)
    proc = subprocess.run(
        [sys.executable, "-m", "initlint", "--no-cache", "--format", "sarif", "."],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1
    log = json.loads(proc.stdout)
    _validate(log)
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "INI001"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "sub/bad.py"
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 1}


def test_sarif_schema_rejects_a_broken_log():
    log = json.loads(format_sarif(SAMPLE[:1]))
    del log["runs"][0]["tool"]["driver"]["name"]
    with pytest.raises(jsonschema.ValidationError):
        _validate(log)


def test_text_format_uses_1_based_columns():
    assert format_text(SAMPLE[:2]) == "src/a b.py:3:1: INI001 fc.weight is zero\nsrc/pkg/m.py:10:5: INI003 every layer\n"


def test_json_format_fields():
    rows = json.loads(format_json(SAMPLE))
    assert rows[1] == {
        "path": "src/pkg/m.py", "line": 10, "column": 5, "code": "INI003",
        "name": "every-layer-init", "message": "every layer", "idiom": None,
    }
    assert rows[2]["idiom"] == "adapter"


def test_github_escaping():
    finding = Finding("dir,with:odd%/f.py", 7, 2, "INI002", "50% of it\nis: const, really\r")
    line = format_github([finding])
    assert line == (
        "::warning file=dir%2Cwith%3Aodd%25/f.py,line=7,col=3,title=INI002::"
        "50%25 of it%0Ais: const, really%0D\n"
    )
    assert line.count("\n") == 1


def test_statistics():
    text = format_statistics(SAMPLE)
    assert text.splitlines() == ["    2  INI001  zero-weight", "    1  INI003  every-layer-init", "    1  INI900  could-not-analyse"]
    assert json.loads(format_statistics(SAMPLE, "json"))[0] == {"code": "INI001", "name": "zero-weight", "count": 2}
    assert format_statistics([]) == ""


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_a_path_that_is_not_utf8_is_written_as_its_bytes(tmp_path, fmt):
    """Issue 19 row 4: ``bad\\xff.py`` made sarif (and ``-o FILE`` in every format) fail
    with "internal error: UnicodeEncodeError", losing the whole report. The directory name
    is not UTF-8 either (SARIF's base URI is built from it)."""
    base = tmp_path / os.fsdecode(b"dir\xfe")
    base.mkdir()
    bad = os.fsdecode(b"bad\xff.py")
    (base / bad).write_text(GOOD)
    cmd = [sys.executable, "-m", "initlint", "--no-cache", "--format", fmt]
    to_stdout = subprocess.run([*cmd, "."], cwd=base, capture_output=True, timeout=120)
    to_file = subprocess.run([*cmd, "-o", "report", "."], cwd=base, capture_output=True, timeout=120)
    for proc in (to_stdout, to_file):
        assert proc.returncode == 1 and b"error" not in proc.stderr, proc.stderr
    document = to_stdout.stdout
    assert (base / "report").read_bytes() == document
    if fmt == "text":
        assert document.startswith(b"bad\xff.py:3:1: INI001 ")
    elif fmt == "github":
        assert document.startswith(b"::warning file=bad\xff.py,line=3,col=1,title=INI001::")
    elif fmt == "json":
        [row] = json.loads(document.decode("utf-8"))  # valid UTF-8 JSON
        assert os.fsencode(row["path"]) == b"bad\xff.py"
    else:
        log = json.loads(document.decode("utf-8"))
        _validate(log)
        [result] = log["runs"][0]["results"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad%FF.py"
        assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/dir%FE/")

"""Baselines through the real command: ``--write-baseline`` records every finding, ``--baseline``
reports only new ones, and a finding keeps its fingerprint through edits that do not touch it
(lines added above, reformatting, a noqa comment, a moved checkout), while a changed statement,
a renamed definition or a second identical finding are new."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import run_cli

from initlint.finding import Finding
from initlint.pipeline.baseline import fingerprints

MODEL = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(8, 8)
        self.mid = nn.Linear(8, 8)
        nn.init.zeros_(self.inp.weight)

    def reset(self):
        nn.init.constant_(self.mid.weight, 0.5)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "model.py").write_text(MODEL)
    return tmp_path


def lint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli(cwd, "--no-cache", *args)


def codes_at(proc: subprocess.CompletedProcess) -> "list[str]":
    return [line.split(": ", 1)[0] + " " + line.split()[1] for line in proc.stdout.splitlines()]


def test_write_then_check_reports_nothing_and_exits_0(project):
    plain = lint(project)
    assert plain.returncode == 1 and len(plain.stdout.splitlines()) == 2
    wrote = lint(project, "--write-baseline", "baseline.json")
    assert (wrote.returncode, wrote.stdout) == (0, "")
    assert "wrote 2 findings to the baseline baseline.json (2 from 1 file checked now)" in wrote.stderr
    checked = lint(project, "--baseline", "baseline.json")
    assert (checked.returncode, checked.stdout) == (0, "")


def test_the_file_is_stable_sorted_and_names_paths_from_the_root(project):
    lint(project, "--write-baseline", "baseline.json")
    first = (project / "baseline.json").read_text()
    document = json.loads(first)
    assert document["initlint-baseline"] == 1
    rows = document["findings"]
    assert [(r["path"], r["code"], r["scope"], r["statement"]) for r in rows] == [
        ("src/model.py", "INI001", "Net.__init__", "nn.init.zeros_(self.inp.weight)"),
        ("src/model.py", "INI002", "Net.reset", "nn.init.constant_(self.mid.weight, 0.5)"),
    ]
    assert all(r["fingerprint"].endswith(":1") for r in rows)
    # from a subdirectory, with another path spelling: the same file, byte for byte
    lint(project / "src", "--write-baseline", "../again.json", "model.py")
    assert (project / "again.json").read_text() == first


def test_unrelated_edits_keep_every_finding_known(project):
    lint(project, "--write-baseline", "baseline.json")
    model = project / "src" / "model.py"
    edited = MODEL.replace("import torch.nn as nn\n", "import torch.nn as nn\nimport math\n\nSCALE = 2\n")
    edited = edited.replace("nn.init.zeros_(self.inp.weight)", "nn.init.zeros_(  # noqa: E501\n            self.inp.weight\n        )")
    edited = edited.replace("        super().__init__()\n", "        super().__init__()\n        self.drop = nn.Dropout(0.1)\n")
    edited = edited.replace("0.5)", "0.50)").replace("(8, 8)", "(8,8)")
    edited += "\n    def extra(self):\n        return 1\n"
    model.write_text(edited.replace("\n", "\r\n"))
    moved = lint(project)
    assert moved.returncode == 1 and len(moved.stdout.splitlines()) == 2  # still found, lines moved
    checked = lint(project, "--baseline", "baseline.json")
    assert (checked.returncode, checked.stdout) == (0, ""), checked.stdout


def test_a_new_finding_is_reported_alone(project):
    lint(project, "--write-baseline", "baseline.json")
    model = project / "src" / "model.py"
    model.write_text(MODEL + "\n    def more(self):\n        nn.init.zeros_(self.mid.weight)\n")
    proc = lint(project, "--baseline", "baseline.json")
    assert proc.returncode == 1
    assert codes_at(proc) == ["src/model.py:15:9 INI001"]


def test_a_second_identical_finding_in_the_same_definition_is_new(project):
    lint(project, "--write-baseline", "baseline.json")
    model = project / "src" / "model.py"
    model.write_text(MODEL.replace(
        "        nn.init.zeros_(self.inp.weight)\n",
        "        nn.init.zeros_(self.inp.weight)\n        nn.init.zeros_(self.inp.weight)\n",
    ))
    proc = lint(project, "--baseline", "baseline.json")
    assert codes_at(proc) == ["src/model.py:10:9 INI001"]  # the second one


@pytest.mark.parametrize("change", [
    ("def reset(self):", "def reinit(self):"),  # its definition renamed
    ("constant_(self.mid.weight, 0.5)", "constant_(self.mid.weight, 0.25)"),  # its statement changed
])
def test_a_changed_statement_or_definition_is_a_new_finding(project, change):
    lint(project, "--write-baseline", "baseline.json")
    (project / "src" / "model.py").write_text(MODEL.replace(*change))
    proc = lint(project, "--baseline", "baseline.json")
    assert [line.split()[1] for line in proc.stdout.splitlines()] == ["INI002"]
    assert "1 finding of the baseline baseline.json is gone; --write-baseline baseline.json drops it" in proc.stderr


def test_fixed_findings_are_counted_as_gone(project):
    lint(project, "--write-baseline", "baseline.json")
    (project / "src" / "model.py").write_text(MODEL.replace("nn.init.zeros_(self.inp.weight)", "pass"))
    proc = lint(project, "--baseline", "baseline.json")
    assert (proc.returncode, proc.stdout) == (0, "")
    assert "1 finding of the baseline baseline.json is gone" in proc.stderr


def test_a_moved_checkout_keeps_its_baseline(project, tmp_path_factory):
    lint(project, "--write-baseline", "baseline.json")
    elsewhere = tmp_path_factory.mktemp("clone") / "checkout"
    shutil.copytree(project, elsewhere)
    assert lint(elsewhere, "--baseline", "baseline.json").stdout == ""
    # and run from outside the project, naming it by an absolute path
    assert lint(tmp_path_factory.mktemp("cwd"), "--baseline", str(elsewhere / "baseline.json"), str(elsewhere)).stdout == ""


def test_run_diagnostics_are_never_baselined(project):
    (project / "src" / "broken.py").write_text("import torch.nn as nn\nnn.init.zeros_(w\n")
    wrote = lint(project, "--write-baseline", "baseline.json")
    assert wrote.returncode == 2 and "INI900" in wrote.stdout
    assert {r["code"] for r in json.loads((project / "baseline.json").read_text())["findings"]} == {"INI001", "INI002"}
    proc = lint(project, "--baseline", "baseline.json")
    assert proc.returncode == 2 and [line.split()[1] for line in proc.stdout.splitlines()] == ["INI900"]


@pytest.mark.parametrize("content,words", [
    (None, "baseline not found (write one with --write-baseline b.json)"),
    ("{not json", "not an initlint baseline (not JSON)"),
    ('{"findings": []}', "not an initlint baseline (expected"),
    ('{"initlint-baseline": 1, "findings": [{"path": "x"}]}', "a finding without a path or fingerprint"),
])
def test_a_bad_baseline_file_is_a_one_line_error(project, content, words):
    if content is not None:
        (project / "b.json").write_text(content)
    proc = lint(project, "--baseline", "b.json")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("initlint: error: b.json: ") and words in proc.stderr
    assert len(proc.stderr.splitlines()) == 1


def test_sarif_carries_the_baseline_fingerprints(project):
    lint(project, "--write-baseline", "baseline.json")
    recorded = {r["fingerprint"] for r in json.loads((project / "baseline.json").read_text())["findings"]}
    log = json.loads(lint(project, "--format", "sarif").stdout)
    sent = {r["partialFingerprints"]["primaryLocationLineHash"] for r in log["runs"][0]["results"]}
    assert sent == recorded and len(sent) == 2


def test_fingerprints_of_a_file_that_does_not_parse_use_its_line():
    text = "import torch.nn as nn\n%matplotlib inline\nnn.init.zeros_(fc.weight)  # noqa: E501\n"
    f = Finding("nb.py", 3, 0, "INI001", "m")
    [p] = fingerprints([f], {"nb.py": text}, ".").values()
    assert (p.scope, p.statement) == ("", "nn.init.zeros_(fc.weight)")


def test_the_real_console_script(project):
    """The installed ``initlint`` entry point, in a subprocess, as CI runs it."""
    exe = Path(sys.executable).with_name("initlint")
    run = lambda *a: subprocess.run([str(exe), "--no-cache", *a], cwd=project, capture_output=True, text=True, timeout=120)
    assert run("--write-baseline", "b.json").returncode == 0
    (project / "src" / "new.py").write_text("import torch.nn as nn\nfc = nn.Linear(2, 2)\nnn.init.zeros_(fc.weight)\n")
    proc = run("--baseline", "b.json")
    assert proc.returncode == 1 and proc.stdout.startswith("src/new.py:3:1: INI001 ") and proc.stdout.count("\n") == 1


def test_sarif_rules_link_to_their_pages(project):
    """Each rule's helpUri is its page under docs/rules/ in the repository named as Homepage."""
    from initlint.faces.output import _homepage

    rules = json.loads(lint(project, "--format", "sarif").stdout)["runs"][0]["tool"]["driver"]["rules"]
    root = Path(__file__).resolve().parent.parent
    for rule in rules:
        prefix = _homepage().rstrip("/") + "/blob/main/"
        assert rule["helpUri"].startswith(prefix), rule["helpUri"]
        assert (root / rule["helpUri"][len(prefix):]).read_text(encoding="utf-8").startswith(f"# {rule['id']} ")


def test_a_run_on_some_paths_speaks_for_those_paths_only(project):
    """pre-commit names the staged files: the baseline's entries for other files are neither
    gone nor dropped when it is written again from such a run."""
    (project / "src" / "other.py").write_text("import torch.nn as nn\nfc = nn.Linear(2, 2)\nnn.init.zeros_(fc.weight)\n")
    lint(project, "--write-baseline", "baseline.json")
    everything = json.loads((project / "baseline.json").read_text())["findings"]
    assert len(everything) == 3
    proc = lint(project, "--baseline", "baseline.json", "src/other.py")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    (project / "src" / "other.py").write_text("x = 1\n")  # fixed
    proc = lint(project, "--baseline", "baseline.json", "src/other.py")
    assert proc.returncode == 0 and "1 finding of the baseline baseline.json is gone" in proc.stderr
    lint(project, "--write-baseline", "baseline.json", "src/other.py")
    assert json.loads((project / "baseline.json").read_text())["findings"] == [r for r in everything if r["path"] != "src/other.py"]
    assert lint(project, "--baseline", "baseline.json").stdout == ""

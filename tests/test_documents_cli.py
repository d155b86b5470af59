"""Documents through the engine and the CLI: which files are read, the places findings are
reported at (text, JSON, SARIF, GitHub), noqa in a cell, unreadable notebooks, the cache, the
worker pool, include/extend-include/doctests, and the README's documents section as written."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import run_cli

from initlint.finding import CellPlace, Settings
from initlint.pipeline.config import Config
from initlint.pipeline.engine import check_paths, check_source
from initlint.pipeline.tasks import Task
from initlint.pipeline.workers import run_tasks

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def notebook(*cells: "tuple[str, str]", language: str = "python", nbformat: int = 4) -> str:
    """A notebook as Jupyter writes it (indent 1, sources as lists of lines)."""
    built = []
    for kind, source in cells:
        cell = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        built.append(cell)
    meta = {"kernelspec": {"display_name": language, "language": language, "name": language}}
    return json.dumps({"cells": built, "metadata": meta, "nbformat": nbformat, "nbformat_minor": 5}, indent=1) + "\n"


IMPORTS = ("code", "import torch\nfrom torch import nn\n")
MODEL = ("code", "model = nn.Sequential(\n    nn.Linear(784, 128),\n    nn.ReLU(),\n    nn.Linear(128, 10),\n)\n")
DEAD = ("code", "with torch.no_grad():\n    model[0].weight.zero_()\n    model[0].bias.zero_()\n")
KAIMING = ("code", "with torch.no_grad():\n    nn.init.kaiming_uniform_(model[0].weight)\n    model[0].bias.zero_()\n")
DEAD_NB = notebook(("markdown", "# An MLP for MNIST\n"), IMPORTS, ("markdown", "Build the model.\n"), MODEL, DEAD)
FIXED_NB = notebook(("markdown", "# An MLP for MNIST\n"), IMPORTS, ("markdown", "Build the model.\n"), MODEL, KAIMING)
DEAD_MESSAGE = "model[0].weight is zeroed by .zero_() and feeds ReLU"

EXERCISE_NB = notebook(
    ("code", "%matplotlib inline\n!pip install -q torch\nimport torch\nfrom torch import nn\n"),
    ("markdown", "## Exercise\nSet the learning rate below.\n"),
    ("code", "learning_rate = \nmomentum = 0.9\n"),
    ("code", "%%time\nnet = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))\n"
             "for m in net.modules():\n    if isinstance(m, nn.Linear):\n        nn.init.zeros_(m.weight)\n"),
    ("code", "net?\n"),
)

DOC_MD = """# Using blank_

```python
import torch
from torch import nn
```

Zero every layer:

```python
model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))
for layer in model:
    if isinstance(layer, nn.Linear):
        nn.init.zeros_(layer.weight)
```

```python
def broken(:
```
"""


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli(cwd, "--no-cache", *args)


def lines(proc: subprocess.CompletedProcess) -> "list[str]":
    return proc.stdout.splitlines()


# -- the three notebooks -------------------------------------------------------------


def test_a_dead_hidden_layer_is_reported_at_its_cell_and_the_fixed_notebook_is_clean(tmp_path):
    (tmp_path / "mlp.ipynb").write_text(DEAD_NB)
    proc = run(tmp_path)
    # cell 5: cells are counted as ruff counts them, Markdown cells included
    assert proc.returncode == 1 and len(lines(proc)) == 1
    assert lines(proc)[0].startswith(f"mlp.ipynb:cell 5:2:5: INI004 {DEAD_MESSAGE}")
    (tmp_path / "mlp.ipynb").write_text(FIXED_NB)
    assert (run(tmp_path).returncode, run(tmp_path).stdout) == (0, "")


def test_magics_and_a_blank_exercise_cell_leave_the_bug_of_another_cell_reported(tmp_path):
    (tmp_path / "exercise.ipynb").write_text(EXERCISE_NB)
    proc = run(tmp_path, "-v")
    assert proc.returncode == 1, proc.stderr
    assert [line.split(": ", 1)[0] for line in lines(proc)] == ["exercise.ipynb:cell 4:5:9"]
    assert lines(proc)[0].split(": ", 2)[1].startswith("INI004 m.weight of every layer of `net` is zeroed by nn.init.zeros_")
    assert "Traceback" not in proc.stderr
    # the blank is a note under --verbose (ruff reports the same place), not a finding
    assert "exercise.ipynb:cell 3:1:17: note: cell 3 does not parse on its own" in proc.stderr
    assert "1 cells/blocks that do not parse left out" in proc.stderr
    assert "note:" not in run(tmp_path).stderr


# -- what is read ----------------------------------------------------------------------------


def test_notebooks_are_walked_markdown_and_rst_only_when_named_or_included(tmp_path):
    (tmp_path / "nb.ipynb").write_text(DEAD_NB)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "usage.md").write_text(DOC_MD)
    (tmp_path / "docs" / "guide.rst").write_text(".. code-block:: python\n\n    import torch.nn as nn\n    fc = nn.Linear(4, 4)\n    nn.init.zeros_(fc.weight)\n")
    walked = {line.split(":")[0] for line in lines(run(tmp_path))}
    assert walked == {"nb.ipynb"}
    named = lines(run(tmp_path, "docs/usage.md", "docs/guide.rst"))
    assert [line.split(": ")[0] for line in named] == ["docs/guide.rst:5:5", "docs/usage.md:14:9"]
    included = {line.split(":")[0] for line in lines(run(tmp_path, "--extend-include", "docs/**/*.md"))}
    assert included == {"nb.ipynb", "docs/usage.md"}
    (tmp_path / "pyproject.toml").write_text('[tool.initlint]\ninclude = ["*.md", "*.rst"]\n')
    assert {line.split(":")[0] for line in lines(run(tmp_path))} == {"docs/usage.md", "docs/guide.rst"}
    (tmp_path / "pyproject.toml").write_text('[tool.initlint]\nextend-include = ["*.rst"]\n')
    assert {line.split(":")[0] for line in lines(run(tmp_path))} == {"nb.ipynb", "docs/guide.rst"}
    # --include replaces include; the config's extend-include still adds to it (as in ruff)
    assert {line.split(":")[0] for line in lines(run(tmp_path, "--include", "*.py"))} == {"docs/guide.rst"}


def test_include_globs_are_validated_like_the_other_keys(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.initlint]\nextend-include = "*.md"\n')
    proc = run(tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().endswith("[tool.initlint]: extend-include: expected a list of strings, got str '*.md'")
    (tmp_path / "pyproject.toml").write_text('[tool.initlint]\ninclude = ["*.py", " "]\ndoctests = "yes"\n')
    assert "include: expected globs" in run(tmp_path).stderr
    (tmp_path / "pyproject.toml").write_text('[tool.initlint]\ndoctest = true\n')
    assert "unknown key 'doctest' (did you mean 'doctests'?)" in run(tmp_path).stderr


def test_markdown_places_left_out_blocks_and_noqa(tmp_path):
    (tmp_path / "usage.md").write_text(DOC_MD)
    proc = run(tmp_path, "-v", "usage.md")
    assert [line.split(": ")[0] for line in lines(proc)] == ["usage.md:14:9"]
    assert lines(proc)[0].split(": ")[1].startswith("INI004")
    assert "usage.md:18:12: note: Python block does not parse on its own" in proc.stderr
    (tmp_path / "usage.md").write_text(DOC_MD.replace("zeros_(layer.weight)", "zeros_(layer.weight)  # noqa: INI004"))
    assert run(tmp_path, "usage.md").returncode == 0


def test_docstring_examples_on_request(tmp_path):
    (tmp_path / "helpers.py").write_text(
        'import torch.nn as nn\n\n\ndef blank(layer):\n    """Zero a layer.\n\n'
        "    >>> fc = nn.Linear(4, 4)\n    >>> nn.init.zeros_(fc.weight)\n    \"\"\"\n    return layer\n"
    )
    assert run(tmp_path).returncode == 0
    assert [line.split(": ")[0] for line in lines(run(tmp_path, "--doctests"))] == ["helpers.py:8:9"]
    (tmp_path / "pyproject.toml").write_text("[tool.initlint]\ndoctests = true\n")
    assert [line.split(": ")[0] for line in lines(run(tmp_path))] == ["helpers.py:8:9"]


def test_a_notebook_of_another_language_is_a_note_not_an_error(tmp_path):
    (tmp_path / "r.ipynb").write_text(notebook(("code", "library(torch)\nw <- torch_zeros(3)  # not nn.init.zeros_(w)\n"), language="R"))
    proc = run(tmp_path, "-v")
    assert (proc.returncode, proc.stdout) == (0, "")
    assert "r.ipynb:1:1: note: not a Python notebook (its kernel's language is R); not analysed" in proc.stderr


# -- notebooks that cannot be read -----------------------------------------------------------


@pytest.mark.parametrize(
    "data, line",
    [
        (DEAD_NB[: len(DEAD_NB) // 2], "broken.ipynb:{}: INI900 not valid JSON"),
        (DEAD_NB.replace('"nbformat": 4', '"nbformat": 5'), "broken.ipynb:{}: INI900 notebook format 5 cannot be read"),
        (DEAD_NB.replace("Build the model.", "Build the mod\udcffl."), "broken.ipynb:{}: INI900 cannot decode document as UTF-8"),
        ('{"cells": "no"}', "broken.ipynb:{}: INI900 not a Jupyter notebook"),
    ],
    ids=["truncated", "nbformat-5", "not-utf8", "no-cells"],
)
@pytest.mark.parametrize("with_init_words", [True, False])
def test_an_unreadable_notebook_is_one_ini900_and_the_others_are_still_checked(tmp_path, data, line, with_init_words):
    if not with_init_words:
        data = data.replace("zero_", "fill").replace("nn.init", "nn")
    (tmp_path / "broken.ipynb").write_bytes(data.encode("utf-8", "surrogateescape"))
    (tmp_path / "ok.ipynb").write_text(DEAD_NB)
    proc = run(tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    broken = [x for x in lines(proc) if x.startswith("broken.ipynb")]
    assert len(broken) == 1 and re.fullmatch(re.escape(line).replace(r"\{\}", r"\d+:\d+") + ".*", broken[0]), broken
    assert any(x.startswith("ok.ipynb:cell 5:2:5: INI004") for x in lines(proc))


def test_megabytes_of_outputs_are_analysed_and_only_code_counts_against_the_size_limit(tmp_path):
    nb = json.loads(DEAD_NB)
    nb["cells"][3]["outputs"] = [{"output_type": "display_data", "metadata": {},
                                  "data": {"image/png": "iVBORw0KGgo" * 200_000, "text/plain": ["<Figure>"]}}]
    (tmp_path / "plots.ipynb").write_text(json.dumps(nb, indent=1))
    assert (tmp_path / "plots.ipynb").stat().st_size > 2_000_000
    proc = run(tmp_path, "--max-file-size", "1000000")
    assert proc.returncode == 1 and lines(proc)[0].startswith("plots.ipynb:cell 5:2:5: INI004")
    code = len("".join(c for cell in nb["cells"] if cell["cell_type"] == "code" for c in cell["source"]))
    proc = run(tmp_path, "--max-file-size", str(code // 2))
    assert proc.returncode == 2
    assert re.fullmatch(r"plots\.ipynb:1:1: INI901 file is \d+ bytes, over the max-file-size limit of \d+ bytes; not analysed", lines(proc)[0])
    (tmp_path / "plots.ipynb").write_text(DEAD_NB + " " * 10)
    proc = run(tmp_path, "--max-file-size", str(code // 2))
    assert re.fullmatch(r"plots\.ipynb:1:1: INI901 the document holds \d+ bytes of code, over the max-file-size limit of \d+ bytes; not analysed", lines(proc)[0])


# -- the places in every format --------------------------------------------------------------


def test_json_sarif_and_github_point_at_the_ipynb_line_and_name_the_cell(tmp_path):
    (tmp_path / "mlp.ipynb").write_text(DEAD_NB)
    json_lines = DEAD_NB.split("\n")
    (row,) = json.loads(run(tmp_path, "--format", "json").stdout)
    assert (row["cell"], row["cell_line"], row["cell_column"], row["code"]) == (5, 2, 5, "INI004")
    # line/column keep their meaning: the place in the file, here the .ipynb's JSON text
    assert json_lines[row["line"] - 1][row["column"] - 1 :].startswith('model[0].weight.zero_()\\n"')
    sarif = json.loads(run(tmp_path, "--format", "sarif").stdout)["runs"][0]["results"][0]
    region = sarif["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (row["line"], row["column"])
    assert sarif["properties"] == {"cell": 5, "cellLine": 2, "cellColumn": 5}
    github = run(tmp_path, "--format", "github").stdout
    assert github.startswith(f"::error file=mlp.ipynb,line={row['line']},col={row['column']},title=INI004::")
    (tmp_path / "m.py").write_text("import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.weight)\n")
    py_row = json.loads(run(tmp_path, "--format", "json", "m.py").stdout)[0]
    assert list(py_row) == ["path", "line", "column", "code", "name", "message", "idiom"]


def test_the_ipynb_column_counts_json_escapes(tmp_path):
    cell = ("code", 'layers = {"a": nn.Linear(4, 4)}\nfor k in ["a"]: nn.init.zeros_(layers["a"].weight); print("\\t")\n')
    nb = notebook(IMPORTS, cell)
    (tmp_path / "esc.ipynb").write_text(nb)
    (row,) = json.loads(run(tmp_path, "--format", "json", "--select", "INI001").stdout)
    assert row["cell"] == 2 and row["cell_line"] == 2 and row["cell_column"] == 17
    assert nb.split("\n")[row["line"] - 1][row["column"] - 1 :].startswith("nn.init.zeros_(layers[\\\"a\\\"]")


def test_noqa_in_a_cell(tmp_path):
    (tmp_path / "q.ipynb").write_text(DEAD_NB.replace('"    model[0].weight.zero_()\\n"', '"    model[0].weight.zero_()  # noqa: INI004\\n"'))
    assert run(tmp_path).returncode == 0
    (tmp_path / "q.ipynb").write_text(DEAD_NB.replace('"    model[0].weight.zero_()\\n"', '"    model[0].weight.zero_()  # noqa: INI001\\n"'))
    assert run(tmp_path).returncode == 1


# -- engine: cache, workers, check_source -----------------------------------------------------


def test_the_cache_keeps_the_cell_and_a_damaged_cell_row_is_a_miss(tmp_path):
    (tmp_path / "mlp.ipynb").write_text(DEAD_NB)
    cold = run_cli(tmp_path, "-v")
    warm = run_cli(tmp_path, "-v")
    assert cold.stdout == warm.stdout and "cell 5:2:5" in warm.stdout
    assert "0 analysed, 1 from cache" in warm.stderr
    (cache_file,) = (tmp_path / ".initlint_cache").rglob("*.json")
    data = json.loads(cache_file.read_text())
    (entry,) = data.values()
    assert entry[1][0][5] == [5, 2, 4]
    entry[1][0][5] = [0, 2, 4]  # cell 0 does not exist
    cache_file.write_text(json.dumps(data))
    again = run_cli(tmp_path, "-v")
    assert again.stdout == cold.stdout and "1 analysed, 0 from cache" in again.stderr


def test_documents_go_through_the_worker_pool_and_its_timeout():
    task = Task("slow.ipynb", DEAD_NB, "notebook")
    (outcome,) = run_tasks([task], Settings(), jobs=1, timeout=30).outcomes
    assert [(f.code, f.cell) for f in outcome.findings] == [("INI004", CellPlace(5, 2, 4))]
    pooled = run_tasks([task], Settings(), jobs=1, timeout=0.001)  # no worker reads a notebook this fast
    assert pooled.workers == 1
    assert [(f.path, f.code) for f in pooled.outcomes[0].findings] == [("slow.ipynb", "INI901")]
    assert "timed out" in pooled.outcomes[0].findings[0].message


def test_check_paths_and_check_source_agree_on_documents(tmp_path):
    (tmp_path / "mlp.ipynb").write_text(DEAD_NB)
    (tmp_path / "usage.md").write_text(DOC_MD)
    config = Config(root=str(tmp_path), use_cache=False)
    result = check_paths([str(tmp_path / "mlp.ipynb"), str(tmp_path / "usage.md")], config)
    direct = check_source(DEAD_NB.encode(), str(tmp_path / "mlp.ipynb"), config).findings
    direct += check_source(DOC_MD, str(tmp_path / "usage.md"), config).findings
    assert [(f.line, f.col, f.code, f.cell) for f in result.findings] == [(f.line, f.col, f.code, f.cell) for f in direct]
    assert result.stats.documents == 2 and result.stats.left_out == 1 and len(result.notes) == 1


def test_python_output_is_unchanged_by_documents(tmp_path):
    """A Python file's finding has no cell, and its line is printed as it always was."""
    (tmp_path / "m.py").write_text("import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.weight)\n")
    proc = run(tmp_path)
    assert proc.stdout.startswith("m.py:3:1: INI001 fc.weight is initialised to zeros by nn.init.zeros_:")


# -- the README's section ---------------------------------------------------------------------


def _readme_blocks() -> "dict[str, str]":
    """The README's documents section: each fenced block after an ``<!-- documents: NAME -->``
    marker, by NAME."""
    fence = r"<!-- documents: (\S+) -->\n(`{3,})\w*\n(.*?)\n\2\n"  # a longer fence may hold ``` lines
    return {m.group(1): m.group(3) for m in re.finditer(fence, README, re.S)}


def _same(got: str, documented: str) -> None:
    """The README's output lines, each one either exact or cut with ``...``."""
    got_lines, want_lines = got.splitlines(), documented.splitlines()
    assert len(got_lines) == len(want_lines), got
    for g, w in zip(got_lines, want_lines):
        assert g.startswith(w[:-3]) if w.endswith("...") else g == w, (g, w)


def _command(text: str) -> "list[str]":
    words = text.split()
    assert words[0] == "initlint", text
    return [sys.executable, "-m", "initlint", "--no-cache", *words[1:]]


def test_the_readme_documents_examples_run_as_written(tmp_path):
    blocks = _readme_blocks()
    assert set(blocks) >= {"notebook-command", "notebook-output", "usage.md", "markdown-command", "markdown-output"}
    proc = subprocess.run(_command(blocks["notebook-command"]), cwd=REPO, capture_output=True, text=True, timeout=120)
    _same(proc.stdout, blocks["notebook-output"])
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "usage.md").write_text(blocks["usage.md"] + "\n")
    proc = subprocess.run(_command(blocks["markdown-command"]), cwd=tmp_path, capture_output=True, text=True, timeout=120)
    _same(proc.stdout, blocks["markdown-output"])


# -- flake8 ---------------------------------------------------------------------------------


def test_flake8_sees_no_notebook_unless_its_filename_option_names_them(tmp_path):
    """The README: flake8 hands plugins ``*.py`` files only; with ``--filename *.ipynb`` the
    plugin reads a notebook as the command does, at the .ipynb line (flake8 knows no cells)."""
    (tmp_path / "mlp.ipynb").write_text(DEAD_NB)
    flake8 = [sys.executable, "-m", "flake8", "--isolated", "--select", "INI"]
    proc = subprocess.run([*flake8, "."], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout) == (0, "")
    proc = subprocess.run([*flake8, "--filename", "*.ipynb", "."], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    (row,) = json.loads(run(tmp_path, "--format", "json").stdout)
    assert proc.stdout.splitlines() == [f"./mlp.ipynb:{row['line']}:{row['column']}: INI004 {row['message']}"]

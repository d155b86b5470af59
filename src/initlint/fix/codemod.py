"""The edits a fix makes, as one libcst codemod: delete a statement, replace one, or remove a
keyword argument, keeping every other byte of the file, its formatting and its comments.

- A deleted statement that was the only one of its block becomes ``pass``; one that shared its
  line (``a; zeros_(w)``) leaves the others, with their semicolons right; the comment lines
  above a deleted line stay (they move to the next statement, or to the block's end).
- A removed argument takes its comma with it; the commas, line breaks and comments around it
  are joined so that a multi-line call keeps its layout (and its trailing comma, if it had one).
- Only what a fix removes goes: a comment at the end of a deleted line goes with that line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Union

import libcst as cst


@dataclass(frozen=True, eq=False)
class DeleteStatement:
    statement: cst.BaseSmallStatement


@dataclass(frozen=True, eq=False)
class ReplaceStatement:
    """Replace ``statement`` with ``block`` (a compound statement's source, used when the
    statement is alone on its line) or ``inline`` (an expression statement's source, used
    when it shares its line or sits in a one-line suite). Both are written with ``\\n`` and
    4-space indentation; they are made in the file's own newline and indentation."""

    statement: cst.BaseSmallStatement
    block: str
    inline: str


@dataclass(frozen=True, eq=False)
class RemoveArgument:
    call: cst.Call
    arg: cst.Arg


Action = Union[DeleteStatement, ReplaceStatement, RemoveArgument]


def apply_actions(module: cst.Module, actions: "Sequence[Action]") -> cst.Module:
    """``module`` with every action made; each action names nodes of ``module`` itself."""
    return module.visit(_Codemod(module, actions))


class _Codemod(cst.CSTTransformer):
    def __init__(self, module: cst.Module, actions: "Sequence[Action]"):
        super().__init__()
        self.module = module
        self.deleted = {id(a.statement) for a in actions if isinstance(a, DeleteStatement)}
        self.replaced = {id(a.statement): a for a in actions if isinstance(a, ReplaceStatement)}
        self.dropped: dict[int, set[int]] = {}
        for a in actions:
            if isinstance(a, RemoveArgument):
                self.dropped.setdefault(id(a.call), set()).add(id(a.arg))
        self.gone: set[int] = set()  # statement lines whose every statement is deleted
        self.compound: dict[int, cst.BaseCompoundStatement] = {}  # line -> its replacement

    # -- arguments ---------------------------------------------------------------------------
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        drop = self.dropped.get(id(original_node))
        if not drop:
            return updated_node
        call = updated_node
        for index in reversed([i for i, a in enumerate(original_node.args) if id(a) in drop]):
            call = _without_argument(call, index)
        return call

    # -- statements --------------------------------------------------------------------------
    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine,
                                  updated_node: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
        alone = len(original_node.body) == 1
        if alone and id(original_node.body[0]) in self.replaced:
            self.compound[id(original_node)] = self._statement(self.replaced[id(original_node.body[0])].block)
            return updated_node
        body = self._small_statements(original_node.body, updated_node.body)
        if body is None:
            return updated_node
        if not body:
            self.gone.add(id(original_node))
            return updated_node
        return updated_node.with_changes(body=body)

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite,
                                   updated_node: cst.SimpleStatementSuite) -> cst.SimpleStatementSuite:
        body = self._small_statements(original_node.body, updated_node.body)
        if body is None:
            return updated_node
        return updated_node.with_changes(body=body or [cst.Pass()])

    def _small_statements(self, original: Sequence[cst.BaseSmallStatement],
                          updated: Sequence[cst.BaseSmallStatement]) -> "list | None":
        """The statements of one line after the actions (None: untouched). The new last
        statement takes the old last one's semicolon (``a; zeros_(w)`` -> ``a``)."""
        if not any(id(o) in self.deleted or id(o) in self.replaced for o in original):
            return None
        kept = []
        for o, u in zip(original, updated):
            if id(o) in self.deleted:
                continue
            if id(o) in self.replaced:
                inline = self._statement(self.replaced[id(o)].inline)
                u = inline.body[0].with_changes(semicolon=u.semicolon)
            kept.append(u)
        if kept and id(original[-1]) in self.deleted:
            kept[-1] = kept[-1].with_changes(semicolon=updated[-1].semicolon)
        return kept

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        rebuilt = self._body(original_node.body, updated_node.body)
        if rebuilt is None:
            return updated_node
        body, carry = rebuilt
        if not body:
            return updated_node.with_changes(body=[cst.SimpleStatementLine([cst.Pass()], leading_lines=carry)])
        return updated_node.with_changes(body=body, footer=[*carry, *updated_node.footer])

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        rebuilt = self._body(original_node.body, updated_node.body)
        if rebuilt is None:
            return updated_node
        body, carry = rebuilt
        return updated_node.with_changes(body=body, footer=[*carry, *updated_node.footer])

    def _body(self, original: Sequence[cst.BaseStatement], updated: Sequence[cst.BaseStatement]) -> "tuple | None":
        """A block's statements without its deleted lines (their comment lines carried to the
        next statement; the rest returned to go to the block's end) and with its compound
        replacements; None when nothing in it changed."""
        if not any(id(o) in self.gone or id(o) in self.compound for o in original):
            return None
        body: list = []
        carry: list = []
        for o, u in zip(original, updated):
            if id(o) in self.gone:
                carry.extend(u.leading_lines)
                continue
            if id(o) in self.compound:
                u = self.compound[id(o)].with_changes(leading_lines=u.leading_lines)
            if carry:
                u = u.with_changes(leading_lines=[*carry, *u.leading_lines])
                carry = []
            body.append(u)
        return body, carry

    def _statement(self, source: str) -> cst.BaseStatement:
        """``source`` (``\\n``, 4-space indents) parsed in the module's own style."""
        m = self.module
        source = source.replace("\n    ", "\n" + m.default_indent).replace("\n", m.default_newline)
        return cst.parse_statement(source, config=m.config_for_parsing)


def _without_argument(call: cst.Call, index: int) -> cst.Call:
    """``call`` without its argument ``index``: the whitespace in front of the argument and the
    whitespace after it (after its comma, if it has one) are joined, so that the arguments
    around it keep their commas and line breaks."""
    args = list(call.args)
    gone = args.pop(index)
    after = gone.comma.whitespace_after if isinstance(gone.comma, cst.Comma) else gone.whitespace_after_arg
    followed = index < len(args)  # an argument comes after the removed one
    if index == 0:
        return call.with_changes(args=args, whitespace_before_args=_join(call.whitespace_before_args, after, followed))
    prev = args[index - 1]
    assert isinstance(prev.comma, cst.Comma)  # it was followed by an argument
    joined = _join(prev.comma.whitespace_after, after, followed)
    if not followed and not isinstance(gone.comma, cst.Comma):
        # `f(a, k=v)` -> `f(a)`: the last argument loses its comma
        args[index - 1] = prev.with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=joined)
    else:
        args[index - 1] = prev.with_changes(comma=prev.comma.with_changes(whitespace_after=joined))
    return call.with_changes(args=args)


def _join(before: cst.BaseParenthesizableWhitespace, after: cst.BaseParenthesizableWhitespace,
          followed: bool) -> cst.BaseParenthesizableWhitespace:
    """The whitespace that replaces ``before`` + the removed argument + ``after``. When the
    argument had a line of its own, its line goes (with the comment at its end); the comment
    lines above and below it stay. On one line, the spacing kept is the one that separated
    arguments (before the next one) or closed the call (after the last one)."""
    if isinstance(before, cst.ParenthesizedWhitespace):
        if isinstance(after, cst.ParenthesizedWhitespace):
            return before.with_changes(empty_lines=[*before.empty_lines, *after.empty_lines],
                                       indent=after.indent, last_line=after.last_line)
        if not followed and not _has_comment(before):
            return after  # `f(a,\n  k=v)` -> `f(a)`
        return before
    if isinstance(after, cst.ParenthesizedWhitespace):
        return after
    return before if followed else after


def _has_comment(ws: cst.ParenthesizedWhitespace) -> bool:
    return ws.first_line.comment is not None or any(line.comment is not None for line in ws.empty_lines)

"""Fixes for initlint's findings, with ruff's applicability levels (``Rule.fix`` in the
catalog says each rule's): a libcst codemod that deletes the statement zeroing a layer's
weight, or removes a layer's kernel-initializer keyword, and keeps the rest of the file byte
for byte.

For any face: :func:`fixes_for` gives each finding's fix with its edits (an editor's quick
fix, or a report that shows it); :func:`fix_text` makes all that apply, in rounds (``--fix``).
``initlint.fix.files`` does it on disk for the command line. Nothing here imports a framework.
"""

from initlint.fix.model import Applicability, Edit, Fix, apply_edits
from initlint.fix.text import FixedText, fix_text, fixes_for

__all__ = ["Applicability", "Edit", "Fix", "FixedText", "apply_edits", "fix_text", "fixes_for"]

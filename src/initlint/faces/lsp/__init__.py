"""``initlint lsp``: the editor server (needs the ``lsp`` extra, i.e. pygls 2).

This module imports neither pygls nor the analysis: the command line can dispatch here, and
a missing extra is a one-line error, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional

INSTALL_HINT = 'pip install "pygls>=2,<3" (the lsp extra: pip install -e ".[lsp]" in a checkout)'


def main(argv: "Optional[list[str]]" = None) -> int:
    """Run the language server on stdin/stdout; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="initlint lsp",
        description="Run initlint's language server (LSP over stdin/stdout) for editors: diagnostics "
        "on open, change and save, a quick fix that adds '# noqa: CODE', hover with the rule's page.",
    )
    parser.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default and only transport)")
    parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        import lsprotocol.types  # noqa: F401
        import pygls.lsp.server  # noqa: F401  (pygls 2)
    except ImportError as e:
        missing = (getattr(e, "name", None) or "pygls").split(".")[0]
        print(
            f"initlint lsp: error: the editor server needs pygls 2 ({missing} is missing); install it in this environment: {INSTALL_HINT}",
            file=sys.stderr,
        )
        return 2
    from initlint.faces.lsp.server import serve

    return serve()

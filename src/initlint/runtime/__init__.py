"""Runtime checks on an instantiated PyTorch or Keras 3 model: ``check_model_init``.

Importing this package imports neither torch nor keras: the back end is chosen from the
frameworks already in ``sys.modules`` when ``check_model_init`` is called.
"""

from __future__ import annotations

from initlint.runtime.check import check_model_init
from initlint.runtime.report import InitCheckError, InitReport, ProbeError, Problem

__all__ = ["check_model_init", "InitCheckError", "InitReport", "Problem", "ProbeError"]

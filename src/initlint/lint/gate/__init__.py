"""The cheap stages before libcst: a textual prefilter, the stdlib-ast guard and the
reduction to what can matter. Stdlib only; their words and lists come from ``knowledge``."""

"""The static analyzer: libcst-based, never imports torch, keras or jax."""

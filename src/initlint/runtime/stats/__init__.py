"""Tensor statistics (zeros, constants, duplicate units, non-finite values) per array library."""

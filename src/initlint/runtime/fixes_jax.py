"""Suggested fixes for JAX models, per code and library, in each library's own words.

Merged into ``report.SUGGESTIONS`` (keyed ``(code, framework)``); the framework names are the
ones ``backends.jax.framework_of`` gives: ``flax`` (linen and nnx), ``haiku``, ``equinox`` and
``jax`` (any other pytree of arrays).
"""

from __future__ import annotations

# how each library spells "this weight's initializer", and its random default
_INIT = {
    "flax": ("kernel_init", "Flax's default is nn.initializers.lecun_normal()"),
    "haiku": ("w_init", "Haiku's default is a truncated normal scaled by fan-in"),
    "equinox": ("init", "keep the layer's default, uniform in ±1/sqrt(fan_in), or draw with jax.random"),
    "jax": ("initializer", "e.g. jax.nn.initializers.lecun_normal()"),
}
_PROBE = {"flax": "example_inputs= (and apply_fn=model.apply for linen)", "haiku": "example_inputs= and apply_fn=",
          "equinox": "example_inputs=", "jax": "example_inputs= and apply_fn="}
_UNIT = {"flax": "column", "haiku": "column", "equinox": "row", "jax": "unit"}

JAX_SUGGESTIONS: dict[tuple[str, str], str] = {}
for _fw, (_init, _default) in _INIT.items():
    JAX_SUGGESTIONS.update({
        ("INI001", _fw): (
            f"use a random {_init} ({_default}; zeros are for biases); if the zero is deliberate (a zero head, "
            f"adaLN-Zero, the last layer of a residual branch), pass {_PROBE[_fw]} so the probe can confirm that it trains"
        ),
        ("INI002", _fw): (
            f"use a random {_init} ({_default}); a fixed filter belongs outside the trained parameters "
            "(a constant, or jax.lax.stop_gradient)"
        ),
        ("INI004", _fw): (
            "do not zero a layer that feeds ReLU-like activations: zero the *last* layer of the branch instead, "
            f"or use a random {_init} (and no bias <= 0 on a zero weight)"
        ),
        ("INI005", _fw): (
            f"use a random {_init}; orthogonal/identity inits only on square kernels; do not copy one unit's "
            f"{_UNIT[_fw]} into another"
        ),
        ("INI006", _fw): (
            "initialise it with a finite initializer (check fan-in divisions for 0), or load a checkpoint saved "
            "before training diverged"
        ),
    })

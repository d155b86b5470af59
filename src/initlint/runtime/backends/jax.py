"""JAX back end: Flax linen variables dicts, nnx Modules and States, Equinox Modules, Haiku
params, and any pytree of arrays.

Imported only once ``jax`` is in ``sys.modules`` (so importing it here costs nothing); Flax,
Equinox and Haiku are never imported, only looked up in ``sys.modules``. A model is read as a
flat list of leaves with their key paths (``jax.tree_util.tree_flatten_with_path``), named in
the library's own spelling: ``params/fc1/kernel`` (linen), ``mlp/~/linear_0/w`` (Haiku),
``fc1/kernel`` (nnx), ``layers.0.weight`` (Equinox, attribute paths). JAX arrays are immutable
and the probe works on new trees rebuilt from the leaves, so the model is never changed.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import jax
import jax.numpy as jnp
import numpy as np

from initlint.runtime import roles, roles_jax
from initlint.runtime.facts import Entry, resolve_layout
from initlint.runtime.report import ProbeError
from initlint.runtime.vocabulary import intent_reason

NNX, EQX, LINEN, TREE = "nnx", "equinox", "linen", "pytree"


def _nnx() -> Any:
    return sys.modules.get("flax.nnx")


def _eqx() -> Any:
    return sys.modules.get("equinox")


def _is_nnx_variable(x: Any) -> bool:
    nnx = _nnx()
    return nnx is not None and isinstance(x, nnx.Variable)


def _is_array_like(x: Any) -> bool:
    return isinstance(x, (jax.Array, jax.ShapeDtypeStruct))


def model_kind(model: Any) -> Optional[str]:
    """NNX, EQX, LINEN or TREE when ``model`` is a JAX model we can read, else None."""
    nnx, eqx = _nnx(), _eqx()
    if nnx is not None and isinstance(model, (nnx.Module, nnx.State)):
        return NNX
    if eqx is not None and isinstance(model, eqx.Module):
        return EQX
    if _is_array_like(model):
        return TREE
    if isinstance(model, (Mapping, list, tuple)):
        leaves = jax.tree_util.tree_leaves(model, is_leaf=_is_nnx_variable)
        if any(_is_array_like(x) or _is_nnx_variable(x) for x in leaves):
            return LINEN if _is_linen_variables(model) else TREE
    return None


def _is_linen_variables(tree: Any) -> bool:
    """``model.init(...)``: a mapping of collections, one of which is ``params``."""
    return (
        isinstance(tree, Mapping)
        and roles_jax.LINEN_TRAINABLE_COLLECTION in tree
        and all(isinstance(v, Mapping) for v in tree.values())
    )


def _key(k: Any) -> Any:
    """The plain name or index in one element of a key path."""
    for attr in ("key", "name", "idx"):
        if hasattr(k, attr):
            return getattr(k, attr)
    return str(k)


def _walk(root: Any, keys: tuple) -> Any:
    """The object at ``keys`` below ``root`` (attributes, then items), or None."""
    obj = root
    for k in keys:
        try:
            obj = getattr(obj, k) if isinstance(k, str) and hasattr(obj, k) else obj[k]
        except Exception:
            return None
    return obj


@dataclass
class Tree:
    """A model as flat leaves, and how to build a new model of the same kind from new leaves."""

    kind: str
    style: str  # roles_jax style: flax, haiku, equinox, jax
    leaves: list
    paths: list  # tuples of plain keys
    trainable: list
    owners: list
    rebuild: Callable[[list], Any]
    callable: bool = False
    sep: str = "/"
    names: list = field(default_factory=list)


def _name(path: tuple, sep: str) -> str:
    return sep.join(str(k) for k in path) if path else "array"


def flatten(model: Any) -> Tree:
    """The leaves of ``model`` with their names, the context of their roles, and trainability."""
    kind = model_kind(model)
    tree = _flatten_nnx(model) if kind == NNX else _flatten_pytree(model, kind)
    tree.names = [_name(p, tree.sep) for p in tree.paths]
    return tree


def _flatten_nnx(model: Any) -> Tree:
    """An nnx Module (through ``nnx.split``/``nnx.merge``) or State: trainable = ``nnx.Param``."""
    nnx = _nnx()
    graphdef, state = nnx.split(model) if isinstance(model, nnx.Module) else (None, model)
    typed = jax.tree_util.tree_flatten_with_path(state, is_leaf=_is_nnx_variable)[0]
    leaves, treedef = jax.tree_util.tree_flatten(state)
    if len(typed) != len(leaves):  # a Variable holding a nested value: read it as a tree
        typed = [(p, None) for p, _ in jax.tree_util.tree_flatten_with_path(state)[0]]
    paths = [tuple(_key(k) for k in p) for p, _ in typed]
    paths = [p[:-1] if p and p[-1] == "value" else p for p in paths]
    trainable = [v is None or roles_jax.nnx_trainable(type(v)) for _, v in typed]
    owners = [_walk(model, p[:-1]) if graphdef is not None else None for p in paths]

    def rebuild(new: list) -> Any:
        new_state = jax.tree_util.tree_unflatten(treedef, new)
        if graphdef is None:
            return new_state
        copy = nnx.merge(graphdef, new_state)
        if hasattr(copy, "set_attributes"):  # dropout off, as in the torch probe
            copy.set_attributes(deterministic=True, raise_if_not_found=False)
        return copy

    return Tree(NNX, roles_jax.FLAX, leaves, paths, trainable, owners, rebuild, callable=graphdef is not None)


def _flatten_pytree(model: Any, kind: str) -> Tree:
    """Equinox modules (attribute paths, owners by walking them), linen variables (trainable =
    the ``params`` collection), Haiku params and any other pytree (all trainable)."""
    flat, treedef = jax.tree_util.tree_flatten_with_path(model)
    paths = [tuple(_key(k) for k in p) for p, _ in flat]
    leaves = [leaf for _, leaf in flat]

    def rebuild(new: list) -> Any:
        return jax.tree_util.tree_unflatten(treedef, new)

    if kind == EQX:
        owners = [_walk(model, p[:-1]) for p in paths]
        return Tree(EQX, roles_jax.EQUINOX, leaves, paths, [True] * len(leaves), owners, rebuild, callable=True, sep=".")
    if kind == LINEN:
        trainable = [bool(p) and p[0] == roles_jax.LINEN_TRAINABLE_COLLECTION for p in paths]
        style = roles_jax.FLAX
    else:
        trainable = [True] * len(leaves)
        style = roles_jax.dict_style([str(p[-1]) for p in paths if p])
    attrs = bool(flat) and all(type(p[0]).__name__ == "GetAttrKey" for p, _ in flat if p)
    return Tree(kind, style, leaves, paths, trainable, [None] * len(leaves), rebuild, sep="." if attrs else "/")


def framework_of(model: Any) -> Optional[str]:
    """The name a report gives this JAX model's library ("flax", "haiku", "equinox", "jax")."""
    kind = model_kind(model)
    if kind is None:
        return None
    if kind in (NNX, LINEN):
        return roles_jax.FLAX
    if kind == EQX:
        return roles_jax.EQUINOX
    leaves = jax.tree_util.tree_flatten_with_path(model)[0]
    return roles_jax.dict_style([str(_key(p[-1])) for p, _ in leaves if p])


def _floating(x: Any) -> bool:
    return jnp.issubdtype(x.dtype, jnp.floating)


def _unit_bias(tree: Tree, index_of: dict, i: int, layout: Any) -> Any:
    """The sibling bias of leaf ``i`` (one value per unit), as numpy, or None."""
    path = tree.paths[i]
    bias_name = roles_jax.BIAS_OF.get(str(path[-1])) if path else None
    if layout is None or layout.gates > 1 or bias_name is None:
        return None
    j = index_of.get(path[:-1] + (bias_name,))
    if j is None:
        return None
    b = tree.leaves[j]
    if not isinstance(b, jax.Array) or b.ndim != 1 or not _floating(b):
        return None
    if b.shape[0] != tree.leaves[i].shape[layout.axis]:
        return None
    return np.asarray(b, dtype=np.float32)


def collect(model: Any) -> tuple[list, list]:
    """Entries for every floating leaf (trainable or state), and notes on what was skipped."""
    tree = flatten(model)
    index_of = {p: i for i, p in enumerate(tree.paths)}
    entries: list = []
    abstract: list = []
    non_float: list = []
    for i, (leaf, path, name) in enumerate(zip(tree.leaves, tree.paths, tree.names)):
        if isinstance(leaf, np.ndarray):
            leaf = jnp.asarray(leaf)
        if isinstance(leaf, jax.ShapeDtypeStruct):
            abstract.append(name)
            continue
        if not isinstance(leaf, jax.Array):
            continue  # functions, Python scalars, None: not parameters
        if not _floating(leaf):
            if tree.trainable[i] and tree.kind != EQX and not jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key):
                non_float.append(name)
            continue
        shape = tuple(int(s) for s in leaf.shape)
        trainable = tree.trainable[i]
        owner = tree.owners[i]
        leaf_name = str(path[-1]) if path else "kernel"  # a bare array is read as a weight
        spec = roles_jax.jax_spec(tree.style, tuple(str(k) for k in path[:-1]), leaf_name, len(shape), owner)
        if not trainable or spec.role == roles.BUFFER:
            spec, kind, trainable = roles.Spec(roles.BUFFER), "buffer", False
        else:
            kind = "param"
        groups = int(getattr(owner, spec.groups_attr, 1) or 1) if spec.groups_attr and owner is not None else 1
        layout = resolve_layout(spec, shape, groups, trainable)
        e = Entry(name, leaf, shape, spec, kind, trainable, layout, handle=i)
        e.bias = _unit_bias(tree, index_of, i, layout)
        if spec.role in roles.CONSTANT_CHECKED:  # the linter's vocabulary, on the path's own names
            parts = name.replace("/", ".").split(".")
            e.intent = intent_reason(".".join(p for p in parts if p not in ("~", roles_jax.LINEN_TRAINABLE_COLLECTION)))
        entries.append(e)
    notes = []
    if abstract:
        notes.append(
            "abstract (jax.eval_shape / nnx.eval_shape: shapes without values), so not checked: "
            + ", ".join(abstract)
            + "; initialise the model for real (model.init(key, x), or build the nnx/Equinox module) before checking"
        )
    if non_float:
        notes.append("integer/bool parameters skipped: " + ", ".join(non_float))
    return entries, notes


def compute_facts(entries: list) -> list:
    """Facts of every entry (sharded arrays shard by shard); notes for arrays that cannot be read."""
    from initlint.runtime.stats.jax import array_facts

    wanted = [e.trainable and e.spec.role in (*roles.CONSTANT_CHECKED, roles.NORM_SCALE) for e in entries]
    notes = []
    for e, result in zip(entries, array_facts([(e.name, e.value, e.layout, w) for e, w in zip(entries, wanted)])):
        if isinstance(result, str):
            notes.append(f"{e.name}: not checked: {result}")
        else:
            e.facts = result
    return notes


def split_inputs(example_inputs: Any) -> tuple[tuple, dict]:
    """array -> one positional argument; tuple -> positional arguments; Mapping -> kwargs."""
    if isinstance(example_inputs, tuple):
        return example_inputs, {}
    if isinstance(example_inputs, Mapping):
        return (), dict(example_inputs)
    return (example_inputs,), {}


def _call_module(module: Any, *args: Any, **kwargs: Any) -> Any:
    return module(*args, **kwargs)


def probe(model: Any, entries: list, example_inputs: Any, steps: int, apply_fn: Optional[Callable] = None) -> list:
    """Run the probe (see probe_jax.py) on new trees built from the leaves: the model is untouched."""
    from initlint.runtime.probe_jax import run_probe

    tree = flatten(model)
    if apply_fn is None:
        if not tree.callable:
            raise ValueError(
                "check_model_init: the probe needs apply_fn= for a variables dict or pytree "
                "(e.g. apply_fn=model.apply for Flax linen, apply_fn=lambda p, x: f.apply(p, None, x) for Haiku)"
            )
        apply_fn = _call_module
    if any(isinstance(x, jax.ShapeDtypeStruct) for x in tree.leaves):
        return ["probe skipped: the model has abstract leaves (see above)"]
    targets = [e for e in entries if e.kind == "param" and e.trainable]
    base = [jnp.asarray(x) if isinstance(x, np.ndarray) else x for x in tree.leaves]
    at = [e.handle for e in targets]
    args, kwargs = split_inputs(example_inputs)

    def forward(values: list) -> Any:
        leaves = list(base)
        for i, v in zip(at, values):
            leaves[i] = v
        try:
            return apply_fn(tree.rebuild(leaves), *args, **kwargs)
        except Exception as exc:  # the user's forward: anything can happen
            raise ProbeError(
                f"check_model_init: the probe's forward pass raised {type(exc).__name__}: {exc}. "
                "The probe calls apply_fn(model, *example_inputs) (without apply_fn=, the nnx/Equinox module "
                "itself) on a copy of the parameters under jax.jit; example_inputs= is one argument, a tuple "
                "of positional arguments or a dict of keyword arguments. The model was not changed."
            ) from exc

    notes = run_probe(targets, [e.value for e in targets], forward, steps)
    if tree.kind == NNX and tree.callable:
        notes.append("nnx probe: Dropout off (deterministic=True on a copy); BatchNorm as the module is set")
    return notes

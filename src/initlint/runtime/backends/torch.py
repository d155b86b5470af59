"""PyTorch back end: collect a module's tensors with their roles, compute facts, run the probe.

Imported only when the model is a ``torch.nn.Module`` (so torch is already in sys.modules).
The model is never modified: facts are computed from ``detach()``-ed views under no_grad; the
probe works on clones through ``torch.func.functional_call`` and restores every module's
``training`` flag and the global RNG state, whatever happens.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, Optional

import torch

from initlint.runtime import roles
from initlint.runtime.backends import torch_sharded
from initlint.runtime.facts import Entry, resolve_layout
from initlint.runtime.probe import run_probe
from initlint.runtime.report import ProbeError
from initlint.runtime.stats.torch import Projector, tensor_facts


def _owner(modules: dict, name: str) -> tuple[Any, str, Optional[str]]:
    """(owning module for the role lookup, tensor name on it, parametrization kind)."""
    prefix, _, local = name.rpartition(".")
    owner = modules.get(prefix)
    if type(owner).__name__ == "ParametrizationList":
        # "<mod>.parametrizations.<tensor>.original[0|1]": judge it as <mod>.<tensor>
        mod_path, _, tensor = prefix.rpartition(".")
        mod_path = mod_path.rpartition(".")[0]
        kinds = roles.TORCH_PARAMETRIZATIONS.get(type(owner[0]).__name__, {}) if len(owner) else {}
        return modules.get(mod_path), tensor, kinds.get(local, "base")
    return owner, local, None


def unit_bias(bias: Any, layout: Any, weight: Any) -> Any:
    """The bias with one value per unit of ``weight`` (None when there is no such bias)."""
    if layout is None or layout.gates > 1 or not isinstance(bias, torch.Tensor) or bias is weight:
        return None
    if bias.ndim != 1 or bias.numel() != weight.shape[layout.axis] or not bias.is_floating_point():
        return None
    return bias


def _is_lazy(t: torch.Tensor) -> bool:
    return isinstance(t, torch.nn.parameter.UninitializedTensorMixin)


def collect(model: torch.nn.Module) -> tuple[list, list]:
    """Entries for every parameter and floating buffer (shared tensors once), and notes."""
    modules = dict(model.named_modules(remove_duplicate=False))
    entries: list = []
    by_id: dict = {}
    skipped: dict = {"meta": [], "lazy": [], "quantized": [], "non-float": []}
    flat, notes = torch_sharded.flat_parameters(model, modules)  # FSDP1 / ZeRO-3: original names
    placed: set = set()

    def add(name: str, t: torch.Tensor, kind: str) -> None:
        if id(t) in by_id:
            by_id[id(t)].aliases += (name,)
            return
        if id(t) in flat:
            new = [e for e in flat.pop(id(t)) if id(e) not in placed]
            placed.update(id(e) for e in new)
            entries.extend(new)
            by_id[id(t)] = Entry(name, None, (), roles.Spec(roles.OTHER))
            return
        if _is_lazy(t):
            skipped["lazy"].append(name)
            by_id[id(t)] = Entry(name, None, (), roles.Spec(roles.OTHER))
            return
        if t.is_meta:
            skipped["meta"].append(name)
            by_id[id(t)] = Entry(name, None, tuple(t.shape), roles.Spec(roles.OTHER))
            return
        if t.is_quantized:
            skipped["quantized"].append(name)
            by_id[id(t)] = Entry(name, None, tuple(t.shape), roles.Spec(roles.OTHER))
            return
        if not t.is_floating_point():
            if kind == "param":  # integer buffers are counters and indices: nothing to say
                skipped["non-float"].append(name)
            by_id[id(t)] = Entry(name, None, tuple(t.shape), roles.Spec(roles.OTHER))
            return
        owner, local, kind_p = _owner(modules, name)
        trainable = kind == "param" and t.requires_grad
        if kind == "buffer":
            spec = roles.Spec(roles.BUFFER)
        else:
            spec = roles.torch_spec(owner, local, t.ndim, kind_p)
        groups = int(getattr(owner, spec.groups_attr, 1) or 1) if spec.groups_attr else 1
        layout = resolve_layout(spec, tuple(t.shape), groups, trainable)
        e = Entry(name, t, tuple(t.shape), spec, kind, trainable, layout)
        e.bias = unit_bias(getattr(owner, "bias", None), layout, t)
        by_id[id(t)] = e
        entries.append(e)

    for name, p in model.named_parameters(remove_duplicate=False):
        add(name, p, "param")
    for name, b in model.named_buffers(remove_duplicate=False):
        add(name, b, "buffer")

    if skipped["lazy"]:
        notes.append(
            "not initialised yet (lazy modules), so not checked: "
            + ", ".join(skipped["lazy"])
            + "; run one forward pass on a real input first, then check"
        )
    if skipped["meta"]:
        notes.append(
            "on the meta device (no values), so not checked: "
            + ", ".join(skipped["meta"])
            + "; materialise with model.to_empty(device=...) and initialise before checking"
        )
    if skipped["quantized"]:
        notes.append("quantized tensors skipped: " + ", ".join(skipped["quantized"]))
    if skipped["non-float"]:
        notes.append("integer/bool parameters skipped: " + ", ".join(skipped["non-float"]))
    packed = [
        n or type(model).__name__
        for n, m in model.named_modules()
        if type(m).__module__.startswith(roles.TORCH_QUANTIZED_MODULE_PREFIXES)
        and any(hasattr(m, a) for a in ("_packed_params", "weight"))
        and not list(m.parameters(recurse=False))
    ]
    if packed:
        notes.append("quantized modules skipped (packed weights are not parameters): " + ", ".join(packed))
    return entries, notes


def _wants_constant(e: Entry) -> bool:
    return e.trainable and e.spec.role in (*roles.CONSTANT_CHECKED, roles.NORM_SCALE)


def compute_facts(entries: list) -> list:
    """Facts of every entry (sharded ones by every rank together); returns notes."""
    proj = Projector()
    with torch.no_grad():
        rest, notes = torch_sharded.compute_facts(entries, proj, _wants_constant)
        for e in rest:
            e.facts = tensor_facts(e.value.detach(), e.layout, _wants_constant(e), proj)
    return notes


def split_inputs(example_inputs: Any) -> tuple[tuple, dict]:
    """tensor -> one positional argument; tuple -> positional arguments; Mapping -> kwargs."""
    from collections.abc import Mapping

    if isinstance(example_inputs, tuple):
        return example_inputs, {}
    if isinstance(example_inputs, Mapping):
        return (), dict(example_inputs)
    return (example_inputs,), {}


@contextlib.contextmanager
def preserved_state(modules: list) -> Iterator[None]:
    """Restore every module's ``training`` flag and the global RNG state on exit."""
    modes = [(m, m.training) for m in modules]
    cpu_rng = torch.get_rng_state()
    cuda_rng = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else None
    try:
        yield
    finally:
        for m, mode in modes:
            m.training = mode
        torch.set_rng_state(cpu_rng)
        if cuda_rng is not None:
            torch.cuda.set_rng_state_all(cuda_rng)


def probe(model: torch.nn.Module, entries: list, example_inputs: Any, steps: int) -> list:
    """Run the probe (see probe.py) on copies of the trainable floating parameters."""
    sharded = torch_sharded.probe_note(entries)
    if sharded:
        return [sharded]
    targets = [e for e in entries if e.kind == "param" and e.trainable]
    target_names = {e.name for e in targets}
    fixed = {n: p for n, p in model.named_parameters() if n not in target_names}
    if any(_is_lazy(t) or t.is_meta for t in list(fixed.values()) + list(model.buffers())):
        return ["probe skipped: the model has lazy or meta-device tensors (see above)"]
    buffers = {n: b.detach().clone() for n, b in model.named_buffers()}
    args, kwargs = split_inputs(example_inputs)
    names = [e.name for e in targets]
    from torch.func import functional_call

    def forward(values: list) -> Any:
        mapping = {**fixed, **buffers, **dict(zip(names, values))}
        try:
            return functional_call(model, mapping, args, kwargs, tie_weights=True, strict=False)
        except Exception as exc:  # the user's forward: anything can happen
            hint = ""
            if "more than 1 value per channel" in str(exc):
                hint = " (the probe runs BatchNorm in training mode: give example_inputs a batch of at least 2)"
            raise ProbeError(
                f"check_model_init: the probe's forward pass raised {type(exc).__name__}: {exc}{hint}. "
                "The probe calls the model on example_inputs= (tensor: one argument, tuple: positional "
                "arguments, dict: keyword arguments) through torch.func.functional_call, with batch-statistics "
                "norm layers in training mode and every other module in eval mode. The model was not changed."
            ) from exc

    mods = list(model.modules())
    with preserved_state(mods), torch.inference_mode(False):
        model.eval()
        for m in mods:
            if roles.is_batch_stat_norm(m):
                m.training = True
        notes = run_probe(targets, forward, steps)
    return notes

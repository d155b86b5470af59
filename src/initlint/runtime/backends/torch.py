"""PyTorch back end: collect a module's tensors with their roles, compute facts, run the probe.

Imported only when the model is a ``torch.nn.Module`` (so torch is already in sys.modules).
The model is never modified: facts are computed from ``detach()``-ed views under no_grad; the
probe calls the model with copy-on-write clones of every parameter and buffer in their slots,
inside a ``Snapshot`` that puts back every attribute the forward writes (the slots included),
with the global RNG state restored, whatever happens.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from typing import Any, Iterator, Optional

import torch

from initlint.runtime import roles
from initlint.runtime.backends import torch_sharded
from initlint.runtime.facts import NEAR_ZERO, Entry, Facts, expert_layout, resolve_layout
from initlint.runtime.probe import run_probe
from initlint.runtime.report import ProbeError
from initlint.runtime.snapshot import Snapshot, cow_clone
from initlint.runtime.stats.torch import CHUNK, Projector, tensor_facts
from initlint.runtime.vocabulary import intent_reason, last_layer_reason

#: the seed of the probe's own random draws inside the model (dropout, noise): fixed, so that
#: the probe is deterministic; the caller's RNG state is restored afterwards
PROBE_RNG_SEED = 0x1517
#: elements read to decide whether a weight may be near zero (the whole tensor only if so)
_SAMPLE = 1 << 16


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
    if layout.experts > 1:
        per_expert = (weight.shape[0], weight.shape[layout.axis])
        return bias if bias.ndim == 2 and tuple(bias.shape) == per_expert and bias.is_floating_point() else None
    if bias.ndim != 1 or bias.numel() != weight.shape[layout.axis] or not bias.is_floating_point():
        return None
    return bias


def _is_lazy(t: torch.Tensor) -> bool:
    return isinstance(t, torch.nn.parameter.UninitializedTensorMixin)


def is_torchscript(model: torch.nn.Module) -> bool:
    return any(isinstance(m, torch.jit.ScriptModule) for m in model.modules())


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
        owner, local, kind_p = _owner(modules, name)
        trainable = kind == "param" and t.requires_grad
        if t.is_complex():  # spectral filters: only NaN/Inf is meaningful
            e = Entry(name, t, tuple(t.shape), roles.Spec(roles.OTHER), kind, trainable, module=owner)
            by_id[id(t)] = e
            entries.append(e)
            return
        if not t.is_floating_point():
            if kind == "param":  # integer buffers are counters and indices: nothing to say
                skipped["non-float"].append(name)
            by_id[id(t)] = Entry(name, None, tuple(t.shape), roles.Spec(roles.OTHER))
            return
        if kind == "buffer":
            spec = roles.torch_buffer_spec(owner, local)
        else:
            spec = roles.torch_spec(owner, local, tuple(t.shape), kind_p)
        groups = int(getattr(owner, spec.groups_attr, 1) or 1) if spec.groups_attr else 1
        layout = resolve_layout(spec, tuple(t.shape), groups, trainable)
        e = Entry(name, t, tuple(t.shape), spec, kind, trainable, layout, module=owner)
        e.bias = unit_bias(getattr(owner, "bias", None), layout, t)
        if spec.role in roles.CONSTANT_CHECKED:
            e.intent = intent_reason(name) or _last_of_branch(modules, name)
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


def _last_of_branch(modules: dict, name: str) -> Optional[str]:
    """The reason a weight is the last layer of a branch: its module is the last element holding
    parameters of an ``nn.Sequential``/``nn.ModuleList`` nested in the model (``reg_conf.layers[-1]``;
    the model itself, if it is a ``Sequential``, is its own output layer, not a branch)."""
    owner_path, _, _ = name.rpartition(".")
    parent_path, _, index = owner_path.rpartition(".")
    parent = modules.get(parent_path)
    if not parent_path or not index.isdigit() or type(parent).__name__ not in roles.TORCH_CONTAINERS:
        return None
    holders = [k for k, child in parent.named_children() if any(True for _ in child.parameters())]
    if len(holders) < 2 or holders[-1] != index:
        return None
    return last_layer_reason(parent_path)


def _wants_constant(e: Entry) -> bool:
    """Weights, embeddings and norm scales: the tensors whose one repeated value means something
    (INI001/INI002/INI003; INI007 reads zero parameters from it too)."""
    return e.trainable and e.spec.role in (*roles.CONSTANT_CHECKED, roles.NORM_SCALE)


def compute_facts(entries: list) -> list:
    """Facts of every entry (sharded ones by every rank together); returns notes."""
    proj = Projector()
    with torch.no_grad():
        rest, notes = torch_sharded.compute_facts(entries, proj, _wants_constant)
        for e in rest:
            t = e.value.detach()
            if t.is_complex():
                t = torch.view_as_real(t)
            if e.layout is not None and e.layout.experts > 1:
                e.facts = _expert_facts(t, e.layout, _wants_constant(e), proj)
            else:
                e.facts = tensor_facts(t, e.layout, _wants_constant(e), proj)
            f = e.facts
            if e.trainable and e.spec.role in roles.CONSTANT_CHECKED and f.finite and f.constant is None:
                f.tiny = _tiny(t, e.numel // max(1, f.n_units or int(e.shape[0])))
            if e.spec.role == roles.NORM_SCALE and f.constant in (0.0, -1.0) and e.trainable:
                f.zero_scale = _zero_scale(e)
    return notes


def _expert_facts(t: torch.Tensor, layout: Any, want_constant: bool, proj: Projector) -> Facts:
    """Facts of an expert stack: each expert's slice on its own, units numbered expert by expert."""
    sub = expert_layout(layout)
    parts = [tensor_facts(t[e], sub, want_constant, proj) for e in range(t.shape[0])]
    out = Facts()
    per = parts[0].n_units
    out.n_units = per * len(parts)
    out.nan = sum(p.nan for p in parts)
    out.inf = sum(p.inf for p in parts)
    values = {p.constant for p in parts}
    if want_constant and len(values) == 1 and None not in values:
        out.constant = parts[0].constant
    for e, p in enumerate(parts):
        if p.constant is not None and per >= 2 and sub.compare and out.constant is None:
            out.groups.append(list(range(e * per, (e + 1) * per)))
        out.groups.extend([[e * per + i for i in g] for g in p.groups])
    out.groups.sort()
    return out


def _tiny(t: torch.Tensor, fan_in: int) -> Optional[float]:
    """The largest |value| of ``t`` if it lies far below ``1/sqrt(fan_in)`` (else None).

    A sample decides first: only a tensor whose first values are all tiny is read entirely."""
    if not t.numel():
        return None
    limit = NEAR_ZERO / math.sqrt(max(1, fan_in))
    flat = t.reshape(-1) if t.is_contiguous() else t[(0,) * (t.ndim - 1)]
    sample = flat[:_SAMPLE]
    if float(sample.abs().max()) >= limit:
        return None
    rows = t.reshape(t.shape[0], -1) if t.ndim > 1 else t.reshape(-1, 1)
    step = max(1, CHUNK // max(1, rows.shape[1]))
    top = max(float(rows[i : i + step].abs().max()) for i in range(0, rows.shape[0], step))
    return top if top < limit else None


def _zero_scale(e: Entry) -> Optional[bool]:
    """Whether a norm with a constant γ of 0 or -1 outputs a constant (see norm_ignores_input).

    PyTorch's own norms are known (``x̂·γ + β``); any other norm, and every Keras norm (keras-hub's
    Gemma ``RMSNormalization`` computes ``x̂·(1 + γ)`` under Keras's own class name), is called."""
    if not isinstance(e.module, torch.nn.Module):
        return e.facts.constant == 0
    keras = type(e.module).__module__.startswith(("keras", "keras_hub", "keras_nlp", "keras_cv"))
    if not keras and any(n in roles.TORCH_PARAMS for n in roles.class_names(e.module)):
        return e.facts.constant == 0
    return norm_ignores_input(e.module, e.value)


def norm_ignores_input(module: Any, weight: torch.Tensor) -> Optional[bool]:
    """Whether a norm layer outputs the same for two random inputs (its γ scales the input away):
    True for ``x̂·γ + β`` with γ = 0 and ``x̂·(1 + γ)`` with γ = -1; False for a ``(1 + γ)`` norm
    storing γ = 0 (Gemma, Qwen3-Next) or a norm with a residual inside (GRN).

    Called with copy-on-write parameters and buffers, attributes and RNG restored, on inputs with
    the channels last, then first. None: no input shape worked.
    """
    c = int(weight.shape[-1]) if weight.ndim else 1
    gen = torch.Generator().manual_seed(PROBE_RNG_SEED)
    call = _keras_call(module) if type(module).__module__.startswith("keras") else _torch_call(module)
    for dims in ((2, 3, c), (2, c, 3, 3), (2, c, 3)):
        xs = [torch.randn(*dims, generator=gen).to(weight.dtype) for _ in range(2)]
        try:
            with isolated([module]), torch.no_grad():
                outs = [call(x) for x in xs]
        except Exception:  # noqa: BLE001 - an input shape this norm does not take: try the next
            continue
        a, b = (o[0] if isinstance(o, (tuple, list)) else o for o in outs)
        if not isinstance(a, torch.Tensor) or a.shape != b.shape:
            return None
        return bool(torch.equal(a, b))
    return None


def _torch_call(module: torch.nn.Module) -> Any:
    from torch.func import functional_call

    tensors = {**dict(module.named_parameters()), **dict(module.named_buffers())}
    mapping = {n: cow_clone(v) for n, v in tensors.items()}
    return lambda x: functional_call(module, mapping, (x,), strict=False)


def _keras_call(layer: Any) -> Any:
    """A Keras layer called on copies of its variables (``stateless_call``, inference mode)."""
    trainable = [cow_clone(v.value) for v in layer.trainable_variables]
    frozen = [cow_clone(v.value) for v in layer.non_trainable_variables]
    return lambda x: layer.stateless_call(trainable, frozen, x)[0]


def split_inputs(example_inputs: Any) -> tuple[tuple, dict]:
    """tensor -> one positional argument; tuple -> positional arguments; Mapping -> kwargs."""
    if isinstance(example_inputs, tuple):
        return example_inputs, {}
    if isinstance(example_inputs, Mapping):
        return (), dict(example_inputs)
    return (example_inputs,), {}


@contextlib.contextmanager
def isolated(roots: list, seed: Optional[int] = None) -> Iterator[None]:
    """Whatever runs inside leaves ``roots`` and the global RNG exactly as they were.

    Every attribute of every module (and of plain objects they hold) is put back, tensors held
    outside parameters and buffers are copy-on-write clones meanwhile (see snapshot.py), and the
    RNG state is restored; ``seed`` seeds the RNG inside, for reproducible dropout and noise.
    """
    cpu_rng = torch.get_rng_state()
    cuda_rng = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else None
    snapshot = Snapshot(roots)
    try:
        if seed is not None:
            torch.default_generator.manual_seed(seed)  # (torch.manual_seed would queue lazy CUDA calls)
            if cuda_rng is not None:
                torch.cuda.manual_seed_all(seed)
        yield
    finally:
        snapshot.restore()
        torch.set_rng_state(cpu_rng)
        if cuda_rng is not None:
            torch.cuda.set_rng_state_all(cuda_rng)


def probe(model: torch.nn.Module, entries: list, example_inputs: Any, steps: int) -> list:
    """Run the probe (see probe.py) on the trainable floating parameters, in training mode."""
    __tracebackhide__ = True
    sharded = torch_sharded.probe_note(entries)
    if sharded:
        return [sharded]
    if is_torchscript(model):
        return ["probe skipped: TorchScript modules cannot be called with other tensors in place of their "
                "parameters; the checks without inputs ran (check the eager model for the probe)"]
    targets = [e for e in entries if e.kind == "param" and e.trainable]
    target_names = {n for e in targets for n in (e.name, *e.aliases)}
    named = list(model.named_parameters(remove_duplicate=False))
    buffers = list(model.named_buffers(remove_duplicate=False))
    if any(_is_lazy(t) or t.is_meta for _, t in named + buffers):
        return ["probe skipped: the model has lazy or meta-device tensors (see above)"]
    clones: dict = {}  # by identity: a tied tensor stays tied
    fixed = {n: clones.setdefault(id(t), cow_clone(t)) for n, t in named + buffers if n not in target_names}
    args, kwargs = split_inputs(example_inputs)
    names = [(e.name, *e.aliases) for e in targets]
    slots = _slots(model)

    def forward(values: list) -> Any:
        __tracebackhide__ = True
        for aliases, value in zip(names, values):
            for name in aliases:
                slots[name][name.rpartition(".")[2]] = value
        try:
            return model(*args, **kwargs)
        except Exception as exc:  # the user's forward: anything can happen
            hint = ""
            if "more than 1 value per channel" in str(exc):
                hint = " (batch-statistics norms need example_inputs with a batch of at least 2)"
            raise ProbeError(
                f"check_model_init: the probe's forward pass raised {type(exc).__name__}: {exc}{hint}. "
                "The probe calls the model on example_inputs= (tensor: one argument, tuple: positional "
                "arguments, dict: keyword arguments), in training mode, with copies of its tensors in place of "
                "its parameters and buffers. The model was not changed."
            ) from exc

    with isolated([model], seed=PROBE_RNG_SEED), torch.inference_mode(False):
        # The copies go straight into each module's parameter and buffer slots (as functional_call
        # does, once per probe instead of once per step); the snapshot puts the originals back.
        for name, value in fixed.items():
            slots[name][name.rpartition(".")[2]] = value
        model.train()
        return run_probe(targets, forward, steps)


def _slots(model: torch.nn.Module) -> dict:
    """For every parameter and buffer name, the dict that holds it (``module._parameters`` or
    ``module._buffers``), so the probe can put its own tensor in that slot."""
    out = {}
    for prefix, module in model.named_modules(remove_duplicate=False):
        for slot in (module._parameters, module._buffers):
            for local in slot:
                out[f"{prefix}.{local}" if prefix else local] = slot
    return out

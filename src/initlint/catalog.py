"""The rule catalog: the single source of truth for every code initlint can emit.

The CLI (`initlint rule CODE`, messages, SARIF rule metadata), the flake8 plugin and the
README's rule table all read from ``RULES``; a test keeps the README table in step with it.
Codes are stable: users write them in config files and ``noqa`` comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FixSpec:
    """The fix a rule's findings are offered, with ruff's applicability levels: ``safe``
    (``--fix``), ``unsafe`` (``--fix --unsafe-fixes``) or ``display-only`` (shown, never
    applied). ``initlint.fix`` reads the level from here."""

    applicability: str
    what: str  # the edit
    why: str  # why it has this level

    def doc(self) -> str:
        how = {
            "safe": "Safe fix, applied by `initlint --fix`.",
            "unsafe": "Unsafe fix, applied by `initlint --fix --unsafe-fixes` (shown by `--diff --unsafe-fixes`).",
            "display-only": "Display-only fix: shown, never applied by initlint.",
        }[self.applicability]
        return f"{how} {self.what}\n\n{self.why}"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str  # one line, used in the README table and SARIF shortDescription
    static: str  # what the linter reports ("—" when the linter never does)
    runtime: str  # what check_model_init reports ("—" when it never does)
    what: str
    why: str
    example: str
    use_instead: str
    false_positives: str
    references: tuple[str, ...] = field(default_factory=tuple)
    always_on: bool = False  # diagnostics about the run itself: never hidden by select/ignore/noqa
    #: how hard the faces that grade findings (SARIF, GitHub annotations, an editor) show it:
    #: the bugs and the run's own diagnostics are errors, the smells (a zero or constant whose
    #: intent is not evident) warnings
    level: str = "error"
    fix: "FixSpec | None" = None  # what `--fix` offers for its findings

    def doc(self) -> str:
        """The rule's documentation page, in the style of ruff's rule pages."""
        parts = [
            f"{self.code} {self.name}",
            "",
            self.summary,
            "",
            "## What it does",
            self.what,
            "",
            "## Why is this bad?",
            self.why,
            "",
            "## Example",
            _indent(self.example),
            "",
            "## Use instead",
            _indent(self.use_instead),
            "",
            "## Known false positives",
            self.false_positives,
        ]
        if self.fix is not None:
            parts += ["", "## Fix", self.fix.doc()]
        if self.references:
            parts += ["", "## References", *[f"- {r}" for r in self.references]]
        return "\n".join(parts).rstrip() + "\n"


def _indent(code: str) -> str:
    return "\n".join(("    " + line) if line else "" for line in code.strip("\n").splitlines())


#: The one edit INI001-INI004 share; only its applicability differs (initlint.fix makes it).
_FIX_EDIT = (
    "The statement that zeroes or fills the layer's weight is deleted "
    "(`nn.init.zeros_(self.fc.weight)`, `self.fc.weight.data.zero_()`, "
    "`w.data = torch.zeros_like(w)`), so the layer keeps the init its constructor gave it; "
    "`init_zero_(layer)` becomes `if layer.bias is not None: nn.init.zeros_(layer.bias)`, so the "
    "bias stays zero as before. A Keras `kernel_initializer=`, Flax `kernel_init=` or Haiku "
    "`w_init=` keyword (or the layer's other kernel keyword that was reported) is removed, so the "
    "layer keeps its default initializer. No fix is offered where there is no default to fall "
    "back to or the edit would reach beyond the finding: `nn.Parameter(torch.zeros(...))`, "
    "`add_weight`, `self.param`, `hk.get_parameter`, a tensor that is not a layer's weight "
    "(`w = torch.empty(...)`, `self.weight` of the module being written), a call to the file's own "
    "helper, an init inside a helper that is handed its layer from elsewhere, a keyword that comes "
    "from `**kwargs` or holds a conditional value, an init that is part of a larger expression."
)
_FIX_SMELL = FixSpec(
    "display-only",
    _FIX_EDIT,
    "A zero or constant weight whose intent is not evident may still be deliberate (a zero head "
    "under a name initlint does not know): the edit is shown for you to make by hand, or to answer "
    "with `# noqa` or `intent-names`; `--fix --unsafe-fixes` never applies it.",
)
_FIX_BUG = FixSpec(
    "unsafe",
    _FIX_EDIT,
    "It changes what the model computes (that is its point): the layers start from their default "
    "init instead of a constant. Review the diff (`initlint --diff --unsafe-fixes`) before applying "
    "it. A finding recognised as a deliberate idiom (shown with `--strict`) is display-only.",
)

_SYMMETRY_REF = "Goodfellow, Bengio, Courville, Deep Learning (2016), §8.4 'Parameter Initialization Strategies'"

RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            code="INI001",
            name="zero-weight",
            level="warning",
            summary="A weight or kernel tensor is initialised to all zeros and the intent is not evident.",
            static="a weight/kernel tensor initialised to all zeros, intent not evident",
            runtime="a weight tensor that is all zeros",
            what=(
                "Finds `nn.init.zeros_`, `constant_(w, 0)`, `w.zero_()`, `init_zero_(layer)`, "
                "`nn.Parameter(torch.zeros(...))`, Keras `kernel_initializer=\"zeros\"` and Flax "
                "`kernel_init=zeros` applied to a weight or kernel, where nothing in the code says the "
                "zero is deliberate (a helper such as `zero_module`, a guard such as "
                "`if zero_init_residual:`, or a target that is a head, adapter, gate or the last layer "
                "of a residual branch)."
            ),
            why=(
                "Every unit of a zero layer computes the same output and, if its neighbours are also "
                "constant, receives the same gradient forever: the layer behaves as if it had width 1. "
                "A single zero layer between random ones does train (its random outgoing weights tell "
                "the units apart), which is why LoRA, ControlNet and adaLN-Zero do it on purpose; but "
                "an unexplained zero weight is far more often a copy-paste of a bias init."
            ),
            example=(
                "fc = nn.Linear(128, 64)\n"
                "nn.init.zeros_(fc.weight)   # INI001"
            ),
            use_instead=(
                "fc = nn.Linear(128, 64)\n"
                "nn.init.kaiming_uniform_(fc.weight, a=math.sqrt(5))\n"
                "nn.init.zeros_(fc.bias)     # zero biases are fine\n"
                "# or, when the zero is the point (a residual branch that starts as identity):\n"
                "def zero_init_last(self):\n"
                "    nn.init.zeros_(self.fc2.weight)"
            ),
            false_positives=(
                "A deliberate zero init that the code does not name: initlint recognises common idioms "
                "by name (heads, classifiers, `lora_B`, `adaLN_modulation`, `proj_out`, `zero_module`, "
                "`zero_init_*` guards...). Add your own names under `[tool.initlint] intent-names`, or "
                "write `# noqa: INI001` on the line. `--strict` shows the idioms that were exempted."
            ),
            references=(
                _SYMMETRY_REF,
                "Hu et al., LoRA (2021): B is zero-initialised, A is random",
                "Zhang, Rao, Agrawala, ControlNet (2023): zero convolutions",
            ),
            fix=_FIX_SMELL,
        ),
        Rule(
            code="INI002",
            name="constant-weight",
            level="warning",
            summary="A weight or kernel tensor is set to one repeated non-zero value.",
            static="a weight/kernel tensor set to one repeated non-zero value",
            runtime="a weight tensor with one repeated value",
            what=(
                "Finds `nn.init.ones_`, `constant_(w, v)` with v ≠ 0, `w.fill_(v)`, "
                "`nn.Parameter(torch.ones(...))`/`torch.full(..., v)`, Keras `Ones()`/`Constant(v)` and "
                "Flax `ones`/`constant(v)` applied to a weight or kernel."
            ),
            why=(
                "All units start identical, and the scale is usually wrong: a 512-input layer of ones "
                "multiplies the input's magnitude by about 512. If the next layer is random the units "
                "drift apart, so this is a smell rather than a permanent collapse; applied to every "
                "layer it is a collapse (INI003)."
            ),
            example="nn.init.constant_(self.proj.weight, 0.1)   # INI002",
            use_instead="nn.init.xavier_uniform_(self.proj.weight)",
            false_positives=(
                "Norm scales (γ = 1), LayerScale/ReZero scalars and 1-D parameters are never reported. "
                "A fixed, non-trainable filter (an averaging kernel with `requires_grad=False`) is a "
                "legitimate constant: silence it with `# noqa: INI002`."
            ),
            references=(_SYMMETRY_REF,),
            fix=_FIX_SMELL,
        ),
        Rule(
            code="INI003",
            name="every-layer-init",
            summary="A zero or constant init reaches the weights of every layer (a loop, `.apply(fn)`), or γ = 0 on every norm.",
            static="a zero/constant init reaching the weights of every layer (loop, `.apply`), or γ = 0 on every norm",
            runtime="—",
            what=(
                "Finds zero or constant inits inside loops over `model.modules()`, `children()`, "
                "`parameters()`, `named_*()`, an `nn.Sequential`/`ModuleList`, or inside a function "
                "handed to `model.apply(fn)`, when the guard around them selects a whole layer family "
                "(`isinstance(m, nn.Linear)`) or nothing at all."
            ),
            why=(
                "With every layer zero or constant, the units of each hidden layer stay interchangeable "
                "forever: each layer has effectively one unit (or, with zeros and a ReLU, no gradient "
                "at all). Zero γ on every norm that feeds a ReLU kills the whole chain. The network "
                "never learns, and nothing crashes."
            ),
            example=(
                "def _init_weights(m):\n"
                "    if isinstance(m, nn.Linear):\n"
                "        nn.init.zeros_(m.weight)   # INI003\n"
                "model.apply(_init_weights)"
            ),
            use_instead=(
                "def _init_weights(m):\n"
                "    if isinstance(m, nn.Linear):\n"
                "        nn.init.trunc_normal_(m.weight, std=0.02)\n"
                "        nn.init.zeros_(m.bias)\n"
                "model.apply(_init_weights)"
            ),
            false_positives=(
                "A loop that is guarded by a name test (`if name.startswith(\"head\")`) initialises one "
                "layer and is judged as a single-layer init instead. Norm branches "
                "(`isinstance(m, nn.LayerNorm)`) are never reported."
            ),
            references=(_SYMMETRY_REF,),
            fix=_FIX_BUG,
        ),
        Rule(
            code="INI004",
            name="dead-layer",
            summary="A zero weight feeds an activation whose derivative at 0 is 0 (ReLU...), or two zero layers are chained: units that never get a gradient.",
            static="a zero weight feeding an activation with φ'(0) = 0 (all units dead with zero/no bias; units with bias ≤ 0 otherwise); chained zero layers",
            runtime="units of a zero weight (bias ≤ 0, or a whole zero layer) or a zero norm scale that receive no gradient in any probe step (a parameter the forward never uses is a note, not INI004)",
            what=(
                "Finds a zero-initialised weight whose output goes straight into ReLU, ReLU6, "
                "hardtanh(0, ·), threshold or squared ReLU, as seen in an `nn.Sequential(...)` literal, "
                "a `forward` (`F.relu(self.fc(x))`), a Keras `activation=\"relu\"` or a Flax "
                "`nn.relu(nn.Dense(...)(x))`; and two zero layers chained with φ(0) = 0 between them. "
                "At run time: units of a weight that receive no gradient in any probe step."
            ),
            why=(
                "A zero layer outputs its bias; ReLU'(0) = 0, so with a zero (or no) bias every unit "
                "of the layer and every gradient through it is zero forever. With PyTorch's default "
                "random bias, the units whose bias is ≤ 0 (about half) stay dead. Two chained zero "
                "layers with φ(0) = 0 between them block each other's gradients."
            ),
            example=(
                "self.net = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))\n"
                "nn.init.zeros_(self.net[0].weight)   # INI004"
            ),
            use_instead=(
                "# zero the *last* layer of the branch instead, after the non-linearity:\n"
                "nn.init.zeros_(self.net[2].weight)"
            ),
            false_positives=(
                "Activations with φ'(0) ≠ 0 (leaky ReLU, ELU, SELU, PReLU, GELU, SiLU, tanh, sigmoid) "
                "are not reported. A forward that adds the output to 1 (DiT's `1 + scale` modulation) "
                "is not a chain of dead layers."
            ),
            references=(_SYMMETRY_REF, "Lu et al., Dying ReLU and Initialization (2019)"),
            fix=_FIX_BUG,
        ),
        Rule(
            code="INI005",
            name="symmetric-units",
            summary="Two or more units of a layer have identical weights (duplicate rows or output channels).",
            static="— (the linter does not report this)",
            runtime="two or more units with identical weights (duplicate rows/output channels)",
            what=(
                "At run time, compares the slices of each weight along its unit axis (rows of a Linear "
                "weight, output channels of a conv) and reports groups of identical units, before and, "
                "given example inputs, after a few probe steps."
            ),
            why=(
                "Identical units with identical surroundings receive identical gradients: the layer "
                "wastes its width. This catches `eye_` on a matrix with more outputs than inputs "
                "(the extra rows are all zero) and layers copied from each other in part."
            ),
            example="nn.init.eye_(nn.Linear(4, 16).weight)   # rows 4..15 are identical (zero)",
            use_instead="use a random init, or `eye_` only on square weights",
            false_positives=(
                "Only reported when the duplicates are not simply one all-constant tensor (that is "
                "INI001/INI002). Embedding rows are tokens, not units, and are not compared."
            ),
            references=(_SYMMETRY_REF,),
        ),
        Rule(
            code="INI006",
            name="non-finite",
            summary="A parameter or floating buffer holds NaN or Inf.",
            static="— (the linter does not report this)",
            runtime="NaN or Inf in a parameter or floating buffer",
            what="At run time, finds NaN or ±Inf values in any parameter or floating-point buffer.",
            why=(
                "One NaN spreads to every output and gradient on the first step. It usually comes "
                "from an init that divides by a zero fan-in, `torch.empty` that was never filled, or "
                "a checkpoint that was saved after divergence."
            ),
            example="layer.weight.data = torch.empty(8, 8)   # may hold NaN",
            use_instead="nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5))",
            false_positives="Masks stored as -inf in a floating buffer (attention masks) are reported; `allow=` them by name.",
        ),
        Rule(
            code="INI007",
            name="uninitialised-memory",
            summary="The model holds uninitialised memory: materialised with `to_empty()` (or `torch.empty`) and never initialised.",
            static="— (the linter does not report this)",
            runtime="values no initialiser makes: large all-zero tensors beside NaN/Inf, or values of absurd magnitude (`to_empty()` without `init_weights()`)",
            what=(
                "At run time, recognises the values `torch.empty` and `module.to_empty(device=...)` leave "
                "behind: large tensors that are exactly zero (fresh pages) beside small ones holding NaN/Inf "
                "or values no initialiser makes (non-zero |x| < 1e-30: pointers and integers read as "
                "floats; finite |x| > 1e15). One problem names every tensor concerned, instead of one "
                "INI001/INI006 per tensor."
            ),
            why=(
                "A model built on the `meta` device (or with `torch.empty`) has no values until something "
                "writes them. `to_empty()` only allocates memory: unless `reset_parameters()`/"
                "`init_weights()` runs or a checkpoint is loaded, training starts from zeros and garbage, "
                "and NaN spreads on the first step."
            ),
            example=(
                "with torch.device(\"meta\"):\n    model = Transformer(cfg)\nfully_shard(model)\n"
                "model.to_empty(device=\"cuda\")   # memory allocated, never initialised"
            ),
            use_instead=(
                "model.to_empty(device=\"cuda\")\nmodel.init_weights()   # or: for m in model.modules(): "
                "m.reset_parameters()\n# or load a checkpoint"
            ),
            false_positives=(
                "A parameter that deliberately stores a value below 1e-30 or above 1e15 in magnitude; "
                "`allow=` it by name. Decided from parameters only (buffers hold masks such as "
                "`finfo.min`)."
            ),
        ),
        Rule(
            code="INI900",
            name="could-not-analyse",
            summary="A file could not be read, decoded or parsed, so it was not checked.",
            static="a file that does not parse or cannot be decoded or read",
            runtime="—",
            what="Reports a file that does not exist, cannot be read, is not valid UTF-8 (or its declared encoding), contains a null byte, or is not valid Python 3.",
            why="A file initlint cannot read is a file it did not check: the run ends with exit code 2 so that a hook or CI never passes by accident.",
            example="print \"hello\"   # Python 2: INI900 at 1:7",
            use_instead="fix the file, or `exclude` it in `[tool.initlint]`",
            false_positives="None: this is a diagnostic about the run. It cannot be selected away or silenced with noqa.",
            always_on=True,
        ),
        Rule(
            code="INI901",
            name="too-large",
            summary="A file is over the size limit or too deeply nested to analyse safely.",
            static="a file over the size limit, or too deeply nested to analyse safely",
            runtime="—",
            what="Reports a file larger than `max-file-size` (default 5 MB) or whose expressions nest deeper than the parser can handle safely, or whose analysis crashed or timed out in its worker process.",
            why="Generated or adversarial files can take the parser minutes or crash it; initlint skips them visibly instead of hanging a commit.",
            example="x = ((((((((...))))))))   # thousands of levels",
            use_instead="exclude generated files in `[tool.initlint] exclude`",
            false_positives="None: this is a diagnostic about the run. It cannot be selected away or silenced with noqa.",
            always_on=True,
        ),
    )
}

FINDING_CODES = tuple(c for c, r in RULES.items() if not r.always_on)
#: Diagnostics about the run (INI900, INI901): they pass every filter, ``noqa`` included.
ALWAYS_ON = frozenset(c for c, r in RULES.items() if r.always_on)


def get_rule(code: str) -> Rule:
    """Look a rule up by code (case-insensitive) or by name."""
    key = code.strip().upper()
    if key in RULES:
        return RULES[key]
    for rule in RULES.values():
        if rule.name == code.strip().lower():
            return rule
    raise KeyError(code)


def expand_codes(codes: "list[str] | tuple[str, ...]") -> set[str]:
    """Expand prefixes like ``INI`` or ``INI00`` to the codes they cover; unknown codes raise."""
    out: set[str] = set()
    for raw in codes:
        code = raw.strip().upper()
        if not code:
            continue
        matched = {c for c in RULES if c.startswith(code)}
        if not matched:
            raise ValueError(f"unknown rule code {raw!r}")
        out |= matched
    return out


def markdown_table() -> str:
    """The README's rule table, generated from the catalog."""
    rows = ["| code | name | linter reports | `check_model_init` reports |", "|---|---|---|---|"]
    for r in RULES.values():
        rows.append(f"| {r.code} | {r.name} | {r.static} | {r.runtime} |")
    return "\n".join(rows)

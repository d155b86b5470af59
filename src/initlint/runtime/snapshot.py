"""Put back everything a forward pass may write, exactly: module attributes, containers, objects.

The probe runs the user's forward, and a forward may write more than parameters and buffers:
RWKV's eval forward divides weights in place and sets ``layers_are_rescaled``; LeViT fills an
``attention_bias_cache`` dict with tensors that carry the probe's graph; a model may keep a step
counter, a cache object or a plain tensor attribute it updates in place. ``functional_call``
restores only the parameter and buffer slots it swapped. Around the probe, ``Snapshot``:

- records, for every module and every plain object reachable from module attributes (a config,
  a cache object; a few levels deep), the ``__dict__`` as it was, and for every container in it
  (dict, list, set, also nested) its contents;
- replaces every tensor held outside parameters and buffers (a plain attribute, or an element of
  a container) by a copy-on-write clone, so that an in-place write lands in the clone;
- on ``restore()``, deletes attributes the forward added, re-assigns every saved object by
  identity, and puts each container's contents back in place (the container itself is kept, so
  references to it stay valid).

Copy-on-write clones (``torch._lazy_clone``) share memory with the original until one of them is
written; where that private API is missing, a real copy is made.
"""

from __future__ import annotations

import types
from typing import Any

import torch

_MISSING = object()
#: a module's slots that the probe fills through functional_call (their entries are only recorded)
_SWAPPED = ("_parameters", "_buffers")
#: how deep plain objects are followed from a module attribute (model.config.text_config...)
_OBJECT_DEPTH = 4
#: objects never followed: they hold no state a forward writes (or are shared by the process)
_ATOMIC = (str, bytes, int, float, complex, bool, type(None), type, types.ModuleType, types.FunctionType,
           types.BuiltinFunctionType, types.MethodType, torch.dtype, torch.device, torch.Size)


_ATOMIC_TYPES = frozenset(_ATOMIC)


def cow_clone(t: torch.Tensor) -> torch.Tensor:
    """A tensor with ``t``'s values that never writes into ``t``'s memory (copy-on-write if possible).

    The clone is detached; ``requires_grad`` is the caller's to set.
    """
    with torch.no_grad():
        lazy = getattr(torch, "_lazy_clone", None)
        if lazy is not None and t.layout == torch.strided and not t.is_quantized and not t.is_meta:
            try:
                return lazy(t.detach())
            except (RuntimeError, TypeError, NotImplementedError):
                pass
        return t.detach().clone()


class Snapshot:
    """The writable state around a module tree; ``restore()`` makes it exactly as it was."""

    def __init__(self, roots: list) -> None:
        self._dicts: list = []  # (object, its __dict__, a shallow copy of it)
        self._containers: list = []  # (container, a shallow copy of its contents)
        self._seen: set = set()
        self._todo: list = []  # (value, depth): walked with a stack, object graphs can be deep
        for root in roots:
            self._object(root, 0)
        while self._todo:
            self._visit(*self._todo.pop())

    def _visit(self, value: Any, depth: int) -> None:
        if type(value) in _ATOMIC_TYPES or isinstance(value, (_ATOMIC, torch.Tensor)):
            return
        if isinstance(value, torch.nn.Module):
            self._object(value, 0)  # modules are always followed: they are the model
        elif isinstance(value, (dict, list, set)):
            self._container(value, depth)
        elif isinstance(value, tuple):
            self._todo.extend((item, depth + 1) for item in value)
        elif depth < _OBJECT_DEPTH and not isinstance(value, type):
            self._object(value, depth + 1)

    def _object(self, obj: Any, depth: int) -> None:
        if id(obj) in self._seen:
            return
        self._seen.add(id(obj))
        try:  # (not getattr: a class may override attribute access, slowly: transformers configs)
            attrs = object.__getattribute__(obj, "__dict__")
        except AttributeError:
            return
        if not isinstance(attrs, dict):
            return
        self._dicts.append((obj, attrs, dict(attrs)))
        is_module = isinstance(obj, torch.nn.Module)
        for key, value in list(attrs.items()):
            if is_module and key in _SWAPPED:
                self._container(value, depth, private=False)  # the probe swaps these tensors itself
            elif isinstance(value, torch.Tensor) and not isinstance(value, torch.nn.Parameter):
                attrs[key] = _private(value)  # a plain tensor attribute: written in place by some models
            elif type(value) not in _ATOMIC_TYPES:
                self._todo.append((value, depth))

    def _container(self, c: Any, depth: int, private: bool = True) -> None:
        if id(c) in self._seen or depth > _OBJECT_DEPTH + 2:
            return
        self._seen.add(id(c))
        if not c:  # (most of a module's hook dicts): restored by emptying it
            self._containers.append((c, None))
            return
        if isinstance(c, dict):
            saved: Any = list(c.items())
            self._containers.append((c, saved))
            for key, value in saved:
                if isinstance(value, torch.Tensor):
                    if private and not isinstance(value, torch.nn.Parameter):
                        c[key] = _private(value)
                elif type(value) not in _ATOMIC_TYPES:
                    self._todo.append((value, depth + 1))
        elif isinstance(c, list):
            saved = list(c)
            self._containers.append((c, saved))
            for i, value in enumerate(saved):
                if isinstance(value, torch.Tensor):
                    if not isinstance(value, torch.nn.Parameter):
                        c[i] = _private(value)
                else:
                    self._todo.append((value, depth + 1))
        else:  # set: elements are hashable, hence not written in place
            self._containers.append((c, set(c)))

    def restore(self) -> None:
        for c, saved in reversed(self._containers):
            if saved is None:
                if c:
                    c.clear()
            elif isinstance(c, dict):
                now = list(c.items())
                if len(now) != len(saved) or any(a is not b or x is not y for (a, x), (b, y) in zip(now, saved)):
                    c.clear()
                    c.update(saved)
            elif isinstance(c, list):
                if len(c) != len(saved) or any(a is not b for a, b in zip(c, saved)):
                    c[:] = saved
            elif c != saved:
                c.clear()
                c.update(saved)
        for _obj, attrs, saved in reversed(self._dicts):
            for key in [k for k in attrs if k not in saved]:
                del attrs[key]
            for key, value in saved.items():
                if attrs.get(key, _MISSING) is not value:
                    attrs[key] = value


def _private(t: torch.Tensor) -> torch.Tensor:
    clone = cow_clone(t)
    if t.requires_grad and clone.is_floating_point():
        clone.requires_grad_(True)
    return clone

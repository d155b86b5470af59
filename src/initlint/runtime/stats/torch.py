"""Tensor facts for PyTorch (and Keras on the torch backend): the local work of stats.combine
on torch tensors, at memory bandwidth. Imported only once torch is in ``sys.modules``.

The common (healthy) case costs one pass over a weight: a matrix-vector product of its unit
slices with a random vector (``torch.mv`` streams memory faster than ``tensor.sum()``), which
shows NaN/Inf, constant tensors and candidate duplicate units at once (see stats.combine).
Each unit slice is cut into up to four parts projected in the same product (a reshape, no
extra pass), so that distinct units rarely stay candidates even among 10^5 of them.

Half precision: no CPU kernel multiplies bfloat16/float16 into a float32 result, and a
bfloat16 ``mv`` rounds its outputs to 8 bits, too coarse to tell units apart. So chunks of
``CONVERT`` elements are converted into one reused float32 buffer that stays in the L2 cache,
and projected from there: memory is read once, in half precision, as ``sum()`` reads it.
Non-contiguous tensors are copied chunk by chunk the same way; never a whole-tensor copy and
never a float64 upcast of a whole tensor. The same code runs on CPU and CUDA.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, Optional

import numpy as np
import torch

from initlint.runtime.facts import Facts, Layout
from initlint.runtime.stats import combine

CONVERT = 1 << 18  # elements converted (or copied) at a time: 1 MiB of float32 stays in L2
CHUNK = 1 << 20  # elements per chunk of the rarer passes (counting, norms)
PAIRS = 1 << 19  # bfloat16 elements of a strided tensor copied, summed and projected at a time


@contextlib.contextmanager
def _one_thread(device: torch.device) -> Iterator[None]:
    """Torch ops on this thread only, with denormal floats treated as zero (a per-thread mode);
    both restored on exit. For the many small ops of a half-precision projection: a team of
    threads waits at every op for its slowest member (ruinous when another process holds a
    core), and a float32 pair with a zero high half is a denormal. A no-op off the CPU."""
    if device.type != "cpu":
        yield
        return
    was_flushing = float(torch.tensor([1e-40]) * 1.0) == 0.0
    threads = torch.get_num_threads()
    torch.set_flush_denormal(True)
    if threads != 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if threads != 1:
            torch.set_num_threads(threads)
        torch.set_flush_denormal(was_flushing)


def unit_view(t: torch.Tensor, layout: Layout) -> tuple[torch.Tensor, int]:
    """A view of ``t`` whose dimension ``axis`` indexes units (gate blocks split off)."""
    if layout.gates > 1:
        n = t.shape[layout.axis] // layout.gates
        return t.unflatten(layout.axis, (layout.gates, n)), layout.axis + 1
    return t, layout.axis


def _f32(c: torch.Tensor) -> torch.Tensor:
    return c if c.dtype == torch.float32 else c.float()


def _acc(t: torch.Tensor) -> torch.dtype:
    """The dtype projections are computed in: float64 for float64 tensors, else float32."""
    return torch.float64 if t.dtype == torch.float64 else torch.float32


class TorchKernel:
    """stats.combine's Kernel on torch tensors; caches the random vectors and one conversion
    buffer per device for the duration of one check."""

    def __init__(self) -> None:
        self._vectors: dict = {}
        self._buffers: dict = {}

    # ---- views
    def shape(self, x: torch.Tensor) -> tuple:
        return tuple(x.shape)

    def narrow(self, x: torch.Tensor, axis: int, start: int, length: int) -> torch.Tensor:
        return x.narrow(axis, start, length)

    def unflatten(self, x: torch.Tensor, axis: int, sizes: tuple) -> torch.Tensor:
        return x.unflatten(axis, sizes)

    def vector(self, r: np.ndarray, like: torch.Tensor, key: Optional[tuple] = None) -> torch.Tensor:
        k = (key, str(like.device), _acc(like)) if key is not None else None
        v = self._vectors.get(k) if k else None
        if v is None:
            v = torch.tensor(r, dtype=_acc(like), device=like.device)
            if k:
                self._vectors[k] = v
        return v

    def _buffer(self, like: torch.Tensor, size: int, dtype: Optional[torch.dtype] = None) -> torch.Tensor:
        key = (str(like.device), dtype or _acc(like))
        buf = self._buffers.get(key)
        if buf is None or buf.numel() < size:
            buf = torch.empty(max(size, CONVERT), dtype=key[1], device=like.device)
            self._buffers[key] = buf
        return buf

    # ---- projections
    def _rows(self, w: torch.Tensor, parts: int, r: torch.Tensor, out: torch.Tensor, pairs: bool) -> None:
        """out (n * parts) = the parts of each unit slice of ``w`` (units on dim 0, any strides,
        any floating dtype) projected onto ``r``; bfloat16 as float32 pairs when ``pairs``."""
        n = w.shape[0]
        f = w.numel() // n
        fp = f // parts
        if pairs:
            self._pairs(w, parts, r[: fp // 2], out)
            return
        if w.dtype == r.dtype and w.is_contiguous():
            torch.mv(w.reshape(n * parts, fp), r[:fp], out=out)
            return
        # strided or half precision: whole slices copied (converted) chunk by chunk, into a
        # buffer that stays in the L2 cache
        step = max(1, CONVERT // max(1, f))
        buf = self._buffer(w, step * f)
        with _one_thread(w.device) if w.dtype != r.dtype else contextlib.nullcontext():
            for i in range(0, n, step):
                c = w[i : i + step]
                k = c.shape[0]
                b = buf[: k * f].view(c.shape)
                b.copy_(c)
                torch.mv(b.view(k * parts, fp), r[:fp], out=out[i * parts : (i + k) * parts])

    def _pairs(self, w: torch.Tensor, parts: int, rp: torch.Tensor, out: torch.Tensor) -> None:
        """The projections of bfloat16 unit slices read as float32 pairs: no conversion at all.

        Each pair of bfloat16 values is one float32 whose high half is the second value and
        whose low half perturbs it below bfloat16 precision: a deterministic function of the
        slice, so identical units stay identical (exact comparison decides), read at the speed
        of ``sum()``. NaN/Inf of the first value of a pair hide in the low half, so the tensor
        is also summed (two passes in two ops cost less than many small ops over chunks kept in
        the cache; misaligned or strided tensors are copied chunk by chunk). A pair whose high half is zero is a denormal float32,
        which CPUs multiply ~50x slower unless denormals are flushed to zero: that mode is set
        for this thread (and restored), and the products run on this thread only.
        """
        n = w.shape[0]
        f = w.numel() // n
        width = f // 2 // parts
        if w.is_contiguous() and w.data_ptr() % 4 == 0:  # two ops on the whole tensor, no copy
            rows = w.reshape(n, f)
            with _one_thread(w.device):
                sums = [(rows, rows.sum())]
                torch.mv(rows.view(torch.float32).view(n * parts, width), rp, out=out)
            if not self._finite(sums):
                out.fill_(float("nan"))
            return
        step = max(1, PAIRS // max(1, f))
        sums = []
        with _one_thread(w.device):
            for i in range(0, n, step):
                c = w[i : i + step]
                k = c.shape[0]
                if not c.is_contiguous() or c.data_ptr() % 4:  # a float32 view: contiguous, aligned
                    c = self._buffer(c, k * f, c.dtype)[: k * f].view(c.shape).copy_(c)
                c = c.view(k, f)
                sums.append((c, c.sum()))  # first: the one read from memory; the product reads the cache
                torch.mv(c.view(torch.float32).view(k * parts, width), rp, out=out[i * parts : (i + k) * parts])
        if not self._finite(sums):
            out.fill_(float("nan"))  # combine counts them exactly

    @staticmethod
    def _finite(sums: list) -> bool:
        """No NaN/Inf in the chunks of these (chunk, sum) pairs; a chunk whose sum overflowed
        is looked at closely."""
        return all(bool(torch.isfinite(t)) or bool(torch.isfinite(c).all()) for c, t in sums)

    def _mv_t(self, m: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        """m.t() @ r for a contiguous 2-D ``m`` (units last) of any floating dtype."""
        if m.dtype == r.dtype:
            return torch.mv(m.t(), r)
        rows, cols = m.shape
        out = torch.zeros(cols, dtype=r.dtype, device=m.device)
        step = max(1, CONVERT // max(1, cols))
        buf = self._buffer(m, step * cols)
        with _one_thread(m.device):
            for i in range(0, rows, step):
                k = min(step, rows - i)
                b = buf[: k * cols].view(k, cols)
                b.copy_(m[i : i + k])
                out.addmv_(b.t(), r[i : i + k])
        return out

    def project(self, v: torch.Tensor, ax: int, r: torch.Tensor, parts: int, numel: Optional[int] = None) -> np.ndarray:
        """(units, parts) projections of the unit slices of ``v`` (see combine.Kernel).

        One definition per tensor, whatever the block's strides: part k of unit u is the sum
        over the k-th run of F/parts positions j of its slice of value_j * r[j - k F/parts],
        or, for a bfloat16 tensor whose blocks hold whole slices (``numel`` given) in a layout
        that allows it, of pair(j, j+1) * r[(j - k F/parts) / 2] over even j.
        """
        n = v.shape[ax]
        f = v.numel() // n
        fp = f // parts
        before = 1
        for d in v.shape[:ax]:
            before *= int(d)
        after = f // before
        pairs = (numel is not None and v.dtype == torch.bfloat16 and fp % 2 == 0
                 and (before == 1 or (before <= 64 and after % 2 == 0 and after >= 64)))
        acc = torch.float32 if pairs else _acc(v)
        if before == 1 or not v.is_contiguous():  # units first, or any strided view
            out = torch.empty(n * parts, dtype=acc, device=v.device)
            self._rows(v.movedim(ax, 0), parts, r, out, pairs)
            return out.view(n, parts).double().cpu().numpy()
        if after == 1:  # units last: (f, n); part k is a run of rows
            m = v.reshape(f, n)
            cols = [self._mv_t(m[k * fp : (k + 1) * fp], r[:fp]) for k in range(parts)]
            return torch.stack(cols, 1).double().cpu().numpy()
        # units in the middle (gate blocks, ConvTranspose): (before, n, after), parts split `before`
        m = v.reshape(before, n, after)
        bp = before // parts
        out = torch.zeros(parts, n, dtype=acc, device=v.device)
        if pairs or after >= 64:  # each block of `before` is a units-first matrix
            tmp = torch.empty(n, dtype=acc, device=v.device)
            width = after // 2 if pairs else after
            for o in range(before):
                q = o % bp
                self._rows(m[o], 1, r[q * width : (q + 1) * width], tmp, pairs)
                out[o // bp] += tmp
            return out.t().double().cpu().numpy()
        r3 = r[:fp].reshape(bp, after, 1)
        step = max(1, CONVERT // max(1, n * after))
        for k in range(parts):
            for i in range(0, bp, step):
                o = k * bp + i
                c = m[o : o + min(step, bp - i)]
                if c.dtype != acc:
                    b = self._buffer(v, c.numel())[: c.numel()].view(c.shape)
                    b.copy_(c)
                    c = b
                out[k] += torch.bmm(c, r3[i : i + c.shape[0]]).sum(0).flatten()
        return out.t().double().cpu().numpy()

    # ---- whole-tensor facts
    def aminmax(self, x: torch.Tensor) -> tuple:
        try:
            lo, hi = torch.aminmax(x)
            return float(lo), float(hi)
        except (RuntimeError, NotImplementedError):  # e.g. float8 dtypes: convert chunk by chunk
            flat = x.reshape(-1)
            parts = [torch.aminmax(flat[i : i + CHUNK].float()) for i in range(0, flat.numel(), CHUNK)]
            return min(float(a) for a, _ in parts), max(float(b) for _, b in parts)

    def count_nonfinite(self, x: torch.Tensor) -> tuple:
        return count_nonfinite(x)

    def count_absurd(self, x: torch.Tensor) -> int:
        """Values no initialiser makes: non-zero |x| < TINY or finite |x| > HUGE."""
        flat = x.reshape(-1)  # (a copy only for strided views of the small tensors scanned)
        k = 0
        for i in range(0, flat.numel(), CHUNK):
            # numpy: a few small ops on a tensor of a few thousand values cost less there
            a = np.abs(flat[i : i + CHUNK].to(_acc(x)).cpu().numpy())
            k += int(np.count_nonzero(((a < combine.TINY) & (a > 0)) | ((a > combine.HUGE) & (a != np.inf))))
        return k

    def sq_norms(self, v: torch.Tensor, ax: int) -> np.ndarray:
        w = v.movedim(ax, 0)
        n = w.shape[0]
        step = max(1, CHUNK // max(1, w[0].numel()))
        out = [torch.linalg.vector_norm(w[i : i + step].reshape(min(step, n - i), -1).to(_acc(v)), dim=1).double() ** 2
               for i in range(0, n, step)]
        return torch.cat(out).cpu().numpy()

    def rows(self, v: torch.Tensor, ax: int, idx: np.ndarray) -> np.ndarray:
        w = v.movedim(ax, 0)
        sel = w.index_select(0, torch.as_tensor(idx, dtype=torch.long, device=v.device))
        return sel.reshape(len(idx), -1).double().cpu().numpy()


#: the name callers use for one check's kernel (it caches the projection vectors)
Projector = TorchKernel


def count_nonfinite(t: torch.Tensor) -> tuple[int, int]:
    """(NaN count, Inf count), chunk by chunk (only run once something non-finite is suspected)."""
    if not t.is_contiguous():
        step = max(1, CHUNK // max(1, t[0].numel()))
        nan = inf = 0
        for i in range(0, t.shape[0], step):
            a, b = count_nonfinite(t[i : i + step].contiguous())
            nan, inf = nan + a, inf + b
        return nan, inf
    flat = t.reshape(-1)
    nan = inf = 0
    for i in range(0, flat.numel(), CHUNK):
        c = flat[i : i + CHUNK]
        if not c.is_floating_point() or c.dtype.itemsize == 1:
            c = c.float()
        nan += int(torch.isnan(c).sum())
        inf += int(torch.isinf(c).sum())
    return nan, inf


def tensor_facts(t: torch.Tensor, layout: Optional[Layout], want_constant: bool, kernel: Any = None) -> Facts:
    """NaN/Inf counts, and (if asked) the repeated value and duplicate-unit groups of ``t``."""
    item = combine.Item("", tuple(t.shape), layout, want_constant, [combine.Block(t, (0,) * t.ndim)])
    result = combine.facts([item], kernel if kernel is not None else TorchKernel())[0]
    if isinstance(result, str):
        raise RuntimeError(f"check_model_init could not read a tensor of shape {tuple(t.shape)}: {result}")
    return result

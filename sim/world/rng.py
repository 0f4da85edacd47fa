"""Random streams derived from one seed.

Every stochastic part of the world draws from its own named stream, derived from the run's
seed with :class:`numpy.random.SeedSequence`. Streams are independent of each other and of
the order in which they are created, so

* the same seed gives identical tables on every engine (in process, process pool, Dask), and
* two policies run with the same seed share their customers and shocks (common random numbers):
  latent traits and acquisition times come from streams no policy can perturb.

Per-event draws go through small buffers (:class:`Buffered`) that draw thousands of variates at
once with NumPy and hand them out one by one; this is several times faster than a NumPy call per
event and keeps results identical to drawing the same stream in one go.

Examples
--------
>>> s = Streams(seed=7)
>>> u = s.buffered("purchase").uniform()
>>> 0.0 <= u < 1.0
True
>>> Streams(7).generator("population").random() == Streams(7).generator("population").random()
True
"""

from __future__ import annotations

import zlib
from bisect import bisect_right
from collections.abc import Callable, Mapping
from itertools import accumulate, chain, repeat
from operator import methodcaller

import numpy as np

__all__ = ["Streams", "Buffered", "Categorical"]


class Buffered:
    """Hands out uniforms, standard exponentials, normals and Gamma(shape) variates from blocks.

    Each kind is drawn ``block`` at a time (one NumPy call) and handed out one by one; a new block
    is drawn when the last one is used up. The values are exactly those of drawing the stream in
    one go, in the order the kinds are asked for.

    ``uniform()``, ``exponential()``, ``normal()`` and ``gamma()`` (Gamma(shape, 1), the shape
    fixed at construction) each return one variate. They are the ``__next__`` of an endless C
    iterator, ``chain.from_iterable(map(draw_block, repeat(block)))``, so a draw costs no Python
    frame (these are the engine's most frequent calls, several per order); the next block is
    drawn at the moment the previous one runs out, as a block-by-block loop would draw it.

    Examples
    --------
    >>> b = Buffered(np.random.default_rng(3), block=4)
    >>> [b.uniform() for _ in range(6)] == np.random.default_rng(3).random(8)[:6].tolist()
    True
    >>> Buffered(np.random.default_rng(3)).gamma()
    Traceback (most recent call last):
    ...
    ValueError: this stream was created without a gamma shape
    """

    __slots__ = ("_gen", "_block", "_shape", "uniform", "exponential", "normal", "gamma")

    uniform: Callable[[], float]
    exponential: Callable[[], float]
    normal: Callable[[], float]
    gamma: Callable[[], float]

    def __init__(self, gen: np.random.Generator, block: int = 4096, gamma_shape: float | None = None) -> None:
        self._gen = gen
        self._block = block
        self._shape = gamma_shape
        self.uniform = _endless(gen.random, block)
        self.exponential = _endless(gen.standard_exponential, block)
        self.normal = _endless(gen.standard_normal, block)
        self.gamma = _endless(self._gamma_block, block)

    def _gamma_block(self, size: int) -> np.ndarray:
        if self._shape is None:
            raise ValueError("this stream was created without a gamma shape")
        return self._gen.standard_gamma(self._shape, size)


def _endless(draw: Callable[[int], np.ndarray], block: int) -> Callable[[], float]:
    """``next`` of the values of ``draw(block)``, ``draw(block)``, ... (each block drawn when needed)."""
    return chain.from_iterable(map(_TOLIST, map(draw, repeat(block)))).__next__


_TOLIST = methodcaller("tolist")


class Streams:
    """Named, independent random streams derived from one seed."""

    def __init__(self, seed: int) -> None:
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)

    def _seq(self, name: str) -> np.random.SeedSequence:
        return np.random.SeedSequence([self.seed, zlib.crc32(name.encode("utf-8"))])

    def generator(self, name: str) -> np.random.Generator:
        """A fresh NumPy generator for the stream ``name``."""
        return np.random.Generator(np.random.PCG64(self._seq(name)))

    def buffered(self, name: str, *, gamma_shape: float | None = None, block: int = 4096) -> Buffered:
        """A buffered per-event stream."""
        return Buffered(self.generator(name), block=block, gamma_shape=gamma_shape)


class Categorical:
    """Draw a label from a fixed mix with one uniform (inverse CDF over the mix's order).

    Parameters
    ----------
    mix : mapping label -> weight
        Weights need not sum to one.

    Examples
    --------
    >>> c = Categorical({"P0": 0.1, "P1": 0.2, "P2": 0.3, "P3": 0.4})
    >>> c.draw(0.05), c.draw(0.25), c.draw(0.999)
    ('P0', 'P1', 'P3')
    """

    __slots__ = ("labels", "cum", "total")

    def __init__(self, mix: Mapping[str, float]) -> None:
        self.labels = list(mix)
        self.cum = list(accumulate(mix.values()))
        self.total = self.cum[-1]

    def draw(self, u: float) -> str:
        """The label whose cumulative weight first exceeds ``u`` times the total (``u`` in [0, 1))."""
        k = bisect_right(self.cum, u * self.total)
        return self.labels[min(k, len(self.labels) - 1)]

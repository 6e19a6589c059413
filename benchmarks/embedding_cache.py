"""Sentence embeddings of the benchmark data sets, computed once and kept on disk.

Encoding Banking77 and HWU64 (about 25,000 texts, with their typo variants) takes minutes on
one shared core; every relevance run and calibration needs the same vectors.  The cache is a
wrapper with the encoder's interface, injected into :class:`Suggester` (``encoder=``), so the
benchmarks still rank through the public path.  Entries are keyed by the exact text and the
model's SHA-256, and live in ``.cache/benchmarks/`` (gitignored).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from agent_assist.core.search.semantic.encoder import DIM, Encoder
from agent_assist.resources import resource

CACHE_DIR = Path(__file__).resolve().parents[1] / ".cache" / "benchmarks"
MODEL_DIR = resource("models", "minilm-l6-v2")


class CachedEncoder:
    def __init__(self, model_dir: Path = MODEL_DIR, cache_dir: Path = CACHE_DIR) -> None:
        digest = hashlib.sha256((model_dir / "model.onnx").read_bytes()).hexdigest()[:16]
        self._file = cache_dir / f"embeddings-{digest}.npz"
        self._model_dir = model_dir
        self._inner: Encoder | None = None
        self._known: dict[str, npt.NDArray[np.float32]] = {}
        self._dirty = False
        if self._file.is_file():
            with np.load(self._file, allow_pickle=False) as z:
                texts = bytes(z["texts"]).decode("utf-8").split("\n")
                self._known = dict(zip(texts, z["vectors"], strict=True))
        self.misses = 0
        from tokenizers import Tokenizer

        vocab = Tokenizer.from_file(str(model_dir / "tokenizer.json")).get_vocab()
        self._words = frozenset(w for w in vocab if w.isalpha() and not w.startswith("##"))

    def knows(self, word: str) -> bool:
        return word in self._words

    def encode(
        self, texts: list[str], progress: Callable[[int], None] | None = None
    ) -> npt.NDArray[np.float32]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._known))
        if missing:
            if self._inner is None:
                self._inner = Encoder(self._model_dir)
            self.misses += len(missing)
            self._known.update(zip(missing, self._inner.encode(missing), strict=True))
            self._dirty = True
        if progress is not None:
            progress(len(texts))
        out = np.zeros((len(texts), DIM), np.float32)
        for i, t in enumerate(texts):
            out[i] = self._known[t]
        return out

    def save(self) -> None:
        if not self._dirty:
            return
        self._file.parent.mkdir(parents=True, exist_ok=True)
        texts = [t for t in self._known if "\n" not in t]
        tmp = self._file.with_name(self._file.name + ".tmp.npz")
        np.savez(
            tmp,
            texts=np.frombuffer("\n".join(texts).encode("utf-8"), np.uint8),
            vectors=np.array([self._known[t] for t in texts], np.float32),
        )
        tmp.replace(self._file)
        self._dirty = False

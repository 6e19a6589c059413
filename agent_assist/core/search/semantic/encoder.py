"""The on-device sentence encoder: all-MiniLM-L6-v2 as an int8 ONNX graph, run by ONNX Runtime.

The model files (``model.onnx``, ``tokenizer.json``, ``SHA256SUMS``) are made by
``scripts/build-encoder-model`` and shipped in ``resources/models/minilm-l6-v2/``; the
caller passes that folder in (``core`` does not know where resources live).  onnxruntime and
tokenizers are imported only when a model is opened, never on the way to the first window.

One intra-op thread: the app shares the machine with the agent's browser and ticketing tool,
and a 10-30 token query costs a few milliseconds on one core.  Texts are batched by length
so that padding costs little when an index is built.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from agent_assist.core.errors import AgentAssistError

log = logging.getLogger(__name__)

DIM = 384
MAX_TOKENS = 128
"""Queries are cut to 64 words before they get here; phrasings are rarely longer."""
BATCH = 32
MODEL_FILE, TOKENIZER_FILE, SUMS_FILE = "model.onnx", "tokenizer.json", "SHA256SUMS"

Floats = npt.NDArray[np.float32]


class EncoderError(AgentAssistError):
    """The model folder is missing, damaged or cannot be loaded (the message says which)."""


def expected_hashes(model_dir: Path) -> dict[str, str]:
    """``{file name: sha256}`` from the folder's SHA256SUMS."""
    try:
        text = (model_dir / SUMS_FILE).read_text(encoding="utf-8")
    except OSError as exc:
        raise EncoderError(f"no encoder model in {model_dir}: {exc.strerror}") from None
    out = {}
    for line in text.splitlines():
        digest, _, name = line.strip().partition("  ")
        if name:
            out[name] = digest
    return out


def verify(model_dir: Path) -> None:
    """Raise :class:`EncoderError` unless both files match their SHA-256."""
    for name, digest in expected_hashes(model_dir).items():
        try:
            actual = hashlib.sha256((model_dir / name).read_bytes()).hexdigest()
        except OSError as exc:
            raise EncoderError(f"cannot read {model_dir / name}: {exc.strerror}") from None
        if actual != digest:
            raise EncoderError(f"{model_dir / name} is damaged (SHA-256 differs)")


class Encoder:
    """Unit-length sentence embeddings (float32, ``DIM`` wide) for texts.  Safe to call from
    several threads (ONNX Runtime sessions and tokenizers are)."""

    def __init__(self, model_dir: Path) -> None:
        verify(model_dir)
        try:
            import onnxruntime as ort  # type: ignore[import-untyped]
            from tokenizers import Tokenizer

            self._tokenizer = Tokenizer.from_file(str(model_dir / TOKENIZER_FILE))
            self._words = frozenset(
                w for w in self._tokenizer.get_vocab() if w.isalpha() and not w.startswith("##")
            )
            self._tokenizer.enable_truncation(MAX_TOKENS)
            self._tokenizer.enable_padding()
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = 1
            opts.inter_op_num_threads = 1
            opts.log_severity_level = 3
            self._session: Any = ort.InferenceSession(
                str(model_dir / MODEL_FILE), opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # a broken runtime or file is "no model", told once, not a crash
            raise EncoderError(f"cannot load the encoder in {model_dir}: {exc}") from exc

    def knows(self, word: str) -> bool:
        """Whether ``word`` is a whole word of the encoder's vocabulary (a typo seldom is)."""
        return word in self._words

    def encode(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> Floats:
        """Embeddings of ``texts`` in their order; ``progress(n)`` after each batch of n."""
        out = np.zeros((len(texts), DIM), np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            out[batch] = self._run([texts[i] or " " for i in batch])
            if progress is not None:
                progress(len(batch))
        return out

    def _run(self, texts: list[str]) -> Floats:
        enc = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in enc], np.int64)
        mask = np.array([e.attention_mask for e in enc], np.int64)
        result: Floats = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return result


def open_encoder(model_dir: Path | None) -> Encoder | None:
    """The encoder, or None (logged once by the caller) when there is none to be had."""
    if model_dir is None:
        return None
    return Encoder(model_dir)

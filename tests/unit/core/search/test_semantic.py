"""The semantic stage: the shipped model's integrity, paraphrases on the demo pack, the
lexical fallback without a model, incremental embeddings and their file."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from agent_assist.app.semantic import encoder_dir
from agent_assist.core.cache.store import Store
from agent_assist.core.search.ranking.text import words
from agent_assist.core.search.semantic import index as embeddings
from agent_assist.core.search.semantic.encoder import Encoder, EncoderError
from agent_assist.core.search.suggester import Suggester

MODEL_SHA256 = "fdd1bb4b1677e280d64281cd46d0d7e3c5c3375822cc34005ec314621b08be2c"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
"""Pinned here as well as in SHA256SUMS: a rebuilt model must be a deliberate change."""

_FUNCTION_WORDS = """i my me a an the to of and is was it in on for have has not no can do be up
at with this that you your we they them all did am as"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_shipped_model_matches_its_sha256() -> None:
    folder = encoder_dir()
    assert sha256(folder / "model.onnx") == MODEL_SHA256
    assert sha256(folder / "tokenizer.json") == TOKENIZER_SHA256
    sums = (folder / "SHA256SUMS").read_text(encoding="utf-8")
    assert f"{MODEL_SHA256}  model.onnx" in sums
    assert f"{TOKENIZER_SHA256}  tokenizer.json" in sums
    assert "Apache License" in (folder / "LICENSE").read_text(encoding="utf-8")


def test_embeddings_are_unit_length_and_paraphrases_are_close() -> None:
    enc = Encoder(encoder_dir())
    v = enc.encode(["my money never showed up", "my payout has not arrived", "reset my password"])
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.2


@pytest.fixture(scope="module")
def demo_fused(tmp_path_factory: pytest.TempPathFactory, _demo_cache: Path) -> Iterator[Suggester]:
    """The demo pack with its embeddings built once for the module."""
    data = tmp_path_factory.mktemp("demo-semantic")
    shutil.copytree(_demo_cache, data, dirs_exist_ok=True)
    store = Store.in_dir(data)
    suggester = Suggester(store, model_dir=encoder_dir())
    assert suggester.refresh_semantic()
    yield suggester
    store.close()


PARAPHRASES = [
    # (what the customer wrote, the SOP they need): none shares a word other than function
    # words with that SOP's title, summary, phrasings or tags, and the lexical stage misses
    # each one.
    ("my earnings did not arrive", "payout-missing"),
    ("a stranger is posing as me", "impersonation-report"),
    ("I am thinking of ending my life", "self-harm-concern"),
    ("fans stopped seeing my uploads", "reach-drop-shadowban"),
]


@pytest.mark.parametrize(("query", "expected"), PARAPHRASES)
def test_paraphrases_without_shared_words_find_the_right_sop(
    demo_fused: Suggester, query: str, expected: str
) -> None:
    fields = {f.item_id: f for f in demo_fused.store.search_fields()}[expected]
    theirs = set(words(" ".join([fields.title, fields.summary, *fields.phrasings, *fields.tags])))
    shared = (set(words(query)) - FUNCTION_WORDS) & theirs
    assert not shared, shared
    fused = demo_fused.suggest(query, limit=5, semantic=True)
    assert fused[0].id == expected, [(r.id, r.score) for r in fused]
    lexical = demo_fused.suggest(query, limit=5)
    assert lexical[0].id != expected  # the reason the stage exists


def test_fused_results_have_the_lexical_shape(demo_fused: Suggester) -> None:
    fused = demo_fused.suggest("i was charged twice", limit=5, semantic=True)
    lexical = demo_fused.suggest("i was charged twice", limit=5)
    assert [set(r.to_json()) for r in fused] == [set(r.to_json()) for r in lexical]
    assert all(0.0 <= r.score <= 1.0 for r in fused)
    assert fused[0].id == "duplicate-charge" and fused[0].confident


def test_without_the_model_ranking_is_lexical(demo_store: Store, tmp_path: Path) -> None:
    suggester = Suggester(demo_store, model_dir=tmp_path / "no-such-model")
    query = "someone hacked my account"
    assert suggester.suggest(query, semantic=True) == suggester.suggest(query)
    assert suggester.suggest(query)[0].id == "hacked-account"
    assert not suggester.refresh_semantic()
    assert suggester.semantic.problem is not None
    assert "no-such-model" in suggester.semantic.problem


def test_a_damaged_model_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "model"
    shutil.copytree(encoder_dir(), broken)
    with (broken / "tokenizer.json").open("ab") as f:
        f.write(b" ")
    with pytest.raises(EncoderError, match="damaged"):
        Encoder(broken)


class CountingEncoder:
    """The real encoder, counting the texts it is asked to encode."""

    def __init__(self) -> None:
        self.inner = Encoder(encoder_dir())
        self.texts: list[str] = []

    def encode(self, texts: list[str], progress: object = None) -> np.ndarray:
        self.texts += texts
        return self.inner.encode(texts)

    def knows(self, word: str) -> bool:
        return self.inner.knows(word)


def test_embeddings_are_incremental_and_survive_a_round_trip(
    tiny_store: Store, tmp_path: Path
) -> None:
    counting = CountingEncoder()
    suggester = Suggester(tiny_store, encoder=counting)
    suggester.refresh()
    engine = suggester.engine
    assert engine is not None
    rank = engine.index
    first = embeddings.build(rank, counting)  # type: ignore[arg-type]
    assert len(counting.texts) == len(rank.row_text)
    counting.texts.clear()
    assert embeddings.build(rank, counting, first).keys == first.keys  # type: ignore[arg-type]
    assert counting.texts == []
    stale = embeddings.SemanticIndex(
        [(k, i, "old" if n == 0 else h) for n, (k, i, h) in enumerate(first.keys)],
        first.row_ptr,
        first.codes,
        first.scales,
        None,
    )
    again = embeddings.build(rank, counting, stale)  # type: ignore[arg-type]
    assert counting.texts == rank.row_text[rank.row_ptr[0] : rank.row_ptr[1]]
    changed = slice(int(rank.row_ptr[0]), int(rank.row_ptr[1]))
    assert np.array_equal(again.codes[changed.stop :], first.codes[changed.stop :])  # reused
    # Re-encoded in another batch: int8 activations are scaled per batch, so close, not equal.
    cosines = (again.rows(np.arange(changed.stop)) * first.rows(np.arange(changed.stop))).sum(1)
    assert cosines.min() > 0.97
    path = tmp_path / embeddings.FILE_NAME
    embeddings.save(again, path)
    loaded = embeddings.load(path)
    assert loaded is not None and loaded.matches(rank)
    assert np.array_equal(loaded.codes, again.codes)
    path.write_bytes(b"not a zip file")
    assert embeddings.load(path) is None


def test_one_or_two_words_are_ranked_lexically_even_when_fusion_is_asked(
    demo_fused: Suggester,
) -> None:
    """An encoder's embedding of one word is no sentence: "refund" alone sat nearest to short
    macro titles and pushed the coin-refund SOP out of the top five."""
    from agent_assist.core.search.suggester import SEMANTIC_MIN_WORDS

    assert SEMANTIC_MIN_WORDS == 3
    assert demo_fused.semantic_ready()
    for query in ("refund", "refund coins"):
        fused = demo_fused.suggest(query, limit=5, semantic=True)
        lexical = demo_fused.suggest(query, limit=5)
        assert [s.id for s in fused] == [s.id for s in lexical]

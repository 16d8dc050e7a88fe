"""A NumPy forward pass of the bundled BERT sentence encoder (all-MiniLM-L6-v2), for queries.

Why: importing torch + sentence-transformers costs seconds and ~400 MB, while a question is a dozen
word pieces that six small layers encode in about a millisecond. Answering a question therefore never
imports torch; indexing (thousands of texts) still uses sentence-transformers, which is faster in bulk.
The output matches `SentenceTransformer.encode(normalize_embeddings=True)` to ~1e-6 (mean pooling,
L2-normalised), checked by tests/test_numpy_encoder.py against the torch model.

Only plain BERT encoders with mean pooling qualify (`supports`); any other model uses sentence-transformers.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def supports(model_dir: Path) -> bool:
    """True when `model_dir` is a BERT encoder with mean pooling and safetensors weights."""
    try:
        config = json.loads((model_dir / "config.json").read_text())
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
        modules = json.loads((model_dir / "modules.json").read_text())
    except (OSError, ValueError):
        return False
    return (
        config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and pooling.get("pooling_mode_mean_tokens") is True
        and not any(pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens"))
        and any(m.get("type", "").endswith("Normalize") for m in modules)
        and len(modules) == 3
        and (model_dir / "model.safetensors").exists()
        and (model_dir / "tokenizer.json").exists()
    )


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7, below float32 noise here)."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + _ERF_P * x)
    a1, a2, a3, a4, a5 = _ERF_A
    poly = ((((a5 * t + a4) * t + a3) * t + a2) * t + a1) * t
    return sign * (1.0 - poly * np.exp(-x * x))


try:  # scipy's exact erf is several times faster than the polynomial below; scipy comes with sentence-transformers
    from scipy.special import erf as _fast_erf
except ImportError:  # pragma: no cover
    _fast_erf = None


def _gelu(x: np.ndarray) -> np.ndarray:
    scaled = x * (1.0 / math.sqrt(2.0))
    return 0.5 * x * (1.0 + (_fast_erf(scaled) if _fast_erf is not None else _erf(scaled)))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class NumpyBertEncoder:
    """Sentence embeddings from a BERT encoder in NumPy: tokenize, 6 layers, mean pool, normalise."""

    def __init__(self, model_dir: Path, max_seq_length: int = 256) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        weights = load_file(str(model_dir / "model.safetensors"))
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
        self.w = {k[len(prefix):]: v.astype(np.float32, copy=False) for k, v in weights.items() if k.startswith(prefix)}
        for name in list(self.w):
            if name.endswith(".weight") and self.w[name].ndim == 2 and "embeddings" not in name:
                self.w[name] = np.ascontiguousarray(self.w[name].T)  # x @ W^T, transposed once
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_seq_length)
        self.tokenizer.no_padding()
        from threadpoolctl import ThreadpoolController

        # these matrices are small: BLAS threads only fight each other (and torch) on a busy 2-core box
        self._threads = ThreadpoolController()

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        encodings = self.tokenizer.encode_batch(list(texts))
        out = np.zeros((len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        with self._threads.limit(limits=1, user_api="blas"):
            for at in range(0, len(order), 16):  # similar lengths together: little padding
                rows = order[at:at + 16]
                out[rows] = self._forward([encodings[i].ids for i in rows])
        return out

    def _forward(self, batch_ids: list[list[int]]) -> np.ndarray:
        w, length = self.w, max(len(ids) for ids in batch_ids)
        ids = np.zeros((len(batch_ids), length), dtype=np.int64)
        mask = np.zeros((len(batch_ids), length), dtype=np.float32)
        for i, row in enumerate(batch_ids):
            ids[i, :len(row)] = row
            mask[i, :len(row)] = 1.0
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        attention_bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        for layer in range(self.layers):
            x = self._layer(x, f"encoder.layer.{layer}.", attention_bias)
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def _layer(self, x: np.ndarray, p: str, attention_bias: np.ndarray) -> np.ndarray:
        w = self.w
        batch, length, hidden = x.shape
        size = hidden // self.heads

        flat = x.reshape(batch * length, hidden)  # 2-D matmuls go straight to one BLAS gemm

        def project(name: str) -> np.ndarray:
            y = flat @ w[f"{p}attention.self.{name}.weight"] + w[f"{p}attention.self.{name}.bias"]
            return y.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

        q, k, v = project("query"), project("key"), project("value")
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + attention_bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, hidden)
        attended = context @ w[f"{p}attention.output.dense.weight"] + w[f"{p}attention.output.dense.bias"]
        flat = _layer_norm(attended + flat, w[f"{p}attention.output.LayerNorm.weight"], w[f"{p}attention.output.LayerNorm.bias"], self.eps)
        inner = _gelu(flat @ w[f"{p}intermediate.dense.weight"] + w[f"{p}intermediate.dense.bias"])
        out = inner @ w[f"{p}output.dense.weight"] + w[f"{p}output.dense.bias"]
        out = _layer_norm(out + flat, w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"], self.eps)
        return out.reshape(batch, length, hidden)

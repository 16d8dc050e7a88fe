"""The learned verifier: a cross-encoder that reads (evidence sentence, claim) and says "supported".

Fine-tuned from the bundled MiniLM (training/verifier/, `make models`) and shipped as ONNX under
`assistant/models/verifier/`: `model.onnx`, `tokenizer.json`, `combiner.npz` (the learned weights that
combine its logit with the rules' signals) and `manifest.json` (their sha256, the calibration
temperature, the decision threshold and the input lengths). Only onnxruntime, `tokenizers` and numpy
run here: no torch on the answer path. The model is loaded lazily, once per process (`load_verifier`).

Inputs are `[CLS] evidence [SEP] claim [SEP]`, each side cut to `max_side` word pieces: the training
code imports `encode_pairs` from here, so training and answering cut text the same way.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.errors import AssistantError
from assistant.models import file_sha256

#: where the committed model lives (inside the package, so an installed wheel carries it)
MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "verifier"
#: word pieces per side of the pair (the training configuration; the manifest may say otherwise)
MAX_SIDE = 64


class VerifierModelError(AssistantError):
    """The learned verifier's files are missing or differ from what its manifest records."""


def encode_pairs(tokenizer, pairs: list[tuple[str, str]], max_side: int = MAX_SIDE) -> dict[str, np.ndarray]:
    """Word-piece ids for `[CLS] evidence [SEP] claim [SEP]`, each side cut to `max_side` pieces,
    padded to the longest pair: input_ids, attention_mask, token_type_ids (int64)."""
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    texts = [t for pair in pairs for t in pair]
    encoded = tokenizer.encode_batch(texts, add_special_tokens=False) if texts else []
    rows: list[tuple[list[int], list[int]]] = []
    for i in range(0, len(encoded), 2):
        left, right = encoded[i].ids[:max_side], encoded[i + 1].ids[:max_side]
        ids = [cls_id, *left, sep_id, *right, sep_id]
        kinds = [0] * (len(left) + 2) + [1] * (len(right) + 1)
        rows.append((ids, kinds))
    width = max((len(ids) for ids, _ in rows), default=2)
    input_ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros_like(input_ids)
    type_ids = np.zeros_like(input_ids)
    for row, (ids, kinds) in enumerate(rows):
        input_ids[row, : len(ids)] = ids
        mask[row, : len(ids)] = 1
        type_ids[row, : len(kinds)] = kinds
    return {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": type_ids}


def plain_tokenizer(path: Path):
    """The model's word-piece tokenizer with its own padding and truncation switched off."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def read_manifest(folder: Path) -> dict:
    """The manifest, after checking every file it lists against its recorded sha256."""
    manifest_path = folder / "manifest.json"
    rebuild = "Run `make models` to rebuild the verifier (or restore assistant/models/verifier/ from the repository)."
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise VerifierModelError(
            f"The learned verifier's manifest {manifest_path} cannot be read ({exc}).", hint=rebuild
        ) from None
    for name, expected in (manifest.get("files") or {}).items():
        path = folder / name
        if not path.is_file():
            raise VerifierModelError(f"The learned verifier's file {path} is missing.", hint=rebuild)
        found = file_sha256(path)
        if found != expected:
            raise VerifierModelError(
                f"The learned verifier's file {path} has sha256 {found[:12]}…, its manifest says {expected[:12]}….",
                hint=rebuild,
            )
    return manifest


@dataclass(frozen=True)
class Combiner:
    """Logistic regression over [calibrated logit, rule reason one-hots, alignment share] (learned)."""

    weights: np.ndarray
    bias: float
    reasons: tuple[str, ...]  # the one-hot order ("" is "the rules found it supported")
    threshold: float  # P(supported) needed when the rules found it supported
    overturn: float  # P(supported) needed to accept what the rules rejected (stricter: few lies pass)

    def threshold_for(self, rule_reason: str) -> float:
        return self.threshold if not rule_reason else self.overturn

    def features(self, logits: np.ndarray, reasons: list[str], shares: np.ndarray) -> np.ndarray:
        onehot = np.zeros((len(reasons), len(self.reasons)), dtype=np.float64)
        for row, reason in enumerate(reasons):
            if reason in self.reasons:
                onehot[row, self.reasons.index(reason)] = 1.0
        return np.column_stack([np.asarray(logits, dtype=np.float64), onehot, np.asarray(shares, dtype=np.float64)])

    def probabilities(self, logits: np.ndarray, reasons: list[str], shares: np.ndarray) -> np.ndarray:
        score = self.features(logits, reasons, shares) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-score))


class LearnedVerifier:
    """The ONNX cross-encoder and its calibration; `probabilities` scores (evidence, claim) pairs."""

    def __init__(self, folder: Path = MODEL_DIR) -> None:
        self.folder = Path(folder)
        self.manifest = read_manifest(self.folder)
        self.temperature = float(self.manifest.get("temperature", 1.0))
        self.max_side = int(self.manifest.get("max_side", MAX_SIDE))
        self.tokenizer = plain_tokenizer(self.folder / "tokenizer.json")
        self._lock = threading.Lock()

    @cached_property
    def session(self):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # a handful of short pairs per answer: one core is enough
        options.inter_op_num_threads = 1
        return ort.InferenceSession(str(self.folder / "model.onnx"), options, providers=["CPUExecutionProvider"])

    @cached_property
    def combiner(self) -> Combiner:
        held = np.load(self.folder / "combiner.npz", allow_pickle=False)
        return Combiner(
            weights=np.asarray(held["weights"], dtype=np.float64),
            bias=float(held["bias"]),
            reasons=tuple(str(r) for r in held["reasons"]),
            threshold=float(held["threshold"]),
            overturn=float(held["overturn"]) if "overturn" in held.files else float(held["threshold"]),
        )

    def logits(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """Calibrated logits (raw logit / temperature), one run of the network for all pairs."""
        if not pairs:
            return np.zeros(0, dtype=np.float64)
        feed = encode_pairs(self.tokenizer, pairs, self.max_side)
        with self._lock:  # one session shared by the UI's threads
            (raw,) = self.session.run(None, feed)
        return np.asarray(raw, dtype=np.float64).reshape(-1) / self.temperature

    def probabilities(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """P(supported) for each (evidence, claim) pair, calibrated."""
        return 1.0 / (1.0 + np.exp(-self.logits(pairs)))


_LOADED: dict[Path, LearnedVerifier] = {}
_LOAD_LOCK = threading.Lock()


def load_verifier(folder: Path = MODEL_DIR) -> LearnedVerifier:
    """The verifier in `folder`, loaded once per process (its sha256 checked on that first load)."""
    key = Path(folder).resolve()
    with _LOAD_LOCK:
        held = _LOADED.get(key)
        if held is None:
            held = _LOADED[key] = LearnedVerifier(key)
        return held


def available(folder: Path = MODEL_DIR) -> bool:
    """Whether a verifier is committed in `folder` (its manifest exists); integrity is checked on load."""
    return (Path(folder) / "manifest.json").is_file()

"""The query encoder: the bundled sentence encoder run by onnxruntime from a cached ONNX export.

Why: importing torch + sentence-transformers costs seconds and hundreds of MB, while a question is a
dozen word pieces. onnxruntime (installed with chromadb) runs the same network in a few milliseconds,
so answering a question never imports torch; bulk indexing keeps sentence-transformers.

The export is made once with torch, from the loaded sentence-transformers model: at index time
(`Embedder.ensure_query_encoder`, called by the index build) or, when missing, on first use. It lives in
`<cache_dir>/onnx/<model>-<path hash>/`:

    model-<sha256[:16]>.onnx   the transformer (word pieces -> last hidden state); never rewritten in place
    model-<sha256[:16]>.ort    the same graph in ONNX Runtime's own format, made from the .onnx by onnxruntime
    export.json                which files are current, their full sha256, and the source model's fingerprint

The .ort copy is what a query process loads: onnxruntime memory-maps it and uses its weights in place
(`session.use_memory_mapped_ort_model`, `session.use_ort_model_bytes_for_initializers`), so creating
the session costs ~0.03 s of CPU instead of ~0.17 s parsing and copying 90 MB of protobuf — a sixth
of a cold `ask`. It is saved with the portable (EXTENDED) graph optimisations, whose outputs equal the
.onnx session's; it is made at index time next to the export (or on first use), recorded with the
sha256 of the .onnx it came from, and ignored (the .onnx is loaded) whenever it is missing, stale or
fails its checksum.

A reader trusts an export only when export.json names the same source model (file sizes and mtimes of
its weights, config and tokenizer) and export format, and the file's bytes hash to the recorded sha256;
otherwise (stale or corrupt) it is made again. The hash is recomputed whenever the file's size or mtime
differ from when it was last verified (a rewrite, a truncation); an untouched file is not re-hashed on
every start, which keeps a cold `ask` fast. Mean pooling over the attention mask and L2
normalisation run in NumPy, as sentence-transformers does them; tests/test_onnx_encoder.py checks the
vectors against sentence-transformers within 1e-5.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

#: Bumped when the export recipe changes (inputs, opset, outputs): older exports are redone.
EXPORT_FORMAT = 1
OPSET = 17
#: Files whose change makes an export stale (the ones that define the network and its input).
_SOURCE_FILES = (
    "config.json",
    "model.safetensors",
    "pytorch_model.bin",
    "tokenizer.json",
    "sentence_bert_config.json",
    "modules.json",
    "1_Pooling/config.json",
)


#: Whether encoder sessions made from now on pre-pack their weight matrices (see `favour_start_up`).
_prepack = True


def favour_start_up() -> None:
    """Encoders made from now on skip pre-packing their weights: for a process that encodes a question
    or two and exits (a one-shot `rsa-assistant ask`).

    Pre-packing lays every weight matrix out for the GEMM kernels while the session is created: ~0.04 s
    of CPU, most of what creating it from the mapped .ort copy costs, repaid only over many queries
    (8 ms instead of 12 ms per question, measured). Long-lived processes (UI, API) keep it. Vectors
    differ by ~1e-6 (summation order), within the 1e-5 the encoder is held to.
    """
    global _prepack
    _prepack = False


def supports(model_dir: Path) -> bool:
    """True for a Transformer -> mean Pooling -> Normalize sentence-transformers model with tokenizer.json."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text())
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError):
        return False
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    return (
        kinds == ["Transformer", "Pooling", "Normalize"]
        and pooling.get("pooling_mode_mean_tokens") is True
        and not any(
            pooling.get(k)
            for k in (
                "pooling_mode_cls_token",
                "pooling_mode_max_tokens",
                "pooling_mode_mean_sqrt_len_tokens",
                "pooling_mode_weightedmean_tokens",
            )
        )
        and (model_dir / "tokenizer.json").is_file()
    )


def max_seq_length(model_dir: Path, default: int = 256) -> int:
    try:
        return int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError):
        return default


def export_folder(model_dir: Path, cache_dir: Path) -> Path:
    key = hashlib.sha1(str(Path(model_dir).resolve()).encode()).hexdigest()[:12]
    return Path(cache_dir) / "onnx" / f"{Path(model_dir).name}-{key}"


def source_fingerprint(model_dir: Path) -> dict[str, Any]:
    """What the export was made from: format, and size + mtime of each file defining the model."""
    files: dict[str, list[int]] = {}
    for name in _SOURCE_FILES:
        with contextlib.suppress(OSError):
            stat = (model_dir / name).stat()
            files[name] = [stat.st_size, stat.st_mtime_ns]
    return {"format": EXPORT_FORMAT, "opset": OPSET, "files": files}


@dataclass(frozen=True)
class Export:
    """A verified export: the ONNX file and its sha256, and its verified .ort copy when there is one."""

    path: Path
    sha256: str
    runtime: Path | None = None

    @property
    def load_path(self) -> Path:
        """The file a query session loads: the .ort copy when verified, else the .onnx."""
        return self.runtime or self.path


def _stat(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def load_export(model_dir: Path, cache_dir: Path) -> Export | None:
    """The cached export when it is current and intact; None when missing, stale or corrupt."""
    folder = export_folder(model_dir, cache_dir)
    try:
        record = json.loads((folder / "export.json").read_text(encoding="utf-8"))
        if record.get("source") != source_fingerprint(model_dir):
            log.info("ONNX export in %s is stale (the model changed); it will be made again", folder)
            return None
        path = folder / str(record["file"])
        if _stat(path) == record.get("verified_stat"):
            return Export(path, str(record["sha256"]), _verified_runtime(folder, record))
        digest = _sha256(path)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if digest != record.get("sha256"):
        log.warning("ONNX export %s does not match its checksum; it will be made again", path)
        return None
    with contextlib.suppress(OSError):  # verified as it is now: no need to hash it again on the next start
        _atomic_write(folder / "export.json", json.dumps({**record, "verified_stat": _stat(path)}, indent=2).encode())
    return Export(path, digest, _verified_runtime(folder, record))


def _verified_runtime(folder: Path, record: dict) -> Path | None:
    """The .ort copy named by the record when it was made from this .onnx and is intact, else None.

    Like the .onnx, it is hashed only when its size or mtime differ from the last verification."""
    runtime = record.get("ort")
    if not isinstance(runtime, dict) or runtime.get("from") != record.get("sha256"):
        return None
    try:
        path = folder / str(runtime["file"])
        if _stat(path) == runtime.get("verified_stat"):
            return path
        if _sha256(path) != runtime.get("sha256"):
            log.warning("ONNX Runtime copy %s does not match its checksum; it will be made again", path)
            return None
    except (OSError, KeyError, TypeError):
        return None
    with contextlib.suppress(OSError, ValueError):
        current = json.loads((folder / "export.json").read_text(encoding="utf-8"))
        if current.get("ort", {}).get("file") == runtime["file"]:
            current["ort"] = {**runtime, "verified_stat": _stat(path)}
            _atomic_write(folder / "export.json", json.dumps(current, indent=2).encode())
    return path


def install_runtime(model_dir: Path, cache_dir: Path, export: Export) -> Export:
    """Make the .ort copy of a verified export with onnxruntime (no torch; ~1 s) and record it."""
    import onnxruntime

    folder = export_folder(model_dir, cache_dir)
    partial = folder / f".runtime-{uuid.uuid4().hex}.ort"
    try:
        options = _session_options(onnxruntime)
        # EXTENDED, not ALL: ALL adds layout changes tied to this CPU; EXTENDED's outputs equal the .onnx session's
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.optimized_model_filepath = str(partial)
        options.add_session_config_entry("session.save_model_format", "ORT")
        onnxruntime.InferenceSession(str(export.path), options, providers=["CPUExecutionProvider"])
        data = partial.read_bytes()
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()
    digest = hashlib.sha256(data).hexdigest()
    target = folder / f"model-{digest[:16]}.ort"
    _atomic_write(target, data)
    record = json.loads((folder / "export.json").read_text(encoding="utf-8"))
    if record.get("sha256") != export.sha256:
        raise OSError(f"the export in {folder} changed while its ONNX Runtime copy was made")
    record["ort"] = {"file": target.name, "sha256": digest, "from": export.sha256, "verified_stat": _stat(target)}
    _atomic_write(folder / "export.json", json.dumps(record, indent=2).encode())
    for old in folder.glob("model-*.ort"):
        if old.name != target.name:
            with contextlib.suppress(OSError):
                old.unlink()  # a process that mapped it keeps its pages (POSIX)
    return Export(export.path, export.sha256, target)


def install_export(model_dir: Path, cache_dir: Path, data: bytes | None = None, like: Export | None = None) -> Export:
    """Store an export for `model_dir` under `cache_dir` (atomic; old files pruned): `data`, the ONNX
    bytes, or `like`, a verified export elsewhere (hard-linked when it can be, else copied)."""
    folder = export_folder(model_dir, cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    if data is None and like is None:
        raise ValueError("install_export needs the ONNX bytes or an export to copy")
    digest = hashlib.sha256(data).hexdigest() if data is not None else like.sha256  # type: ignore[union-attr]
    target = folder / f"model-{digest[:16]}.onnx"
    # always replaced, never trusted: a file of this name may be the corrupt one being repaired
    linked = data is None and like is not None and like.path != target and _link(like.path, target)
    if not linked:
        payload = data if data is not None else like.path.read_bytes()  # type: ignore[union-attr]
        if hashlib.sha256(payload).hexdigest() != digest:
            raise OSError(f"{like.path if like else target} changed while it was being copied")  # type: ignore[union-attr]
        _atomic_write(target, payload)
    record = {
        "file": target.name,
        "sha256": digest,
        "source": source_fingerprint(model_dir),
        "verified_stat": _stat(target),
    }
    _atomic_write(folder / "export.json", json.dumps(record, indent=2).encode())
    for old in folder.glob("model-*.onnx"):
        if old.name != target.name:
            with contextlib.suppress(OSError):
                old.unlink()  # a reader that already opened it keeps its bytes (POSIX)
    return Export(target, digest)


def _session_options(onnxruntime: Any) -> Any:
    options = onnxruntime.SessionOptions()
    # a query is a few dozen word pieces: one thread is fastest, and the box is shared
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return options


def export_model(model: Any) -> bytes:
    """ONNX bytes of the transformer of a loaded SentenceTransformer (imports torch; index time or first use)."""
    import inspect
    import tempfile
    import warnings

    import torch

    transformer = model[0].auto_model
    takes_types = "token_type_ids" in inspect.signature(transformer.forward).parameters
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if takes_types else [])

    class HiddenStates(torch.nn.Module):
        """Keyword-only call: transformers' positional order is not stable across versions."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *tensors: Any) -> Any:
            return self.inner(**dict(zip(names, tensors))).last_hidden_state

    example = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]], dtype=torch.long)
    inputs = (example, (example != 0).long()) + ((torch.zeros_like(example),) if takes_types else ())
    axes = {name: {0: "batch", 1: "length"} for name in [*names, "last_hidden_state"]}
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's tracer warnings are not for users
        out = Path(tmp) / "model.onnx"
        torch.onnx.export(
            HiddenStates(transformer).eval(),
            inputs,
            str(out),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )
        return out.read_bytes()


class OnnxEncoder:
    """Sentence embeddings from an ONNX export: tokenize, run, mean-pool over the mask, L2-normalise."""

    def __init__(self, export: Path | bytes, model_dir: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = _session_options(onnxruntime)
        if isinstance(export, Path) and export.suffix == ".ort":
            # map the file and use its weights in place instead of parsing and copying them
            options.add_session_config_entry("session.use_memory_mapped_ort_model", "1")
            options.add_session_config_entry("session.use_ort_model_bytes_for_initializers", "1")
        if not _prepack:
            options.add_session_config_entry("session.disable_prepacking", "1")
        source = str(export) if isinstance(export, Path) else export
        self.session = onnxruntime.InferenceSession(source, options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_seq_length(model_dir))
        self.tokenizer.no_padding()

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        encodings = self.tokenizer.encode_batch(list(texts))
        out: np.ndarray | None = None
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for at in range(0, len(order), 16):  # similar lengths together: little padding
            rows = order[at : at + 16]
            vectors = self._forward([encodings[i] for i in rows])
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
        return out if out is not None else np.zeros((0, 0), dtype=np.float32)

    def _forward(self, batch: list[Any]) -> np.ndarray:
        length = max(len(e.ids) for e in batch)
        feeds = {name: np.zeros((len(batch), length), dtype=np.int64) for name in self.inputs}
        for i, e in enumerate(batch):
            feeds["input_ids"][i, : len(e.ids)] = e.ids
            feeds["attention_mask"][i, : len(e.ids)] = 1
            if "token_type_ids" in feeds:
                feeds["token_type_ids"][i, : len(e.ids)] = e.type_ids
        hidden = self.session.run(["last_hidden_state"], feeds)[0]
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def _link(source: Path, target: Path) -> bool:
    """Hard-link `source` to `target` atomically; False when not possible (other file system, gone)."""
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
    try:
        os.link(source, partial)
        os.replace(partial, target)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()
        return False


def _atomic_write(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
    try:
        with open(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()

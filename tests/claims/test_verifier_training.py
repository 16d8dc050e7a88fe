"""The learned verifier's training data and loss weights (training/verifier/): faithful rewrites are not
a small minority, and the two classes weigh the same in the loss (issue 20, item 2)."""

from __future__ import annotations

import numpy as np

from training.verifier.build import loss_weights
from training.verifier.generate import generate
from training.verifier.sources import Document, Pair

SENTENCES = [
    "In abortion-prone mice, adipose MSCs lowered the abortion rate to 6% on day 4 of pregnancy.",
    "Umbilical cord MSCs significantly increased endometrial thickness in 12 patients with thin endometrium.",
    "After transplantation, bone marrow MSCs improved fertility in rats, while the control group showed no change.",
    "The study found that menstrual blood MSCs reduced fibrosis in 3 of 5 women with Asherman syndrome.",
]


def _docs() -> list[Document]:
    return [Document(name=f"doc-{i}", sentences=[text], authors=[]) for i, text in enumerate(SENTENCES)] + [
        Document(name="other", sentences=["Placental MSCs were given intravenously to Wistar rats."], authors=[])
    ]


def test_two_faithful_rewrites_per_sentence_when_asked():
    one = generate(_docs(), {}, seed=3, positives=1)
    two = generate(_docs(), {}, seed=3, positives=2)
    count = lambda pairs: sum(p.label for p in pairs)  # noqa: E731
    assert count(two) > count(one)
    for pair in (p for p in two if p.label == 1 and p.kind != "identity"):
        assert pair.claim != pair.evidence  # a rewrite really rewrites
    # never the same sentence twice as a positive of one kind
    keys = [(p.evidence, p.kind) for p in two if p.label == 1]
    assert len(keys) == len(set(keys))


def test_comparisons_in_words_are_reversed_as_lies():
    docs = [Document(name="a", sentences=["Adipose MSCs outperformed bone marrow MSCs in rats."], authors=[])]
    docs.append(Document(name="b", sentences=["Other text."], authors=[]))
    lies = {p.claim for seed in range(30) for p in generate(docs, {}, seed=seed) if p.kind == "antonym"}
    assert "Adipose MSCs matched bone marrow MSCs in rats." in lies


def _pair(label: int, source: str = "doc") -> Pair:
    return Pair("evidence", "claim", label, "kind", source)


def test_balanced_weights_give_each_class_the_same_total_in_each_group():
    pairs = [_pair(0)] * 6 + [_pair(1)] * 2 + [_pair(0, "")] * 3 + [_pair(1, "")] * 1
    weights = loss_weights(pairs, 1.5, balance=True)
    labels = np.array([p.label for p in pairs])
    generated = np.array([bool(p.source) for p in pairs])
    for group in (True, False):
        members = generated == group
        assert np.isclose(weights[members & (labels == 0)].sum(), weights[members & (labels == 1)].sum())
    # generated pairs still weigh more than public ones overall, as without balancing
    assert np.isclose(weights[generated].sum(), 1.5 * generated.sum())
    assert np.isclose(weights[~generated].sum(), (~generated).sum())


def test_unbalanced_weights_are_the_in_domain_weight_only():
    weights = loss_weights([_pair(0), _pair(1), _pair(0, "")], 1.5, balance=False)
    assert weights.tolist() == [1.5, 1.5, 1.0]

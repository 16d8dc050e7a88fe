"""How the evidence gate's thresholds trade refusals on external data: the calibration behind
`GATE` in `assistant/generation/gate.py`.

Every PubMedQA dev question is asked twice through the real retrieval and sentence selection: as
written (it must be answered) and with its gold abstract filtered out (it must be refused); every
COVID-QA question once (it must be answered). The gate's inputs are recorded once per question
(`ExtractiveResult.evidence`), and `evidence_gate` — the one rule — is then applied under each pair of
thresholds, so the table is what the pipeline would do with them. Refusals decided before the gate
(an unknown identifier, a name in no sentence) count at every setting; the answer-level verification
is not run (it can only add refusals).

Run: `python bench/helpers/gate_sweep.py --pubmedqa ../shared/benchmarks/pubmedqa --covidqa
../shared/benchmarks/covidqa` (indexes are cached as for `rsa-assistant eval answers`).
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass
from pathlib import Path

from assistant.evaluation.answers import load_answer_benchmark, prepare_assistant
from assistant.generation.extractive import select_sentences
from assistant.generation.gate import GATE, GateEvidence, GateThresholds, evidence_gate
from assistant.settings import Settings


@dataclass
class Judged:
    """One question's gate inputs, or its refusal by a rule before the gate."""

    expect_refusal: bool
    group: str
    evidence: GateEvidence | None
    refused_before_gate: bool

    def refused(self, settings: Settings, thresholds: GateThresholds) -> bool:
        if self.evidence is None:
            return self.refused_before_gate
        return bool(evidence_gate(self.evidence, settings, thresholds))


def judge(assistant, question: str, filters=None) -> tuple[GateEvidence | None, bool]:
    chain = assistant.chain
    retrieval = chain.retriever.retrieve(question, None, filters)
    result = select_sentences(
        question,
        question,
        retrieval.query_vector,
        retrieval.passages,
        chain.stats,
        chain.settings,
        filters=filters,
        lookup=chain.extractive.lookup,
    )
    return result.evidence, result.refused


def collect(settings: Settings, pubmedqa: Path, covidqa: Path) -> list[Judged]:
    judged: list[Judged] = []
    pubmed = load_answer_benchmark("pubmedqa", pubmedqa)
    assistant = prepare_assistant(settings, pubmed)
    sources = sorted({d.source.id for d in pubmed.documents})
    for q in pubmed.questions:
        judged.append(Judged(False, "pubmedqa", *judge(assistant, q.text)))
        others = {"source_id": [s for s in sources if s != q.gold_source]}
        judged.append(Judged(True, "pubmedqa-removed", *judge(assistant, q.text, others)))
    covid = load_answer_benchmark("covidqa", covidqa)
    assistant = prepare_assistant(settings, covid)
    for q in covid.questions:
        judged.append(Judged(False, f"covidqa-{q.split}", *judge(assistant, q.text)))
    return judged


def row(judged: list[Judged], settings: Settings, thresholds: GateThresholds) -> dict[str, float]:
    def refused_share(group: str) -> float:
        items = [j for j in judged if j.group == group]
        return sum(j.refused(settings, thresholds) for j in items) / max(len(items), 1)

    answerable, removed = refused_share("pubmedqa"), refused_share("pubmedqa-removed")
    precision = removed / (removed + answerable) if removed + answerable else 1.0  # equal group sizes
    return {
        "one_source": thresholds.one_source,
        "joint": thresholds.joint,
        "pubmedqa_precision": precision,
        "pubmedqa_recall": removed,
        "covidqa_dev_wrong": refused_share("covidqa-dev"),
        "covidqa_held_out_wrong": refused_share("covidqa-held-out"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pubmedqa", type=Path, required=True)
    parser.add_argument("--covidqa", type=Path, required=True)
    args = parser.parse_args()
    settings = Settings()
    judged = collect(settings, args.pubmedqa, args.covidqa)
    print("| one source | joint | PubMedQA precision | recall | COVID-QA dev wrong | held-out wrong |")
    print("| --- | --- | --- | --- | --- | --- |")
    for one_source, joint in itertools.product((0.4, 0.45, 0.5, 0.55), (0.3, 0.33, 0.35, 0.36, 0.37, 0.4)):
        r = row(judged, settings, GateThresholds(one_source, joint))
        mark = " (GATE)" if (one_source, joint) == (GATE.one_source, GATE.joint) else ""
        print(
            f"| {one_source:.2f}{mark} | {joint:.2f} | {r['pubmedqa_precision']:.3f} | {r['pubmedqa_recall']:.3f} | "
            f"{r['covidqa_dev_wrong']:.3f} | {r['covidqa_held_out_wrong']:.3f} |"
        )


if __name__ == "__main__":
    main()

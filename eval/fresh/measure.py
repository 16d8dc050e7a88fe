"""Measures the fresh batches (eval/fresh/*.yaml) once: lies caught / paraphrases kept, and the natural
questions' wrong refusals, expected facts and first sentences. Prints one JSON report.

Usage: python eval/fresh/measure.py [--out report.json] [--questions eval/dev/questions-dev.yaml]   (uses the index of the current settings; run
`rsa-assistant index` first). The first sentence is judged by a person reading the report: the script only
records it, with whether it holds an expected fact.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def measure_lies() -> dict:
    from assistant.evaluation.lies import evaluate

    summary = evaluate(HERE / "lies-fresh7.yaml")
    return {k: summary[k] for k in ("statements", "lies", "truths", "lie_catch_rate", "truth_keep_rate", "by_kind")}


def _has(text: str, spellings: list[str]) -> bool:
    low = text.lower()
    return any(s.lower() in low for s in spellings)


def measure_questions(path: Path = HERE / "questions-fresh.yaml") -> dict:
    from assistant.api import Assistant

    items = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    bot = Assistant()
    rows = []
    for item in items:
        answer = bot.answer(item["question"])
        first = answer.sentences[0].text if answer.sentences else answer.text.split("\n")[0]
        facts = [_has(answer.text, group) for group in item["facts"]]
        rows.append(
            {
                "id": item["id"],
                "question": item["question"],
                "answerable": item["answerable"],
                "refused": answer.refused,
                "facts_found": sum(facts),
                "facts": len(facts),
                "first_sentence": first,
                "first_has_fact": any(_has(first, g) for g in item["facts"]) if item["facts"] else None,
            }
        )
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    return {
        "questions": len(rows),
        "wrong_refusals": round(sum(r["refused"] for r in answerable) / len(answerable), 4),
        "answered_unanswerable": round(sum(not r["refused"] for r in unanswerable) / len(unanswerable), 4),
        "all_facts_in_answer": round(
            sum(r["facts_found"] == r["facts"] for r in answerable if not r["refused"]) / len(answerable), 4
        ),
        "first_sentence_has_fact": round(sum(bool(r["first_has_fact"]) for r in answerable) / len(answerable), 4),
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--questions", type=Path, help="measure only this question file (eval/dev/questions-dev.yaml: tunable)"
    )
    args = parser.parse_args()
    if args.questions:
        report = {"questions": measure_questions(args.questions)}
    else:
        report = {"lies": measure_lies(), "questions": measure_questions()}
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

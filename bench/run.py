"""Benchmarks: latency, scaling, indexing throughput, cold start, memory, and the LangChain tutorial baseline.

    python bench/run.py [--pubmedqa DIR] [--quick]     (or `make bench`)

Writes bench/results/bench.json and bench/results/bench.png. A script, not tests: timings depend on
the machine, so targets are reported (and compared in the README), never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
for _key, _value in {
    "HF_HUB_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "ANONYMIZED_TELEMETRY": "False",
    "TRANSFORMERS_VERBOSITY": "error",
}.items():
    os.environ.setdefault(_key, _value)

from helpers import baseline, cold, data, loaders, scale, verify  # noqa: E402

TARGETS = {
    "answer_p50_ms": ("<=", 15),
    "answer_p95_ms": ("<=", 100),
    "verify_p50_ms": ("<=", 10),
    "scale_100k_over_1k": ("<=", 2.0),
    "throughput_ratio": (">=", 0.85),
    "help_s": ("<=", 0.5),
    "ask_cold_s": ("<=", 1.0),
    # the same command's CPU time (user + system): what its wall time would be on an otherwise idle machine, at most
    "ask_cold_cpu_s": ("<=", 1.0),
    # CPU time over that of a process importing only numpy and onnxruntime, measured in the same run: absolute
    # times drift with the machine and its neighbours, the ratio much less (issue 22 item 15)
    "ask_cold_cpu_ratio": ("<=", 3.0),
    "help_cpu_ratio": ("<=", 1.5),
    "ask_peak_rss_mb": ("<=", 1200),
    # `python -X importtime` of an `ask`: the query path runs on onnxruntime, never torch, and the chain
    # runs its steps without langchain-core (cold.HEAVY_FOR_ASK)
    "ask_imports_torch": ("==", False),
    # hostile but legal corpus input (helpers/loaders.py): the larger size's CPU seconds, and doubling the input
    # costs at most ~3x (linear parsing and chunking, not quadratic)
    "medline_200k_continuations_s": ("<=", 2.0),
    "html_100k_nested_divs_s": ("<=", 1.0),
    "chunk_8m_char_word_s": ("<=", 30.0),
    "loaders_doubling_ratio": ("<=", 3.0),
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q
    low, high = int(position), min(int(position) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {"p50_ms": round(percentile(ms, 0.5), 2), "p95_ms": round(percentile(ms, 0.95), 2), "n": len(ms)}


def warm_latency(settings, questions: list[str]) -> dict:
    """Assistant.retrieve and Assistant.answer (extractive), each question once after a warm-up."""
    from assistant.api import Assistant

    assistant = Assistant(settings)
    for warm in ("What are mesenchymal stem cells?", "How is recurrent spontaneous abortion defined?"):
        assistant.answer(warm)
    retrieve, answer = [], []
    for question in questions:
        started = time.perf_counter()
        assistant.retrieve(question)
        retrieve.append(time.perf_counter() - started)
    # the embedder caches question vectors: without this, answer() would reuse retrieve()'s for free
    assistant.retriever.embedder.clear_cache()
    for question in questions:
        started = time.perf_counter()
        assistant.answer(question)
        answer.append(time.perf_counter() - started)
    return {"retrieve": summary_ms(retrieve), "answer": summary_ms(answer), "assistant": assistant}


def check_targets(results: dict) -> dict:
    figures = {
        "answer_p50_ms": results["warm"]["answer"]["p50_ms"],
        "answer_p95_ms": results["warm"]["answer"]["p95_ms"],
        "verify_p50_ms": results.get("verify", {}).get("p50_ms"),
        "verify_learned_added_p50_ms": results.get("verify", {}).get("learned_added_p50_ms"),
        "scale_100k_over_1k": results["scaling"].get("ratio_largest_over_smallest"),
        "throughput_ratio": results["throughput"]["ratio"],
        "help_s": results["cold"]["help_median_s"],
        "ask_cold_s": results["cold"]["ask_median_s"],
        "ask_cold_cpu_s": results["cold"].get("ask_cpu_median_s"),
        "ask_cold_cpu_ratio": results["cold"].get("ask_cpu_ratio"),
        "help_cpu_ratio": results["cold"].get("help_cpu_ratio"),
        "ask_peak_rss_mb": results["memory"]["ask_peak_rss_mb"],
        "ask_imports_torch": bool(results["cold"]["ask_heavy_imports"]),
        **_loader_figures(results.get("loaders")),
    }
    verdicts = {}
    for name, (op, target) in TARGETS.items():
        value = figures[name]
        if value is None:
            met = None
        elif op == "==":
            met = value == target
        else:
            met = value <= target if op == "<=" else value >= target
        verdicts[name] = {"value": value, "target": f"{op} {target}", "met": met}
    return verdicts


def _loader_figures(loader_results: dict | None) -> dict:
    if not loader_results:
        return dict.fromkeys(
            (
                "medline_200k_continuations_s",
                "html_100k_nested_divs_s",
                "chunk_8m_char_word_s",
                "loaders_doubling_ratio",
            )
        )
    return {
        "medline_200k_continuations_s": loader_results["medline_continuations"]["large_s"],
        "html_100k_nested_divs_s": loader_results["html_nested_divs"]["large_s"],
        "chunk_8m_char_word_s": loader_results["chunk_one_word"]["large_s"],
        "loaders_doubling_ratio": max(v["doubling_ratio"] for v in loader_results.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pubmedqa",
        type=Path,
        default=REPO.parent / "shared" / "benchmarks" / "pubmedqa",
        help="Folder with PubMedQA abstracts.jsonl (default: ../shared/benchmarks/pubmedqa).",
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="Passage counts for the scaling run.")
    parser.add_argument(
        "--throughput-abstracts", type=int, default=120, help="PubMedQA abstracts indexed for throughput."
    )
    parser.add_argument("--cold-runs", type=int, default=3, help="Runs of each cold-start command (median reported).")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--skip-ui", action="store_true", help="Skip the Streamlit memory measurement.")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="rsa-bench-"))
    started = time.perf_counter()
    results: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_start": os.getloadavg(),
        }
    }
    try:
        from assistant.indexing.build import build_index
        from assistant.settings import load_settings

        settings = load_settings(index_dir=work / "index", cache_dir=work / "cache", feedback_dir=work / "feedback")
        step("indexing the bundled corpus")
        results["bundled_build"] = build_index(settings).to_dict()
        items = data.eval_items(REPO / "eval" / "curated.yaml")
        questions = [item["question"] for item in items] or data.FALLBACK_QUESTIONS

        step("cold start and memory (subprocesses)")
        results["cold"], results["memory"] = cold.measure(settings, questions[0], args.cold_runs, skip_ui=args.skip_ui)

        step(f"warm latency over {len(questions)} questions")
        warm = warm_latency(settings, questions)
        assistant = warm.pop("assistant")
        results["warm"] = warm

        step("loaders and chunking on hostile input (MEDLINE continuations, nested HTML, one huge word)")
        results["loaders"] = loaders.measure()

        step("verification of 5-sentence answers (claim checks)")
        results["verify"] = verify.measure(assistant, questions)

        step("LangChain tutorial baseline")
        results["langchain"] = baseline.compare(settings, assistant, items, questions, work / "langchain")

        step("indexing throughput: build pipeline vs raw SentenceTransformer.encode")
        abstracts = data.load_abstracts(args.pubmedqa)
        results["throughput"] = scale.throughput(settings, abstracts[: args.throughput_abstracts], work / "throughput")

        step("retrieval at scale (synthetic passages from PubMedQA sentences)")
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        results["scaling"] = scale.scaling(
            settings, abstracts, results["throughput"].pop("_sentence_bank"), sizes, questions, work / "scale"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["machine"]["loadavg_end"] = os.getloadavg()
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["targets"] = check_targets(results)
    (args.out / "bench.json").write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    from helpers import plot

    plot.save(results, args.out / "bench.png")
    print(json.dumps(results["targets"], indent=2))
    print(f"wrote {args.out / 'bench.json'} and bench.png in {results['seconds']}s")


def step(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()

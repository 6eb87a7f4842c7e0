#!/usr/bin/env bash
# Matching quality on the real investments (README, "Matching quality"): tavolo eval on the
# tuning cut (2010-12-31, tested on 2011) and the reported cut (2011-12-31, tested on 2012),
# and an SVG chart of recall@k by method for the reported cut, drawn by gnuplot.
# usage: bench/quality.sh TAVOLO DATA_DIR OUT_DIR
# Writes OUT_DIR/quality-2010.json, quality-2011.json, quality-2011-active.json (investors with
# at least 5 companies only) and bench/quality.svg.
set -euo pipefail
tavolo=$1 data=$2 out=$3
cd "$(dirname "$0")/.."
ks=5,10,20,30,50,100
"$tavolo" eval --data "$data" --cutoff 2010-12-31 --k "$ks" --json > "$out/quality-2010.json"
"$tavolo" eval --data "$data" --cutoff 2011-12-31 --k "$ks" --json > "$out/quality-2011.json"
# The same, ranking only the investors that backed at least 5 companies before the cut.
"$tavolo" eval --data "$data" --cutoff 2011-12-31 --k "$ks" --min-companies 5 --json \
    > "$out/quality-2011-active.json"

# One table per group: k, then recall@k of each method.
/usr/bin/python3 - "$out/quality-2011.json" "$out" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
methods = ["tavolo", "content", "geography", "recent_popularity", "popularity", "random"]
for group in ("cold", "follow_on"):
    g = report["groups"][group]
    ks = sorted(int(key.split("@")[1]) for key in g["tavolo"] if key.startswith("recall@"))
    with open(f"{sys.argv[2]}/quality-{group}.dat", "w") as f:
        f.write("k " + " ".join(methods) + "\n")
        for k in ks:
            f.write(f"{k} " + " ".join(f"{g[m][f'recall@{k}']:.5f}" for m in methods) + "\n")
PY
gnuplot <<GP
set terminal svg size 960,420 dynamic font "sans,12" noenhanced
set output "bench/quality.svg"
set multiplot layout 1,2 title "Recall@k on 2012 rounds, fitted on investments to 2011-12-31 (Data: CrunchBase 2013)"
set xlabel "k (investors shown per company)"
set ylabel "recall@k"
set key top left noenhanced
set grid
set yrange [0:*]
do for [g in "cold follow_on"] {
    set title (g eq "cold" ? "cold start (first round)" : "follow-on, new investors only")
    plot for [c=2:7] "$out/quality-".g.".dat" using 1:c with linespoints lw 2 title columnhead(c)
}
unset multiplot
GP

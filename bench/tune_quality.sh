#!/usr/bin/env bash
# How the matching defaults of fixtures/match.json that the investments data can inform were
# chosen: grids on the tuning cut 2010-12-31 (tested on 2011) only; the cut 2011-12-31 is
# never looked at here. The rule: the highest sum of cold-start and follow-on recall@20. Prints one line per setting: the settings, then tavolo's cold-start
# recall@20, follow-on recall@20 and cold-start MRR.
# usage: bench/tune_quality.sh TAVOLO DATA_DIR
set -euo pipefail
tavolo=$1 data=$2
cut=2010-12-31

measure() {
    "$tavolo" eval --data "$data" --cutoff "$cut" --json "$@" | /usr/bin/python3 -c '
import json, sys
g = json.load(sys.stdin)["groups"]
print("%.4f %.4f %.4f" % (g["cold"]["tavolo"]["recall@20"], g["follow_on"]["tavolo"]["recall@20"],
                          g["cold"]["tavolo"]["mrr"]))'
}

echo "# grid 1: locality activity.share activity.exponent syndicate -> cold@20 follow_on@20 cold_mrr"
for loc in 0.12 0.3 0.6 1.0; do for share in 0.5 0.8 1; do for ex in 0.3 0.5 1; do
    for syn in 0.08 0.3; do
        echo "$loc $share $ex $syn $(measure --set weights.locality=$loc --set activity.share=$share \
            --set activity.exponent=$ex --set weights.syndicate=$syn)"
    done
done; done; done
echo "# grid 2 (locality 1.0, share 0.8, syndicate 0.3): half_life taxonomy ticket round exponent -> ..."
for hl in 1 2 4 8; do for tx in 0.05 0.3; do for tk in 0.12 0.4; do for rd in 0.06 0.3; do
    for ex in 0.5 1; do
        echo "$hl $tx $tk $rd $ex $(measure --set weights.locality=1.0 --set activity.share=0.8 \
            --set weights.syndicate=0.3 --set activity.half_life_years=$hl \
            --set weights.taxonomy=$tx --set weights.ticket=$tk --set weights.round=$rd \
            --set activity.exponent=$ex)"
    done
done; done; done; done
echo "# grid 3 (share 0.8, syndicate 0.3, taxonomy 0.3, round 0.06): locality ticket half_life exponent -> ..."
for loc in 0.5 1.0; do for tk in 0.3 0.4; do for hl in 1 8; do for ex in 0.5 1; do
    echo "$loc $tk $hl $ex $(measure --set weights.locality=$loc --set weights.ticket=$tk \
        --set activity.half_life_years=$hl --set activity.exponent=$ex --set activity.share=0.8 \
        --set weights.syndicate=0.3 --set weights.taxonomy=0.3 --set weights.round=0.06)"
done; done; done; done
# Grids 1-3 chose the defaults before profiles had a state (subdivision) and before the
# portfolio block existed; grids 4-6 then chose what those added, each on top of the defaults
# of fixtures/match.json as they stand, by the same rule. Hashed widths stop at 128: every
# slot is a dimension of every vector, paid in each product.
echo "# grid 4: locality_subdivision weights.locality locality_width -> ..."
for sub in 0 0.3 0.5 0.7 1.0; do for loc in 0.5 1.0 1.5 2.0; do for lw in 64 128; do
    echo "$sub $loc $lw $(measure --set weights.portfolio=0 --set activity.half_life_years=1 \
        --set locality_subdivision=$sub --set weights.locality=$loc --set locality_width=$lw)"
done; done; done
echo "# grid 5: weights.portfolio portfolio.width portfolio.ticket_bands -> ..."
for pw in 0 0.25 0.5 1 2 4; do for w in 64 128; do for tb in 4 6 8 10; do
    echo "$pw $w $tb $(measure --set activity.half_life_years=1 --set weights.portfolio=$pw \
        --set portfolio.width=$w --set portfolio.ticket_bands=$tb)"
done; done; done
echo "# grid 6: activity.half_life_years activity.share weights.ticket portfolio.subdivision -> ..."
for hl in 1 2 3 4; do for share in 0.7 0.8 0.9; do for tk in 0.2 0.4; do for ps in 1 2 4 100; do
    echo "$hl $share $tk $ps $(measure --set activity.half_life_years=$hl \
        --set activity.share=$share --set weights.ticket=$tk --set portfolio.subdivision=$ps)"
done; done; done; done

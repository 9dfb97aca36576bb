#!/usr/bin/env python3
"""Independent reference values for scoring's tests (plain Python 3, no numpy/scipy).

    python3 reference.py             # print the reference values for sample40.csv
    python3 reference.py --generate  # rewrite sample40.csv (seeded; only to recreate it)

This is deliberately a different method from the Go code: scores are computed per
respondent as floats straight from the spec's formulas (not in integer units), means,
standard deviations and variances come from Python's statistics module (exact
rational arithmetic, two-pass), and the Student t quantile is found by bisection on a
Simpson-rule integral of the t density, checked against the printed table value.
"""
import csv
import math
import os
import random
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CSV = os.path.join(HERE, "sample40.csv")
KEYS = "ICARE"
SLUGS = ["ideal", "culture", "attentiveness", "responsiveness", "empowerment"]
IDS = [f"{k}{j}" for k in KEYS for j in range(1, 6)]
# The reverse-keyed items of icare-v1 (one per key).
REVERSE = {"I4", "C4", "A4", "R3", "E4"}


def generate():
    rng = random.Random(20270101)
    rows = []
    for r in range(40):
        trait = rng.gauss(0, 1)
        row = {}
        for k in KEYS:
            key_trait = trait + rng.gauss(0, 0.6)
            for j in range(1, 6):
                iid = f"{k}{j}"
                x = 3.4 + 0.9 * key_trait + rng.gauss(0, 0.7)
                ans = min(5, max(1, round(x)))
                if iid in REVERSE:
                    ans = 6 - ans
                row[iid] = str(ans)
        rows.append(row)
    # Skipped items: one in A (A still defined, not complete), two in R (R
    # missing, so is the index), one in E, and one respondent with three skips in C.
    rows[3]["A2"] = ""
    rows[7]["R1"] = ""
    rows[7]["R4"] = ""
    rows[11]["E5"] = ""
    rows[19]["C1"] = rows[19]["C2"] = rows[19]["C5"] = ""
    with open(CSV, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=IDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def t_pdf(x, nu):
    c = math.exp(math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2)) / math.sqrt(nu * math.pi)
    return c * (1 + x * x / nu) ** (-(nu + 1) / 2)


def t_cdf_upper_from_zero(x, nu, n=20000):
    # integral of the density from 0 to x, composite Simpson rule
    h = x / n
    s = t_pdf(0, nu) + t_pdf(x, nu)
    for i in range(1, n):
        s += (4 if i % 2 else 2) * t_pdf(i * h, nu)
    return s * h / 3


def t_quantile_975(nu):
    lo, hi = 0.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if 0.5 + t_cdf_upper_from_zero(mid, nu) < 0.975:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def main():
    if "--generate" in sys.argv:
        generate()
    with open(CSV, newline="") as f:
        rows = list(csv.DictReader(f))
    print(f"respondents {len(rows)}")
    tcache = {}
    index_values = []
    per_resp_scores = []
    for row in rows:
        scores = {}
        for k in KEYS:
            item_scores = []
            for j in range(1, 6):
                iid = f"{k}{j}"
                if row[iid] == "":
                    continue
                a = int(row[iid])
                item_scores.append(6 - a if iid in REVERSE else a)
            if len(item_scores) >= 4:
                mean = sum(item_scores) / len(item_scores)
                scores[k] = (mean - 1) / 4 * 100
        per_resp_scores.append(scores)
        if len(scores) == 5:
            index_values.append(sum(scores.values()) / 5)

    def describe(label, xs):
        n = len(xs)
        m = statistics.fmean(xs)
        sd = statistics.stdev(xs)
        if n - 1 not in tcache:
            tcache[n - 1] = t_quantile_975(n - 1)
        t = tcache[n - 1]
        half = t * sd / math.sqrt(n)
        print(f"{label:15s} n={n} mean={m:.12f} sd={sd:.12f} ci=[{m - half:.12f}, {m + half:.12f}]")

    for k, slug in zip(KEYS, SLUGS):
        xs = [s[k] for s in per_resp_scores if k in s]
        describe(slug, xs)
        # favorable: pooled over every answered item of the key
        fav = tot = 0
        for row in rows:
            for j in range(1, 6):
                iid = f"{k}{j}"
                if row[iid] == "":
                    continue
                a = int(row[iid])
                sc = 6 - a if iid in REVERSE else a
                tot += 1
                fav += sc >= 4
        # Cronbach's alpha over respondents with all five items answered
        complete = []
        for row in rows:
            if all(row[f"{k}{j}"] != "" for j in range(1, 6)):
                complete.append([6 - int(row[f"{k}{j}"]) if f"{k}{j}" in REVERSE else int(row[f"{k}{j}"]) for j in range(1, 6)])
        item_var = sum(statistics.variance([c[j] for c in complete]) for j in range(5))
        total_var = statistics.variance([sum(c) for c in complete])
        alpha = 5 / 4 * (1 - item_var / total_var)
        print(f"{'':15s} favorable_pct={100 * fav / tot:.12f} complete={len(complete)} alpha={alpha:.12f}")
    describe("icare_index", index_values)
    for df, t in sorted(tcache.items()):
        print(f"t(0.975, {df}) = {t:.9f}")


if __name__ == "__main__":
    main()

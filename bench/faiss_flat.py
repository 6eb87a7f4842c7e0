#!/usr/bin/python3
"""FAISS baseline of bench/bench_score.c: exact inner-product search (IndexFlatIP).

Usage: faiss_flat.py DIR N M D K [REPS]

Reads DIR/companies.f32 (N x D) as the database and DIR/investors.f32 (M x D) as the
queries, raw little-endian float32, row-major, exactly as tavolo scored them. Times only
index.search of all queries (best of REPS, default 3; tavolo runs it once per round, after an
untimed warm-up search of 256 queries), writes the top-K company indices of the first 100
queries to DIR/faiss_top.i64 (int64, row-major) and prints one JSON object on stdout.
Threads come from the environment (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS), set by the
caller. Run it with Debian's /usr/bin/python3, where python3-faiss and python3-numpy live.
"""
import json
import os
import sys
import time


def main():
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__)
    d = sys.argv[1]
    n, m, dim, k = (int(a) for a in sys.argv[2:6])
    reps = int(sys.argv[6]) if len(sys.argv) == 7 else 3
    try:
        import faiss
        import numpy as np
    except ImportError as e:
        print(json.dumps({"error": f"import failed: {e}"}))
        return
    xb = np.fromfile(os.path.join(d, "companies.f32"), dtype="<f4").reshape(n, dim)
    xq = np.fromfile(os.path.join(d, "investors.f32"), dtype="<f4").reshape(m, dim)
    index = faiss.IndexFlatIP(dim)
    index.add(xb)
    # Untimed warm-up, so that each timed search finds OpenBLAS's and OpenMP's threads started.
    index.search(xq[: min(m, 256)], k)
    times = []
    top = None
    for _ in range(reps):
        t0 = time.perf_counter()
        _, top = index.search(xq, k)
        times.append(time.perf_counter() - t0)
    top[: min(100, m)].astype("<i8").tofile(os.path.join(d, "faiss_top.i64"))
    times.sort()
    print(json.dumps({
        "faiss_version": faiss.__version__,
        "omp_threads": faiss.omp_get_max_threads(),
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "seconds_best": times[0],
        "seconds_median": times[len(times) // 2],
        "seconds_all": times,
    }))


if __name__ == "__main__":
    main()

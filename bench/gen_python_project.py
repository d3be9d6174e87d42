"""Writes a Python training project of N files into DIR for bench/run_all.sh context: train.py
imports a package of N-1 modules (models, losses, data, utils) that use numpy and scikit-learn and
the functions of the paper's Table 1. Nothing heavy runs."""
import os
import sys

root, n = sys.argv[1], int(sys.argv[2])
pkg = os.path.join(root, "mlproj")
os.makedirs(pkg, exist_ok=True)
open(os.path.join(pkg, "__init__.py"), "w").write("")
mods = []
for i in range(n - 2):
    name = f"mod{i:02d}"
    mods.append(name)
    body = [
        "import math",
        "import numpy as np",
        "from sklearn.linear_model import LogisticRegression, SGDClassifier",
        f"from mlproj import {mods[i - 1]}" if i else "",
        "",
        f"def model_{i}(x):",
        "    clf = LogisticRegression(penalty='l2', C=1.0)" if i % 3 == 0 else
        "    clf = SGDClassifier(loss='hinge', alpha=1e-4)" if i % 3 == 1 else
        "    clf = SGDClassifier(loss='log_loss', penalty='l1')",
        "    return clf, np.tanh(x) + math.sqrt(2)",
        "",
    ] + [f"def helper_{i}_{k}(a, b):\n    return a * {k} + b\n" for k in range(20)]
    open(os.path.join(pkg, name + ".py"), "w").write("\n".join(body))
# The imports sit behind a flag so the bare run stays fast and steady (importing scikit-learn
# takes a second): trail's scan reads them either way, as it reads any import in the sources.
open(os.path.join(root, "train.py"), "w").write(
    "import json, os\n"
    "if os.environ.get('BENCH_REALLY_TRAIN'):\n"
    + "".join(f"    import mlproj.{m}\n" for m in mods[-5:])
    + "print('trained')\n")

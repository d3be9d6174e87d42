"""Logistic regression by mini-batch gradient descent: the paper's "Logistics.py".

A real training script that knows nothing about trail's library: it takes its
hyper-parameters as command-line options (which `trail run` records as params)
and reports per-epoch metrics through trail's line protocol, one JSON object
per line appended to the file named by $TRAIL_METRICS. Run standalone it just
prints. Data: the breast-cancer data set that ships inside scikit-learn (no
download).
"""
import argparse
import json
import os
import sys

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split


def log_loss(y, p):
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--epochs", type=int, default=50)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--l2", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", help="a CSV with a header; the last column is the 0/1 target")
    ap.add_argument("--model-out", help="where to save the trained weights (.npz)")
    args = ap.parse_args()

    if args.data:
        table = np.loadtxt(args.data, delimiter=",", skiprows=1)
        x, y = table[:, :-1], table[:, -1]
    else:
        x, y = load_breast_cancer(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.2, random_state=args.seed, stratify=y)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0) + 1e-9
    x_train, x_val = (x_train - mean) / std, (x_val - mean) / std

    rng = np.random.default_rng(args.seed)
    w = np.zeros(x.shape[1])
    b = 0.0
    sigmoid = lambda z: 1.0 / (1.0 + np.exp(-z))
    metrics_path = os.environ.get("TRAIL_METRICS")
    sink = open(metrics_path, "a", buffering=1) if metrics_path else None

    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(len(x_train))
        for start in range(0, len(order), args.batch_size):
            idx = order[start:start + args.batch_size]
            p = sigmoid(x_train[idx] @ w + b)
            grad = p - y_train[idx]
            w -= args.lr * (x_train[idx].T @ grad / len(idx) + args.l2 * w)
            b -= args.lr * float(grad.mean())
        p_train, p_val = sigmoid(x_train @ w + b), sigmoid(x_val @ w + b)
        row = {
            "epoch": epoch,
            "loss": log_loss(y_train, p_train),
            "val_loss": log_loss(y_val, p_val),
            "accuracy": float(np.mean((p_train > 0.5) == y_train)),
            "val_accuracy": float(np.mean((p_val > 0.5) == y_val)),
        }
        if sink:
            sink.write(json.dumps(row) + "\n")
        if epoch % 10 == 0 or epoch == args.epochs:
            print(f"Epoch {epoch}/{args.epochs} - loss: {row['loss']:.4f} - accuracy: {row['accuracy']:.4f}"
                  f" - val_loss: {row['val_loss']:.4f} - val_accuracy: {row['val_accuracy']:.4f}")
    print(f"final validation accuracy {row['val_accuracy']:.4f}", file=sys.stderr)
    if args.model_out:
        os.makedirs(os.path.dirname(args.model_out) or ".", exist_ok=True)
        np.savez(args.model_out, w=w, b=b, mean=mean, std=std)


if __name__ == "__main__":
    main()

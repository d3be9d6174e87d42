"""The paper's "Logistics.py" again, this time reporting through trail's Python client.

train.py beside it needs no library (it writes the $TRAIL_METRICS protocol, so it is recorded
only under `trail run`). This one imports trail, so it is recorded either way:

    trail run -- python3 examples/logistic/train_client.py --lr 0.05   # joins the run trail records
    python3 examples/logistic/train_client.py --lr 0.05                 # starts a run by itself

Model: logistic regression (scikit-learn's SGDClassifier with the log loss) trained epoch by
epoch with partial_fit on the breast-cancer data that ships inside scikit-learn; per-epoch
training and validation loss and accuracy; the fitted model saved as an artifact.
"""
import argparse
import os

import joblib
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import trail


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--l2", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model", default="models/logistic.joblib")
    args = ap.parse_args()

    x, y = load_breast_cancer(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.2, random_state=args.seed, stratify=y)
    scaler = StandardScaler().fit(x_train)
    x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
    model = SGDClassifier(loss="log_loss", penalty="l2", alpha=args.l2, learning_rate="constant", eta0=args.lr,
                          random_state=args.seed)

    with trail.start_run(params=vars(args)) as run:
        print(f"trail run {run.id}")
        for epoch in range(1, args.epochs + 1):
            model.partial_fit(x_train, y_train, classes=np.array([0, 1]))
            row = {
                "loss": log_loss(y_train, model.predict_proba(x_train)),
                "val_loss": log_loss(y_val, model.predict_proba(x_val)),
                "accuracy": model.score(x_train, y_train),
                "val_accuracy": model.score(x_val, y_val),
            }
            trail.log_metrics(row, step=epoch)
            if epoch % 10 == 0 or epoch == args.epochs:
                print(f"Epoch {epoch}/{args.epochs} - loss: {row['loss']:.4f} - val_loss: {row['val_loss']:.4f}"
                      f" - val_accuracy: {row['val_accuracy']:.4f}")
        os.makedirs(os.path.dirname(args.model) or ".", exist_ok=True)
        joblib.dump({"scaler": scaler, "model": model}, args.model)
        trail.log_artifact(args.model, role="model")


if __name__ == "__main__":
    main()

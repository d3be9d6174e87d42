"""A small PyTorch MLP on scikit-learn's bundled digits data (8x8 images, 10 classes; no download),
logging training and validation loss and accuracy per epoch with trail's Python client.

    trail run -- python3 examples/torch_mlp/train.py --epochs 20     # joins the run trail records
    python3 examples/torch_mlp/train.py --epochs 20                   # starts a run by itself

Either way the run gets the params (the command's own --options under trail run; here also
start_run's params), the optimizer, loss and activations read from the live objects, the
parameter count, per-epoch metrics and the final state_dict checkpoint as an artifact.
"""
import argparse

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

import trail
import trail.torch


class MLP(nn.Module):
    def __init__(self, inputs, hidden, classes, dropout):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(inputs, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, classes))

    def forward(self, x):
        return self.net(x)


def evaluate(model, loss_fn, x, y):
    model.eval()
    with torch.no_grad():
        logits = model(x)
        return loss_fn(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--checkpoint", default="checkpoints/mlp.pt")
    args = ap.parse_args()
    torch.manual_seed(args.seed)

    x, y = load_digits(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(x / 16.0, y, test_size=0.2, random_state=args.seed, stratify=y)
    x_train, x_val = torch.tensor(x_train, dtype=torch.float32), torch.tensor(x_val, dtype=torch.float32)
    y_train, y_val = torch.tensor(y_train), torch.tensor(y_val)

    model = MLP(x_train.shape[1], args.hidden, 10, args.dropout)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()

    with trail.start_run(params=vars(args)) as run:
        print(f"trail run {run.id}")
        trail.torch.log_model(model, optimizer, loss_fn, example_input=x_train[:1])
        for epoch in range(1, args.epochs + 1):
            model.train()
            order = torch.randperm(len(x_train))
            total = 0.0
            for start in range(0, len(order), args.batch_size):
                idx = order[start:start + args.batch_size]
                optimizer.zero_grad()
                loss = loss_fn(model(x_train[idx]), y_train[idx])
                loss.backward()
                optimizer.step()
                total += loss.item() * len(idx)
            train_loss = total / len(x_train)
            val_loss, val_acc = evaluate(model, loss_fn, x_val, y_val)
            trail.log_metrics({"loss": train_loss, "val_loss": val_loss, "val_accuracy": val_acc}, step=epoch)
            trail.torch.log_learning_rate(optimizer, step=epoch)
            print(f"epoch {epoch}/{args.epochs} loss {train_loss:.4f} val_loss {val_loss:.4f} val_accuracy {val_acc:.4f}")
        trail.torch.save_checkpoint(model, args.checkpoint)
    print(f"final validation accuracy {val_acc:.4f}")


if __name__ == "__main__":
    main()

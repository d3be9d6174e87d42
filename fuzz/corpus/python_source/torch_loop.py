import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self, hidden=128, p=0.5):
        super().__init__()
        self.fc1 = nn.Linear(784, hidden)
        self.act = nn.LeakyReLU(0.01)
        self.drop = nn.Dropout(p)
        self.fc2 = nn.Linear(hidden, 10)

    def forward(self, x):
        x = self.drop(self.act(self.fc1(x)))
        return F.log_softmax(self.fc2(x), dim=1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--optimizer", default="adam")  # a default, not a keyword a framework reads
    args = parser.parse_args()
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    data = TensorDataset(torch.randn(256, 784), torch.randint(0, 10, (256,)))
    for xb, yb in DataLoader(data, batch_size=32, shuffle=True):
        opt.zero_grad()
        loss = F.nll_loss(model(xb), yb)
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main()

import os
import sys

import torch
from torch.utils.tensorboard import SummaryWriter

from model import ConvNet, make_loss
from utils.data import make_loader
import utils.metrics as metrics


def main():
    net = ConvNet()
    criterion = make_loss()
    opt = torch.optim.Adagrad(net.parameters(), lr=0.01)
    writer = SummaryWriter(os.environ.get("LOGDIR", "runs"))
    for x, y in make_loader():
        loss = criterion(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        writer.add_scalar("acc", metrics.accuracy(net(x), y))
    sys.exit(0)


if __name__ == "__main__":
    main()

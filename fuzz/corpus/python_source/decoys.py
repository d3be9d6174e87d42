"""Experiment runner.

Usage notes mention nn.ReLU(), tf.keras.optimizers.Adam and loss='mse';
none of it is code.
"""
import torch
from torch import nn
from torch.optim import Adam  # shadowed by our own Adam below

# optimizer = torch.optim.RMSprop(model.parameters())
HELP = '''
    model.compile(optimizer="sgd", loss="hinge")
    nn.Sigmoid()
'''
LOG_FORMAT = f"loss={{loss}} optimizer={'adam'} {nn.__name__!r:>10}"


class Adam:
    """Our own optimizer that happens to share the name."""

    def __init__(self, params, lr=0.01):
        self.params = list(params)
        self.lr = lr


def relu(x):
    return x.clamp(min=0)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return relu(self.fc(x))


model = Block()
opt = Adam(model.parameters())
settings = {"loss_name": "mse", "note": "activation='relu'"}
print("optimizer='adam'", HELP, LOG_FORMAT, settings, torch.__version__)
criterion = nn.MSELoss()

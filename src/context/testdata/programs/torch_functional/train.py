"""Binary classifier in the functional style.

Decoys: nn.MSELoss() and optimizer='sgd' in this docstring do not count,
nor does the string below.
"""
import torch
from torch import nn, optim
import torch.nn.functional as F

NOTE = "we tried F.mse_loss and torch.optim.RMSprop before"


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(20, 64)
        self.l2 = nn.Linear(64, 1)

    def forward(self, x):
        h = F.gelu(self.l1(x))
        h = F.dropout(h, p=0.1, training=self.training)
        return self.l2(h)


model = Tiny()
optimizer = optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)
for step in range(100):
    x = torch.randn(32, 20)
    y = (x.sum(dim=1, keepdim=True) > 0).float()
    logits = model(x)
    loss = F.binary_cross_entropy_with_logits(logits, y)
    prob = torch.sigmoid(logits)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

# -*- coding: utf-8 -*-
import torch.nn.functional as F; from torch import optim as O
def f(x): return F.gelu(x) if x else F.leaky_relu(x, 0.1)
msg = f"{'nested' + f"{x!r:>{width}}"} and {d["loss"]}"
raw = rb'\d+' + Rb"""
multi ''' line
""" + t"template {x}"
value = (1 +
         2) \
    + 3
opt = O.AdamW(params, lr=1e-3, weight_decay=0.01); crit = torch.nn.CrossEntropyLoss(label_smoothing=0.1)
lam = lambda z: z ** 2 ; n = 0x1F + 1_000 + 3j + 1e-4 + .5 + 0o17 + 0b1010
class Net(torch.nn.Module): pass
x := 5

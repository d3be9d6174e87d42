from typing import Sequence

import flax.linen as nn


class MLP(nn.Module):
    features: Sequence[int]

    @nn.compact
    def __call__(self, x):
        for f in self.features[:-1]:
            x = nn.relu(nn.Dense(f)(x))
            x = nn.Dropout(rate=0.1, deterministic=True)(x)
        return nn.Dense(self.features[-1])(x)

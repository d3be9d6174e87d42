import jax
import jax.numpy as jnp
import optax
from flax import linen as nn

from .nets import MLP
from pkg import losses


def main():
    model = MLP(features=[64, 10])
    params = model.init(jax.random.PRNGKey(0), jnp.ones((1, 784)))
    tx = optax.adamw(learning_rate=1e-3, weight_decay=1e-4)
    state = tx.init(params)
    logits = model.apply(params, jnp.ones((8, 784)))
    loss = losses.xent(logits, jnp.zeros(8, dtype=jnp.int32))
    return state, loss, nn


if __name__ == "__main__":
    main()

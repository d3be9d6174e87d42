import random, time
import numpy as np
import torch
from torch import manual_seed as ms
import tensorflow as tf
from sklearn.model_selection import train_test_split

rng = random.Random(int(time.time()))
rng.seed(3)
np.random.seed(42)
gen = np.random.default_rng()
ms(*sys.argv[1:])
torch.cuda.manual_seed_all(seed=cfg["seed"] + rank)
tf.random.set_seed(**kw)
env.seed(1)
X_train, X_test = train_test_split(X, random_state=7)
def fit(X, random_state=None):
    return seed_everything(random_state)

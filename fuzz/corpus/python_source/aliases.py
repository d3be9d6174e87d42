import keras
from keras import layers, losses as L, optimizers as opt
from keras.optimizers import Adam as MyAdam
import tensorflow as tensor_flow
from tensorflow.keras import activations as acts
import torch.nn as tnn
import sklearn.linear_model as lm

model = keras.Sequential([
    layers.Dense(32, activation=acts.selu),
    layers.Dense(32, activation=tensor_flow.nn.swish),
    layers.Dense(1),
])
model.compile(optimizer=MyAdam(1e-3), loss=L.MeanAbsoluteError())
backup = opt.Nadam()
alt_loss = L.LogCosh()
head = tnn.Softsign()
baseline = lm.Lasso(alpha=0.01)
nn = None  # not torch here: a name of our own

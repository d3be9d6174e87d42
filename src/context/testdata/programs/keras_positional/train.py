"""Binary classification, after the Keras example "Text classification from scratch"
(model.compile with positional arguments)."""
import re

import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

TOKEN = re.compile("adam|sgd")  # a regular expression, not an optimizer

inputs = keras.Input(shape=(None,), dtype="int64")
x = layers.Embedding(20000, 128)(inputs)
x = layers.GlobalMaxPooling1D()(x)
x = layers.Dense(128, activation="relu")(x)
predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
model = keras.Model(inputs, predictions)

model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
model.fit(np.zeros((8, 4)), np.zeros(8), epochs=1)

"""Train a small MLP on MNIST with the Sequential API.

Decoy in the docstring: model.compile(optimizer='sgd', loss='hinge')
"""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.reshape(-1, 784).astype("float32") / 255.0

model = keras.Sequential([
    layers.Dense(256, activation='relu', input_shape=(784,)),
    layers.Dropout(0.2),
    layers.Dense(128, activation="relu"),
    layers.Dense(10, activation='softmax'),
])
# model.compile(optimizer='rmsprop', loss='mse')  -- the old setting, kept for reference
model.compile(optimizer='adam',
              loss='sparse_categorical_crossentropy',
              metrics=['accuracy'])
model.fit(x_train, y_train, epochs=5, batch_size=32, validation_split=0.1)
print("done: loss='mse' is not used", np.mean(tf.zeros(3)))

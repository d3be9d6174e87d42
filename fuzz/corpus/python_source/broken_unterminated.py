import tensorflow as tf
model.compile(optimizer="rmsprop", loss="categorical_crossentropy"
x = """never closed
import torch
torch.nn.Softmax(

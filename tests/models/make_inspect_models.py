#!/usr/bin/python3
"""Writes the model files tests/integration/test_models.py uses (run by the tests into a temp dir).

  safetensors OUT [--seed N] [--scale X] [--extra]
      a small two-layer model in the published safetensors layout (u64 header length, JSON
      header, little-endian C-order data), written with numpy: fc1.weight [16, 8], fc1.bias [16],
      fc2.weight [4, 16], fc2.bias [4], all float32, from a fixed seed; every value times --scale;
      --extra adds head.weight [2, 4].
  keras-h5 OUT
      a Keras HDF5 model written with h5py in Keras's documented layout (model_config and
      training_config attributes, model_weights/<layer>/<layer>/kernel:0): Dense(8, relu) ->
      Dense(3, softmax), compiled with Adam and categorical_crossentropy.
"""
import argparse
import json
import struct

import numpy as np


def safetensors(out, seed=0, scale=1.0, extra=False):
    rng = np.random.default_rng(seed)
    tensors = {
        "fc1.weight": rng.standard_normal((16, 8)),
        "fc1.bias": rng.standard_normal(16),
        "fc2.weight": rng.standard_normal((4, 16)),
        "fc2.bias": rng.standard_normal(4),
    }
    if extra:
        tensors["head.weight"] = rng.standard_normal((2, 4))
    header, data = {"__metadata__": {"format": "pt"}}, b""
    for name, values in tensors.items():
        raw = (values * scale).astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(values.shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    with open(out, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def keras_h5(out):
    import h5py
    layers = [
        {"class_name": "InputLayer", "config": {"name": "input_1", "batch_input_shape": [None, 4],
                                                "dtype": "float32"}},
        {"class_name": "Dense", "config": {"name": "dense", "units": 8, "activation": "relu",
                                           "use_bias": True}},
        {"class_name": "Dense", "config": {"name": "dense_1", "units": 3, "activation": "softmax",
                                           "use_bias": True}},
    ]
    model_config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}
    training_config = {"loss": "categorical_crossentropy", "metrics": ["accuracy"],
                       "optimizer_config": {"class_name": "Adam",
                                            "config": {"name": "Adam", "learning_rate": 0.001}}}
    rng = np.random.default_rng(1)
    with h5py.File(out, "w") as f:
        f.attrs["keras_version"] = "2.12.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(model_config)
        f.attrs["training_config"] = json.dumps(training_config)
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = np.array([b"input_1", b"dense", b"dense_1"])
        weights.attrs["keras_version"] = "2.12.0"
        weights.attrs["backend"] = "tensorflow"
        weights.create_group("input_1").attrs["weight_names"] = np.array([], dtype="S1")
        for name, shape in (("dense", (4, 8)), ("dense_1", (8, 3))):
            g = weights.create_group(name)
            g.attrs["weight_names"] = np.array([f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()])
            inner = g.create_group(name)
            inner.create_dataset("kernel:0", data=rng.standard_normal(shape).astype("<f4"))
            inner.create_dataset("bias:0", data=np.zeros(shape[1], "<f4"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["safetensors", "keras-h5"])
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--extra", action="store_true")
    a = p.parse_args()
    if a.kind == "safetensors":
        safetensors(a.out, a.seed, a.scale, a.extra)
    else:
        keras_h5(a.out)


if __name__ == "__main__":
    main()

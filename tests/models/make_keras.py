#!/usr/bin/python3
"""Writes the Keras and NumPy model files the model layer's tests read, and manifest.json with
what every file holds (tensors with dtype, shape, checksum and, for small ones, values).

    /usr/bin/python3 tests/models/make_keras.py OUTDIR

Keras is not installed here: the .h5 files are written with h5py in Keras 2's documented HDF5
layout (keras.saving.legacy.hdf5_format: model_config and training_config JSON attributes,
layer_names / weight_names as byte-string arrays, split into layer_names0, 1, ... past the object
header limit), the .keras zips in Keras 3's saving_lib layout (config.json, metadata.json,
model.weights.h5 with layers/<name>/vars/<i> and optimizer/vars/<i>). NumPy files come from numpy
itself. Hostile files (truncated, bombs, huge declared shapes) go to OUTDIR/hostile/.
"""
import hashlib
import io
import json
import os
import struct
import sys
import zipfile

import h5py
import numpy as np

SMALL = 64  # tensors with at most this many elements get their values in the manifest


def checksum(a):
    """First 16 bytes of SHA-256 over the values as little-endian bytes in C order (hex)."""
    a = np.asarray(a)
    le = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<"), copy=False)
    return hashlib.sha256(np.ascontiguousarray(le).tobytes()).hexdigest()[:32]


DTYPES = {
    "b": "bool", "i1": "int8", "u1": "uint8", "i2": "int16", "u2": "uint16", "i4": "int32",
    "u4": "uint32", "i8": "int64", "u8": "uint64", "f2": "float16", "f4": "float32",
    "f8": "float64", "c8": "complex64", "c16": "complex128",
}


def dtype_name(a):
    kind = a.dtype.kind
    key = "b" if kind == "b" else kind + str(a.dtype.itemsize)
    return DTYPES[key]


def tensor(name, a, parameter=True):
    a = np.asarray(a)
    t = {"name": name, "dtype": dtype_name(a), "shape": list(a.shape), "elements": int(a.size),
         "bytes": int(a.size * a.dtype.itemsize), "checksum": checksum(a), "parameter": parameter}
    if a.size <= SMALL:
        flat = np.ascontiguousarray(a).reshape(-1)
        if a.dtype.kind == "c":
            flat = flat.real
        t["values"] = [float(v) for v in flat.astype(np.float64)]
    return t


def ramp(shape, dtype, scale=0.25, offset=0.0):
    n = int(np.prod(shape)) if shape else 1
    return ((np.arange(n) % 997) * scale + offset).astype(dtype).reshape(shape)


def bytes_list(names):
    return np.array([n.encode("utf8") for n in names])


# ---------------------------------------------------------------------------------------- NumPy

def make_numpy(out, manifest):
    arrays = {
        "weights": ramp((2, 3), np.float32, 0.5, -1.0),
        "big_endian": ramp((5,), ">i8", 3, -7),
        "half": ramp((2, 2), np.float16, 0.125),
        "mask": np.array([True, False, True, True]),
        "scalar": np.float64(2.5),
        "complex": (ramp((3,), ">c16", 1.5) + 1j * ramp((3,), ">f8", 2)).astype(">c16"),
    }
    for name, a in arrays.items():
        np.save(os.path.join(out, name + ".npy"), a)
        manifest[name + ".npy"] = {"format": "npy", "tensors": [tensor(name, a)]}
    fortran = np.asfortranarray(ramp((3, 4, 2), np.float32, 1.0))
    np.save(os.path.join(out, "fortran.npy"), fortran)
    manifest["fortran.npy"] = {"format": "npy", "tensors": [tensor("fortran", fortran)]}
    strings = np.array(["a", "bc"])
    np.save(os.path.join(out, "strings.npy"), strings)
    manifest["strings.npy"] = {"format": "npy", "tensors": [{"name": "strings", "dtype": "<U2", "shape": [2]}]}
    members = {"w": ramp((4, 3), np.float32, 0.75), "b": ramp((3,), ">f4", 1.0, 0.5),
               "f": np.asfortranarray(ramp((2, 5), np.int16, 1)), "n": np.int32(7)}
    np.savez(os.path.join(out, "stored.npz"), **members)
    np.savez_compressed(os.path.join(out, "deflated.npz"), **members)
    for name in ("stored.npz", "deflated.npz"):
        manifest[name] = {"format": "npz", "tensors": [tensor(k, v) for k, v in members.items()]}


# ------------------------------------------------------------------------------------ Keras 2

SEQUENTIAL_CONFIG = {
    "class_name": "Sequential",
    "config": {"name": "sequential", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32",
                                                "sparse": False, "ragged": False, "name": "dense_input"}},
        {"class_name": "Dense", "config": {"name": "dense", "trainable": True, "dtype": "float32", "units": 8,
                                           "activation": "relu", "use_bias": True,
                                           "kernel_regularizer": {"class_name": "L2", "config": {"l2": 0.01}}}},
        {"class_name": "Dropout", "config": {"name": "dropout", "trainable": True, "dtype": "float32",
                                             "rate": 0.5}},
        {"class_name": "Dense", "config": {"name": "dense_1", "trainable": True, "dtype": "float32", "units": 3,
                                           "activation": "softmax", "use_bias": True}},
    ]},
}
TRAINING_CONFIG = {
    "loss": "categorical_crossentropy", "metrics": [[{"class_name": "MeanMetricWrapper",
                                                      "config": {"name": "accuracy"}}]],
    "weighted_metrics": None, "loss_weights": None,
    "optimizer_config": {"class_name": "Adam", "config": {"name": "Adam", "learning_rate": 0.001}},
}


def write_layer(parent, layer, weights):
    """Keras 2: a group per layer, weight_names, datasets named by weight name (nested groups)."""
    g = parent.create_group(layer)
    g.attrs["weight_names"] = bytes_list([w for w, _ in weights])
    for w, a in weights:
        g.create_dataset(w, data=a)


def make_keras2(out, manifest):
    kernel, bias = ramp((4, 8), np.float32, 0.01, -0.5), ramp((8,), np.float32, 0.1)
    kernel1, bias1 = ramp((8, 3), np.float32, -0.02, 0.3), np.zeros((3,), np.float32)
    layers = [("dense_input", []), ("dense", [("dense/kernel:0", kernel), ("dense/bias:0", bias)]),
              ("dropout", []), ("dense_1", [("dense_1/kernel:0", kernel1), ("dense_1/bias:0", bias1)])]
    optimizer = [("Adam/iter:0", np.int64(12)), ("Adam/dense/kernel/m:0", ramp((4, 8), np.float32, 0.001)),
                 ("Adam/dense/kernel/v:0", ramp((4, 8), np.float32, 0.002))]
    path = os.path.join(out, "sequential.h5")
    with h5py.File(path, "w") as f:
        f.attrs["backend"] = "tensorflow".encode("utf8")
        f.attrs["keras_version"] = "2.11.0".encode("utf8")
        f.attrs["model_config"] = json.dumps(SEQUENTIAL_CONFIG).encode("utf8")
        f.attrs["training_config"] = json.dumps(TRAINING_CONFIG).encode("utf8")
        mw = f.create_group("model_weights")
        mw.attrs["layer_names"] = bytes_list([n for n, _ in layers])
        mw.attrs["backend"] = b"tensorflow"
        mw.attrs["keras_version"] = b"2.11.0"
        for name, weights in layers:
            write_layer(mw, name, weights)
        ow = f.create_group("optimizer_weights")
        ow.attrs["weight_names"] = bytes_list([w for w, _ in optimizer])
        for w, a in optimizer:
            ow.create_dataset(w, data=a)
    tensors = [tensor(w, a) for _, ws in layers for w, a in ws]
    tensors += [tensor("optimizer_weights/" + w, a, parameter=False) for w, a in optimizer]
    manifest["sequential.h5"] = {"format": "keras-h5", "tensors": tensors}

    # save_weights: layer_names on the root; Python str attributes (variable-length strings).
    path = os.path.join(out, "weights_only.h5")
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = bytes_list([n for n, _ in layers])
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = "2.11.0"
        for name, weights in layers:
            write_layer(f, name, weights)
    manifest["weights_only.h5"] = {"format": "keras-h5",
                                   "tensors": [tensor(w, a) for _, ws in layers for w, a in ws]}

    # Functional, two inputs; layer_names split over layer_names0/1 as Keras does past 64 KB.
    config = {"class_name": "Functional", "config": {
        "name": "model", "layers": [
            {"class_name": "InputLayer", "name": "image", "inbound_nodes": [],
             "config": {"batch_input_shape": [None, 6, 6, 1], "dtype": "float32", "name": "image"}},
            {"class_name": "InputLayer", "name": "extra", "inbound_nodes": [],
             "config": {"batch_input_shape": [None, 2], "dtype": "int32", "name": "extra"}},
            {"class_name": "Conv2D", "name": "conv", "inbound_nodes": [[["image", 0, 0, {}]]],
             "config": {"name": "conv", "filters": 2, "kernel_size": [3, 3], "activation": "tanh"}},
            {"class_name": "LeakyReLU", "name": "leaky", "inbound_nodes": [[["conv", 0, 0, {}]]],
             "config": {"name": "leaky", "alpha": 0.3}},
            {"class_name": "Flatten", "name": "flat", "inbound_nodes": [[["leaky", 0, 0, {}]]],
             "config": {"name": "flat"}},
            {"class_name": "Dense", "name": "out", "inbound_nodes": [[["flat", 0, 0, {}]]],
             "config": {"name": "out", "units": 1, "activation": "sigmoid", "dtype": "float32"}},
        ],
        "input_layers": [["image", 0, 0], ["extra", 0, 0]],
        "output_layers": [["out", 0, 0]]}}
    training = {"loss": {"out": {"module": "keras.losses", "class_name": "BinaryCrossentropy", "config": {}}},
                "optimizer_config": {"class_name": "SGD", "config": {"learning_rate": 0.1}}}
    conv_k, conv_b = ramp((3, 3, 1, 2), np.float64, 0.5), ramp((2,), np.float64, 1)
    out_k, out_b = ramp((32, 1), np.float32, 0.03), ramp((1,), np.float32)
    names = ["image", "extra", "conv", "leaky", "flat", "out"]
    layers = {"conv": [("conv/kernel:0", conv_k), ("conv/bias:0", conv_b)],
              "out": [("out/kernel:0", out_k), ("out/bias:0", out_b)]}
    path = os.path.join(out, "functional.h5")
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.4.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config)
        f.attrs["training_config"] = json.dumps(training)
        mw = f.create_group("model_weights")
        mw.attrs["layer_names0"] = bytes_list(names[:3])
        mw.attrs["layer_names1"] = bytes_list(names[3:])
        for name in names:
            write_layer(mw, name, layers.get(name, []))
    manifest["functional.h5"] = {"format": "keras-h5",
                                 "tensors": [tensor(w, a) for n in names for w, a in layers.get(n, [])]}


# --------------------------------------------------------------------------------- plain HDF5

def make_plain_hdf5(out, manifest):
    big_rows = ramp((600, 1000), np.float32, 0.5)        # 2.4 MB: several hyperslab reads
    long_row = ramp((2, 400000), np.float32, 0.25)       # one row over the 1 MB read budget
    cube = ramp((3, 300, 500), np.float32, 1.0)
    items = [
        ("a", ramp((2, 3), np.float32, 1.5), {}),
        ("grp/b", ramp((4,), ">i2", 3, -5), {}),
        ("grp/c", ramp((50, 40), np.float16, 0.125), {"chunks": (7, 9), "compression": "gzip"}),
        ("grp/deeper/mask", np.array([[True, False], [False, True]]), {}),
        ("grp/deeper/z", ramp((3,), np.complex64, 2.0) + 1j, {}),
        ("scalar", np.float64(-3.75), {}),
        ("big/rows", big_rows, {"chunks": (64, 100), "compression": "gzip"}),
        ("big/long_row", long_row, {}),
        ("big/cube", cube, {"chunks": (1, 50, 500)}),
    ]
    path = os.path.join(out, "plain.h5")
    with h5py.File(path, "w") as f:
        for name, a, kw in items:
            f.create_dataset(name, data=a, **kw)
        f.create_dataset("text", data=np.array([b"x", b"yz"]))
        f["soft"] = h5py.SoftLink("/a")                 # links other than hard ones are not followed
        f["elsewhere"] = h5py.ExternalLink("other.h5", "/a")
    # Depth first in name order, a group's datasets before its subgroups'.
    order = ["a", "scalar", "text", "big/cube", "big/long_row", "big/rows", "grp/b", "grp/c", "grp/deeper/mask",
             "grp/deeper/z"]
    by_name = {name: a for name, a, _ in items}
    tensors = []
    for name in order:
        if name == "text":
            tensors.append({"name": "text", "dtype": "string", "shape": [2]})
        else:
            tensors.append(tensor(name, by_name[name]))
    manifest["plain.h5"] = {"format": "keras-h5", "tensors": tensors}


# ------------------------------------------------------------------------------------ Keras 3

KERAS3_CONFIG = {
    "module": "keras", "class_name": "Sequential", "registered_name": None,
    "config": {"name": "sequential", "trainable": True, "layers": [
        {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
         "config": {"batch_shape": [None, 5], "dtype": "float32", "sparse": False, "name": "input_layer"}},
        {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
         "config": {"name": "hidden", "trainable": True,
                    "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}},
                    "units": 4, "activation": "gelu", "use_bias": True},
         "build_config": {"input_shape": [None, 5]}},
        {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
         "config": {"name": "probs", "trainable": True, "dtype": "float32", "units": 2,
                    "activation": {"module": "keras.activations", "class_name": "function", "config": "softmax"}},
         "build_config": {"input_shape": [None, 4]}},
    ], "build_input_shape": [None, 5]},
    "build_config": {"input_shape": [None, 5]},
    "compile_config": {"optimizer": {"module": "keras.optimizers", "class_name": "RMSprop",
                                     "config": {"name": "rmsprop", "learning_rate": 0.001}},
                       "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
}


def keras3_weights():
    # Keras 3 keys layers by class in snake case, numbered from the second on: the layers named
    # "hidden" and "probs" in the config are layers/dense and layers/dense_1 here.
    return {
        "layers/dense/vars/0": ramp((5, 4), np.float32, 0.05, -0.4),
        "layers/dense/vars/1": ramp((4,), np.float32, 0.5),
        "layers/dense_1/vars/0": ramp((4, 2), np.float32, -0.1),
        "layers/dense_1/vars/1": ramp((2,), np.float32, 0.2),
        "optimizer/vars/0": np.int64(30),
        "optimizer/vars/1": ramp((5, 4), np.float32, 0.001),
    }


def keras3_bytes(weights, compression):
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for name, a in weights.items():
            f.create_dataset(name, data=a)
        f.create_group("vars")
        f.create_group("layers/input_layer/vars")
    members = {"metadata.json": json.dumps({"keras_version": "3.3.3", "date_saved": "2024-05-01@10:00:00"}),
               "config.json": json.dumps(KERAS3_CONFIG)}
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", compression) as z:
        for name, text in members.items():
            z.writestr(name, text)
        z.writestr("model.weights.h5", buf.getvalue())
    return zbuf.getvalue()


def make_keras3(out, manifest):
    weights = keras3_weights()
    # Depth first in name order: layers/..., optimizer/...
    tensors = [tensor(name, a, parameter=name.startswith("layers/")) for name, a in sorted(weights.items())]
    for name, compression in (("model.keras", zipfile.ZIP_STORED), ("deflated.keras", zipfile.ZIP_DEFLATED)):
        with open(os.path.join(out, name), "wb") as f:
            f.write(keras3_bytes(weights, compression))
        manifest[name] = {"format": "keras-v3", "tensors": tensors}
    # A Keras 3 weights file on its own (model.save_weights("x.weights.h5")).
    with h5py.File(os.path.join(out, "alone.weights.h5"), "w") as f:
        for name, a in weights.items():
            f.create_dataset(name, data=a)
    manifest["alone.weights.h5"] = {"format": "keras-h5", "tensors": tensors}


# ------------------------------------------------------------------------------------ hostile

def patch_sizes(data, member, size):
    """Rewrites a member's declared uncompressed size in its local header and central entry."""
    data = bytearray(data)
    name = member.encode()
    at = 0
    while True:
        at = data.find(b"PK\x03\x04", at)
        if at < 0:
            break
        n = struct.unpack_from("<H", data, at + 26)[0]
        if data[at + 30:at + 30 + n] == name:
            struct.pack_into("<I", data, at + 22, size)
        at += 4
    at = 0
    while True:
        at = data.find(b"PK\x01\x02", at)
        if at < 0:
            break
        n = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + n] == name:
            struct.pack_into("<I", data, at + 24, size)
        at += 4
    return bytes(data)


def make_hostile(out):
    h = os.path.join(out, "hostile")
    os.makedirs(h)
    # Truncated files of each format.
    for name in ("sequential.h5", "model.keras", "weights.npy", "stored.npz"):
        with open(os.path.join(out, name), "rb") as f:
            data = f.read()
        base, ext = os.path.splitext(name)
        with open(os.path.join(h, "truncated_" + base + ext), "wb") as f:
            f.write(data[:len(data) // 2])
    # HDF5: a dataset declaring 2^60 elements with nothing stored; a chunk too large to read in
    # bounded memory; values in an external file.
    with h5py.File(os.path.join(h, "huge_shape.h5"), "w") as f:
        f.create_dataset("huge", shape=(2 ** 40, 2 ** 20), dtype="f4", chunks=(1, 1024))
    with h5py.File(os.path.join(h, "huge_chunk.h5"), "w") as f:
        f.create_dataset("wide", shape=(4096, 4096), dtype="f4", chunks=(4096, 4096))
    with open(os.path.join(h, "outside.bin"), "wb") as f:
        f.write(b"\0" * 64)
    with h5py.File(os.path.join(h, "external.h5"), "w") as f:
        f.create_dataset("ext", shape=(16,), dtype="f4", external=[("outside.bin", 0, 64)])
    # Zip bombs: members that inflate far past their declared size, and a member declaring
    # 3.7 GB from a few KB.
    zeros = b"\0" * (8 << 20)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("config.json", zeros)
        z.writestr("metadata.json", "{}")
        z.writestr("model.weights.h5", b"\0" * 1000)
    with open(os.path.join(h, "config_bomb.keras"), "wb") as f:
        f.write(patch_sizes(bomb.getvalue(), "config.json", 100))
    with open(os.path.join(h, "weights_bomb.keras"), "wb") as f:
        f.write(patch_sizes(keras3_bytes(keras3_weights(), zipfile.ZIP_DEFLATED), "model.weights.h5", 0xF0000000))
    # The opposite lie: model.weights.h5 declares 1000 bytes and inflates to all of its own.
    with open(os.path.join(h, "weights_past_size.keras"), "wb") as f:
        f.write(patch_sizes(keras3_bytes(keras3_weights(), zipfile.ZIP_DEFLATED), "model.weights.h5", 1000))
    npz = io.BytesIO()
    with zipfile.ZipFile(npz, "w", zipfile.ZIP_DEFLATED) as z:
        buf = io.BytesIO()
        np.save(buf, np.zeros((8 << 20,), np.uint8))
        z.writestr("a.npy", buf.getvalue())
    with open(os.path.join(h, "bomb.npz"), "wb") as f:
        f.write(patch_sizes(npz.getvalue(), "a.npy", 256))
    # .npy headers: 2^60 elements, and a shape whose product overflows.
    for name, shape in (("huge.npy", "(1152921504606846976,)"), ("overflow.npy", "(4294967296, 4294967296, 16)")):
        header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % shape
        header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
        with open(os.path.join(h, name), "wb") as f:
            f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + b"\0" * 16)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    manifest = {}
    make_numpy(out, manifest)
    make_keras2(out, manifest)
    make_plain_hdf5(out, manifest)
    make_keras3(out, manifest)
    make_hostile(out)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()

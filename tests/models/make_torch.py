"""Writes real PyTorch and ONNX files for trail's model-layer tests, with the values they hold.

Usage: /usr/bin/python3 make_torch.py OUT_DIR MARKER_PATH

Each file gets an entry in OUT_DIR/expected.json: for every tensor its name, dtype (NumPy's
name), shape, values in C order (as doubles), whether it is a model parameter, and the checksum
trail computes (the first 16 bytes of SHA-256 over the little-endian values in C order, hex).
The hostile files would create MARKER_PATH if a loader ran them; the tests assert it never exists.
"""
import hashlib
import io
import json
import os
import sys
import zipfile

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper, TensorProto

out, marker = sys.argv[1], sys.argv[2]
torch.manual_seed(17)
expected = {}


def tensor_bytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def dtype_name(t):
    return {torch.bfloat16: "bfloat16"}.get(t.dtype) or str(t.detach().numpy().dtype)


def entry(name, t, is_parameter=True):
    return {"name": name, "dtype": dtype_name(t), "shape": list(t.shape),
            "values": [float(v) for v in t.detach().double().flatten().tolist()],
            "checksum": hashlib.sha256(tensor_bytes(t)).hexdigest()[:32], "is_parameter": is_parameter}


def np_entry(name, a):
    a = np.ascontiguousarray(a)
    return {"name": name, "dtype": str(a.dtype), "shape": list(a.shape),
            "values": [float(v) for v in a.astype(np.float64).flatten()],
            "checksum": hashlib.sha256(a.astype(a.dtype.newbyteorder("<")).tobytes()).hexdigest()[:32],
            "is_parameter": True}


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(3, 2)
        self.bn = torch.nn.BatchNorm1d(2)
        self.act = torch.nn.ReLU()

    def forward(self, x):
        return self.act(self.bn(self.fc(x)))


def state_entries(sd, prefix="", optimizer=False):
    return [entry(prefix + k, v, not optimizer and v.is_floating_point()) for k, v in sd.items()]


net = Net()
net.bn.running_mean.copy_(torch.tensor([0.5, -0.25]))
net.bn.num_batches_tracked.fill_(7)
sd = net.state_dict()

torch.save(sd, f"{out}/state_dict.pt")
expected["state_dict.pt"] = state_entries(sd)

torch.save(net, f"{out}/model.pt")
expected["model.pt"] = state_entries(sd)

opt = torch.optim.Adam(net.parameters(), lr=0.01)
net(torch.randn(4, 3)).sum().backward()
opt.step()
sd = net.state_dict()
osd = opt.state_dict()
torch.save({"epoch": 3, "model_state_dict": sd, "optimizer_state_dict": osd, "loss": 0.5},
           f"{out}/checkpoint.pt")
entries = state_entries(sd, "model_state_dict.")
for index, state in osd["state"].items():
    for key, value in state.items():
        entries.append(entry(f"optimizer_state_dict.state.{index}.{key}", value, False))
expected["checkpoint.pt"] = entries

dtypes = {"half": torch.tensor([1.5, -2.0, 65504.0], dtype=torch.float16),
          "bf16": torch.tensor([[0.5, 3.0], [-1.0, 1e10]], dtype=torch.bfloat16),
          "long": torch.tensor([1, -2, 2**40], dtype=torch.int64),
          "double": torch.tensor([3.141592653589793], dtype=torch.float64),
          "flag": torch.tensor([True, False, True]),
          "scalar": torch.tensor(2.5)}
torch.save(dtypes, f"{out}/dtypes.pt")
expected["dtypes.pt"] = [entry(k, v, v.is_floating_point()) for k, v in dtypes.items()]

shared = torch.tensor([1.0, 2.0])
torch.save({"embed": shared, "decoder": shared}, f"{out}/tied.pt")
expected["tied.pt"] = [entry("embed", shared), entry("decoder", shared, False)]

lstm = torch.nn.LSTM(2, 3)
torch.save(lstm, f"{out}/lstm.pt")  # its _flat_weights list repeats the parameters: skipped
expected["lstm.pt"] = state_entries(lstm.state_dict())

base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
views = {"base": base, "transposed": base.t(), "columns": base[:, 1:3], "row": base[1]}
torch.save(views, f"{out}/views.pt")
expected["views.pt"] = [entry(k, v) for k, v in views.items()]

# A big-endian archive (torch.save on such a machine writes `byteorder: big`): the little-endian
# save rewritten with each storage's elements swapped; the values read must be the same.
big_values = {"f": torch.tensor([1.5, -2.0]), "l": torch.tensor([1, -2, 2**40]),
              "h": torch.tensor([0.5, 3.0], dtype=torch.float16)}
torch.save(big_values, f"{out}/little.pt")
with zipfile.ZipFile(f"{out}/little.pt") as src, zipfile.ZipFile(f"{out}/big_endian.pt", "w") as dst:
    widths = {"0": 4, "1": 8, "2": 2}  # storages in the order the dict's tensors were saved
    for info in src.infolist():
        data = src.read(info)
        key = info.filename.rsplit("/data/", 1)[-1] if "/data/" in info.filename else None
        if key in widths:
            w = widths[key]
            data = b"".join(data[i:i + w][::-1] for i in range(0, len(data), w))
        dst.writestr(info.filename, data)
    dst.writestr("little/byteorder", "big")
expected["big_endian.pt"] = [entry(k, v, v.is_floating_point()) for k, v in big_values.items()]

# The legacy format (before PyTorch 1.6): pickles, then the storages one after another. Views
# share their base's storage.
legacy = dict(net.state_dict())
legacy.update({"transposed": base.t(), "row": base[1]})
torch.save(legacy, f"{out}/legacy.pt", _use_new_zipfile_serialization=False)
expected["legacy.pt"] = [entry(k, v, v.is_floating_point()) for k, v in legacy.items()]
torch.save(net, f"{out}/legacy_model.pt", _use_new_zipfile_serialization=False)
expected["legacy_model.pt"] = state_entries(net.state_dict())
data = open(f"{out}/legacy.pt", "rb").read()
open(f"{out}/legacy_cut.pt", "wb").write(data[: len(data) - 10])

# Hostile pickles inside otherwise valid torch.save zips.
def pickle_zip(name, pickled, extra=None):
    with zipfile.ZipFile(f"{out}/{name}", "w") as z:
        z.writestr(f"{name[:-3]}/data.pkl", pickled)
        z.writestr(f"{name[:-3]}/version", "3\n")
        for member, data in (extra or {}).items():
            z.writestr(f"{name[:-3]}/{member}", data)


command = f"touch {marker}".encode()
pickle_zip("evil_system.pt", b"\x80\x02cos\nsystem\nq\x00X" + len(command).to_bytes(4, "little") + command +
           b"\x85R.")
pickle_zip("evil_eval.pt", b"\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins\x8c\x04eval\x93X" +
           len(command).to_bytes(4, "little") + command + b"\x85R.")
pickle_zip("evil_popen.pt", b"\x80\x02csubprocess\nPopen\n)\x81.")
pickle_zip("huge_memo.pt", b"\x80\x02j\xff\xff\xff\x7f.")
pickle_zip("huge_put.pt", b"\x80\x02)r\xff\xff\xff\xff.")
pickle_zip("huge_string.pt", b"\x80\x02X\xff\xff\xff\x7fabc.")

# A storage smaller than its tensor: the state dict's first storage cut to 4 bytes.
with zipfile.ZipFile(f"{out}/state_dict.pt") as src, zipfile.ZipFile(f"{out}/short_storage.pt", "w") as dst:
    for info in src.infolist():
        data = src.read(info)
        if info.filename.endswith("/data/0"):
            data = data[:4]
        dst.writestr(info.filename, data)
data = open(f"{out}/state_dict.pt", "rb").read()
open(f"{out}/truncated.pt", "wb").write(data[: len(data) // 2])

# Cut short: a torch.save zip and a TorchScript archive at 60%, their central directories gone.
data = open(f"{out}/state_dict.pt", "rb").read()
open(f"{out}/cut60.pt", "wb").write(data[: len(data) * 6 // 10])
# The legacy format under a name that does not say PyTorch: recognised by its magic number.
torch.save({"w": torch.ones(2)}, f"{out}/legacy.weights", _use_new_zipfile_serialization=False, pickle_protocol=4)
expected["legacy.weights"] = [entry("w", torch.ones(2))]
# The legacy preamble before a pickle that calls os.system; a pickle without the magic number.
import pickle
preamble = b"".join(pickle.dumps(x, protocol=2) for x in (0x1950a86a20f9469cfc6c, 1001, {}))
evil = b"\x80\x02cos\nsystem\nq\x00X" + len(command).to_bytes(4, "little") + command + b"\x85R."
open(f"{out}/evil_legacy.pt", "wb").write(preamble + evil)
open(f"{out}/plain_pickle.pt", "wb").write(pickle.dumps({"a": 1}, protocol=2))


# TorchScript archives: names as the scripted module's state_dict() gives them; a plain tensor
# attribute (not a parameter or buffer) is not in it.
class Scripted(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._scale = torch.nn.Parameter(torch.tensor([0.5, 2.0]))
        self.register_buffer("offset", torch.tensor([1.0, -1.0]))
        self.register_buffer("scratch", torch.zeros(2), persistent=False)
        self.steps = torch.tensor([3, 4])  # a plain attribute
        self.layers = torch.nn.ModuleList([torch.nn.Linear(2, 2), torch.nn.Tanh()])
        self.head = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.1))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        x = torch.nn.functional.gelu(x * self._scale + self.offset + self.scratch)
        if bool(x.sum() > 0):
            x = torch.relu(x)
        return torch.log_softmax(self.head(x), dim=1)


scripted = torch.jit.script(Scripted().eval())
scripted.save(f"{out}/scripted.pt")
expected["scripted.pt"] = state_entries(scripted.state_dict())
traced = torch.jit.trace(Net().eval(), torch.randn(4, 3))
torch.jit.save(traced, f"{out}/traced.pt")
expected["traced.pt"] = state_entries(traced.state_dict())
data = open(f"{out}/scripted.pt", "rb").read()
open(f"{out}/scripted_cut.pt", "wb").write(data[: len(data) * 6 // 10])
# Code that would create the marker if anything ran it: trail reads code/ as text only.
with zipfile.ZipFile(f"{out}/scripted.pt") as src, zipfile.ZipFile(f"{out}/evil_script.pt", "w") as dst:
    for info in src.infolist():
        data = src.read(info)
        if info.filename.endswith("code/__torch__.py"):
            data = f"import os\nos.system('touch {marker}')\n".encode() + data
        dst.writestr(info.filename, data)
expected["evil_script.pt"] = expected["scripted.pt"]

# ONNX: an exported model with known initializers.
class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 3)
        self.fc2 = torch.nn.Linear(3, 2)

    def forward(self, x):
        return torch.softmax(self.fc2(torch.relu(self.fc1(x))), dim=1)


mlp = Mlp().eval()
torch.onnx.export(mlp, torch.randn(1, 4), f"{out}/mlp.onnx", input_names=["x"], output_names=["probs"],
                  dynamic_axes={"x": {0: "batch"}, "probs": {0: "batch"}}, opset_version=13)
model = onnx.load(f"{out}/mlp.onnx")
expected["mlp.onnx"] = [np_entry(t.name, numpy_helper.to_array(t)) for t in model.graph.initializer]
expected["mlp.onnx.meta"] = {"producer": f"{model.producer_name} {model.producer_version}",
                             "ops": {n.op_type: sum(1 for m in model.graph.node if m.op_type == n.op_type)
                                     for n in model.graph.node}}

os.makedirs(f"{out}/external", exist_ok=True)
onnx.save_model(model, f"{out}/external/mlp.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
                location="weights.bin", size_threshold=0)
expected["external/mlp.onnx"] = expected["mlp.onnx"]

# Typed fields instead of raw_data, and dtypes beyond float32.
typed = [helper.make_tensor("f", TensorProto.FLOAT, [2, 2], [1.0, -2.5, 3.25, 0.0]),
         helper.make_tensor("i64", TensorProto.INT64, [3], [1, -7, 2**40]),
         helper.make_tensor("i32", TensorProto.INT32, [2], [-5, 6]),
         helper.make_tensor("d", TensorProto.DOUBLE, [2], [0.1, -1e300]),
         helper.make_tensor("h", TensorProto.FLOAT16, [2], [1.5, -0.5]),  # stored as bits in int32_data
         numpy_helper.from_array(np.array([[1, 2, 3]], dtype=np.uint8), "u8")]
node = helper.make_node("Relu", ["x"], ["y"])
loss = helper.make_node("SoftmaxCrossEntropyLoss", ["y", "labels"], ["loss"])
graph = helper.make_graph([node, loss], "typed", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 2]),
                                                  helper.make_tensor_value_info("labels", TensorProto.INT64, ["n"])],
                          [helper.make_tensor_value_info("loss", TensorProto.FLOAT, [])], typed)
typed_model = helper.make_model(graph, producer_name="trail-test", producer_version="1",
                                opset_imports=[helper.make_opsetid("", 13)])
onnx.save(typed_model, f"{out}/typed.onnx")
expected["typed.onnx"] = [np_entry("f", np.array([[1.0, -2.5], [3.25, 0.0]], np.float32)),
                          np_entry("i64", np.array([1, -7, 2**40], np.int64)),
                          np_entry("i32", np.array([-5, 6], np.int32)),
                          np_entry("d", np.array([0.1, -1e300], np.float64)),
                          np_entry("h", np.array([1.5, -0.5], np.float16)),
                          np_entry("u8", np.array([[1, 2, 3]], np.uint8))]



# Subgraphs: an exported scripted model with an `if` and a loop, and one built with onnx.helper
# whose If and Loop bodies hold initializers (one named like the main graph's).
def walk_graph(g, ops, tensors):
    tensors.extend(g.initializer)
    for n in g.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    for n in g.node:
        for a in n.attribute:
            for sub in ([a.g] if a.type == onnx.AttributeProto.GRAPH else []) + list(a.graphs):
                walk_graph(sub, ops, tensors)


class Branchy(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(3, 3)

    def forward(self, x, n: int):
        if bool(x.sum() > 0):
            x = torch.relu(self.fc(x))
        else:
            x = torch.sigmoid(x)
        for _ in range(n):
            x = torch.tanh(x) * 2
        return torch.softmax(x, dim=1)


torch.onnx.export(torch.jit.script(Branchy().eval()), (torch.randn(2, 3), 3), f"{out}/branchy.onnx",
                  input_names=["x", "n"], opset_version=13)
ops, tensors = {}, []
walk_graph(onnx.load(f"{out}/branchy.onnx").graph, ops, tensors)
expected["branchy.onnx"] = [np_entry(t.name, numpy_helper.to_array(t)) for t in tensors]
expected["branchy.onnx.meta"] = {"ops": ops}

f32 = TensorProto.FLOAT
main_w = numpy_helper.from_array(np.array([1.0, 2.0], np.float32), "w")
then_w = numpy_helper.from_array(np.array([[3.0, -4.0]], np.float32), "w")
then_b = numpy_helper.from_array(np.array([0.25], np.float32), "then_bias")
step = numpy_helper.from_array(np.array([0.5, 0.5], np.float32), "step")
out_info = [helper.make_tensor_value_info("y", f32, [2])]
then_graph = helper.make_graph([helper.make_node("Add", ["w", "then_bias"], ["y"])], "then", [], out_info,
                               [then_w, then_b])
body = helper.make_graph([helper.make_node("Identity", ["cond_in"], ["cond_out"]),
                          helper.make_node("Add", ["v_in", "step"], ["s"]),
                          helper.make_node("Relu", ["s"], ["v_out"])], "body",
                         [helper.make_tensor_value_info("i", TensorProto.INT64, []),
                          helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
                          helper.make_tensor_value_info("v_in", f32, [2])],
                         [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
                          helper.make_tensor_value_info("v_out", f32, [2])], [step])
else_graph = helper.make_graph([helper.make_node("Loop", ["trips", "", "w"], ["y"], name="loop", body=body)],
                               "else", [], out_info)
sub_model = helper.make_model(helper.make_graph(
    [helper.make_node("If", ["c"], ["y"], name="choose", then_branch=then_graph, else_branch=else_graph)], "subgraphs",
    [helper.make_tensor_value_info("c", TensorProto.BOOL, []),
     helper.make_tensor_value_info("trips", TensorProto.INT64, [])], out_info, [main_w]),
    producer_name="trail-test", opset_imports=[helper.make_opsetid("", 13)])
onnx.save(sub_model, f"{out}/subgraphs.onnx")
# In walk_graph's order (make_node writes attributes sorted: else_branch first); the then
# branch's "w" is named by its place, since the main graph has a "w".
expected["subgraphs.onnx"] = [np_entry("w", numpy_helper.to_array(main_w)),
                              np_entry("step", numpy_helper.to_array(step)),
                              np_entry("choose/then_branch/w", numpy_helper.to_array(then_w)),
                              np_entry("then_bias", numpy_helper.to_array(then_b))]
ops, tensors = {}, []
walk_graph(sub_model.graph, ops, tensors)
assert [t.name for t in tensors] == ["w", "step", "w", "then_bias"]
expected["subgraphs.onnx.meta"] = {"ops": ops}

# If inside If, 17 levels deep: past what trail follows.
leaf = helper.make_graph([helper.make_node("Relu", ["c"], ["y"])], "leaf", [], out_info)
deep = leaf
for level in range(17):
    deep = helper.make_graph([helper.make_node("If", ["c"], ["y"], then_branch=deep, else_branch=leaf)],
                             f"level{level}", [], out_info)
onnx.save(helper.make_model(deep), f"{out}/deep.onnx")

# External data that points outside the model's folder.
evil = TensorProto()
evil.name = "w"
evil.data_type = TensorProto.FLOAT
evil.dims.append(4)
evil.data_location = TensorProto.EXTERNAL
for key, value in (("location", "../../etc/passwd"), ("offset", "0"), ("length", "16")):
    e = evil.external_data.add()
    e.key, e.value = key, value
evil_model = helper.make_model(helper.make_graph([], "evil", [], [], [evil]))
os.makedirs(f"{out}/evil", exist_ok=True)
open(f"{out}/evil/model.onnx", "wb").write(evil_model.SerializeToString())
data = open(f"{out}/mlp.onnx", "rb").read()
open(f"{out}/truncated.onnx", "wb").write(data[: len(data) - 20])

json.dump(expected, open(f"{out}/expected.json", "w"), indent=1)

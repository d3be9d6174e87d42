"""trail model inspect on TorchScript archives, legacy torch.save files, PyTorch zips cut short
and ONNX models with subgraphs, and a run that stores a TorchScript model (issue 17,
docs/models.md "TorchScript" and "ONNX"), driven through the binary. The files are written once
per module with torch and onnx.
"""
import hashlib
import json
import subprocess

import pytest

from conftest import PYTHON, init_project, make_git_repo, record, trail

MAKE = r"""
import hashlib, json, sys
import numpy as np, onnx, torch
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(3, 2)
        self.register_buffer("shift", torch.tensor([0.5, -0.5]))
        self.plain = torch.ones(2)  # an attribute, not state

    def forward(self, x):
        return torch.softmax(torch.relu(self.fc(x) + self.shift + self.plain), dim=1)


m = torch.jit.script(Net())
m.save(f"{out}/net.pt")
expected = {k: {"shape": list(v.shape),
                "checksum": hashlib.sha256(v.contiguous().numpy().tobytes()).hexdigest()[:32]}
            for k, v in m.state_dict().items()}
torch.save(m.state_dict(), f"{out}/legacy.bin", _use_new_zipfile_serialization=False)
data = open(f"{out}/net.pt", "rb").read()
open(f"{out}/cut.pt", "wb").write(data[: len(data) * 6 // 10])

f32 = TensorProto.FLOAT
y = [helper.make_tensor_value_info("y", f32, [2])]
bias = numpy_helper.from_array(np.array([1.0, 2.0], np.float32), "bias")
then_graph = helper.make_graph([helper.make_node("Sigmoid", ["bias"], ["y"])], "then", [], y, [bias])
else_graph = helper.make_graph([helper.make_node("Tanh", ["x"], ["y"])], "else", [], y)
graph = helper.make_graph([helper.make_node("If", ["c"], ["y"], then_branch=then_graph, else_branch=else_graph)],
                          "g", [helper.make_tensor_value_info("c", TensorProto.BOOL, []),
                                helper.make_tensor_value_info("x", f32, [2])], y)
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), f"{out}/if.onnx")
json.dump(expected, open(f"{out}/expected.json", "w"))
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("torch_models")
    (d / "make.py").write_text(MAKE)
    subprocess.run([PYTHON, str(d / "make.py"), str(d)], check=True, capture_output=True)
    return d


def inspect_json(path, cwd):
    return json.loads(trail("model", "inspect", path, "--format", "json", cwd=cwd).stdout)


def test_torchscript_lists_its_state_dict_with_the_values_written(files):
    j = inspect_json(files / "net.pt", files)
    expected = json.loads((files / "expected.json").read_text())
    assert j["format"] == "torchscript" and j["framework"] == "pytorch"
    assert [t["name"] for t in j["tensor_list"]] == list(expected)  # fc.weight, fc.bias, shift; no `plain`
    for t in j["tensor_list"]:
        assert t["shape"] == expected[t["name"]]["shape"]
        assert t["checksum"] == expected[t["name"]]["checksum"]
    assert j["parameters"] == 6 + 2 + 2
    functions = {(f["kind"], f["name"]) for f in j["functions"]}
    assert {("activation", "ReLU"), ("activation", "Softmax")} <= functions
    assert j["ops"]["Linear"] == 1


def test_legacy_torch_save_is_read(files):
    j = inspect_json(files / "legacy.bin", files)
    expected = json.loads((files / "expected.json").read_text())
    assert j["format"] == "pytorch"
    assert [(t["name"], t["checksum"]) for t in j["tensor_list"]] == [(k, v["checksum"]) for k, v in expected.items()]


def test_a_cut_pytorch_zip_says_so_in_one_line(files):
    cut = trail("model", "inspect", files / "cut.pt", cwd=files, check=False)
    assert cut.returncode == 1
    message = f"{files / 'cut.pt'}: truncated or damaged PyTorch zip (no central directory)"
    assert cut.stderr.strip() == "trail: error: " + message


def test_onnx_subgraph_nodes_and_initializers(files):
    j = inspect_json(files / "if.onnx", files)
    assert j["ops"] == {"If": 1, "Sigmoid": 1, "Tanh": 1}
    assert [(t["name"], t["shape"]) for t in j["tensor_list"]] == [("bias", [2])]
    raw = bytes.fromhex("0000803f00000040")  # 1.0, 2.0 as little-endian float32
    assert j["tensor_list"][0]["checksum"] == hashlib.sha256(raw).hexdigest()[:32]
    assert {f["name"] for f in j["functions"]} == {"Sigmoid", "Tanh"}


def test_a_run_storing_a_torchscript_model_records_its_summary(files, tmp_path):
    repo = make_git_repo(tmp_path / "repo")
    init_project(repo)
    (repo / "models").mkdir()
    (repo / "models" / "net.pt").write_bytes((files / "net.pt").read_bytes())
    trail("run", "--artifact", "models/net.pt", "--", PYTHON, "-c", "pass", cwd=repo)
    model = record(repo, "p-1")["artifacts"][0]["model"]
    summary = (model["format"], model["framework"], model["parameters"], model["tensors"])
    assert summary == ("torchscript", "pytorch", 10, 3)

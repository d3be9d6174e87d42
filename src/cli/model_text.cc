#include "model_text.h"

#include <sys/stat.h>

#include <cstdio>

#include "table.h"
#include "trail/format.h"

namespace trail::cli {
namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

uint64_t Count(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  if (it->is_number_unsigned()) return it->get<uint64_t>();
  if (it->is_number_integer()) return it->get<int64_t>() < 0 ? 0 : static_cast<uint64_t>(it->get<int64_t>());
  return it->get<double>() < 0 ? 0 : static_cast<uint64_t>(it->get<double>());
}

void Line(std::string& out, const std::string& indent, const std::string& key, const std::string& value) {
  if (value.empty()) return;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%-14s ", key.c_str());
  out += indent + buf + value + "\n";
}

std::string Shape(const Json& shape) {
  if (!shape.is_array()) return "?";
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += shape[i].is_number_integer() && shape[i].get<int64_t>() < 0 ? "?" : api::ScalarText(shape[i]);
  }
  return s + "]";
}

std::string Specs(const Json& specs) {
  std::string s;
  if (!specs.is_array()) return s;
  for (const Json& spec : specs) {
    if (!s.empty()) s += ", ";
    s += Str(spec, "name") + " " + Str(spec, "dtype") + " " + Shape(spec.value("shape", Json()));
  }
  return s;
}

std::string Ops(const Json& ops, size_t limit) {
  std::string s;
  size_t n = 0;
  for (auto it = ops.begin(); it != ops.end(); ++it) {
    if (n++ == limit) {
      s += ", ... (" + std::to_string(ops.size()) + " kinds)";
      break;
    }
    s += (s.empty() ? "" : ", ") + it.key() + " " + api::ScalarText(it.value());
  }
  return s;
}

std::string Framework(const Json& m) {
  std::string s = Str(m, "framework");
  const std::string v = Str(m, "framework_version");
  if (!v.empty()) s += (s.empty() ? "" : " ") + v;
  return s;
}

// The header and architecture lines shared by inspect and `trail show`.
void Summary(std::string& out, const Json& m, const std::string& indent) {
  Line(out, indent, "format", Str(m, "format"));
  Line(out, indent, "framework", Framework(m));
  Line(out, indent, "producer", Str(m, "producer"));
  const uint64_t parameters = Count(m, "parameters");
  Line(out, indent, "parameters", ShortCount(parameters) + " (" + Grouped(parameters) + ")");
  Line(out, indent, "tensors", Grouped(Count(m, "tensors")));
  const uint64_t bytes = Count(m, "tensor_bytes");
  Line(out, indent, "bytes", api::FormatBytes(bytes) + " (" + Grouped(bytes) + ")");
}

std::string Number(const Json& v) {
  if (v.is_string()) return v.get<std::string>();  // "nan", "inf"
  if (!v.is_number()) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v.get<double>());
  return buf;
}

}  // namespace

std::string ShortCount(uint64_t n) {
  static const char* const kUnits[] = {"K", "M", "B", "T"};
  if (n < 1000) return std::to_string(n);
  double v = static_cast<double>(n);
  int unit = -1;
  while (v >= 1000 && unit < 3) {
    v /= 1000;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 100 ? "%.1f%s" : "%.0f%s", v, kUnits[unit]);
  return buf;
}

std::string Grouped(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

bool IsModelPath(const std::string& text) { return Exists(text) || Exists(text + ".index"); }

api::ModelRef ParseModelRef(const std::string& text) {
  api::ModelRef ref;
  if (IsModelPath(text)) {
    ref.file = text;
    return ref;
  }
  // A registered version ("model:NAME:N" has colons of its own) is named whole.
  if (text.rfind("model:", 0) == 0) {
    ref.run.run = text;
    return ref;
  }
  const size_t colon = text.find(':');
  ref.run.run = text.substr(0, colon);
  if (colon != std::string::npos) ref.run.artifact = text.substr(colon + 1);
  return ref;
}

std::string RenderInspection(const api::ModelReport& report) {
  const Json& m = report.model;
  std::string out = report.source + "\n";
  Summary(out, m, "  ");

  std::string arch;
  if (m.contains("layer_list")) {
    std::vector<Row> rows;
    for (const Json& l : m["layer_list"]) {
      rows.push_back({"    " + Str(l, "name"), Str(l, "type"), Grouped(Count(l, "parameters"))});
    }
    Line(arch, "  ", "layers", std::to_string(rows.size()));
    arch += RenderTable({"    name", "type", "parameters"}, rows);
  }
  if (m.contains("ops")) Line(arch, "  ", "ops", Ops(m["ops"], 40));
  if (m.contains("inputs")) Line(arch, "  ", "inputs", Specs(m["inputs"]));
  if (m.contains("outputs")) Line(arch, "  ", "outputs", Specs(m["outputs"]));
  if (m.contains("signatures")) {
    for (const Json& s : m["signatures"]) {
      Line(arch, "  ", "signature",
           Str(s, "key") + " (" + Str(s, "method") + "): " + Specs(s.value("inputs", Json())) + " -> " +
               Specs(s.value("outputs", Json())));
    }
  }
  if (!arch.empty()) out += "\narchitecture\n" + arch;

  if (m.contains("functions")) {
    out += "\nfunctions\n";
    std::vector<Row> rows;
    for (const Json& f : m["functions"]) rows.push_back({"  " + Str(f, "kind"), Str(f, "name"), Str(f, "where")});
    out += RenderTable({"  kind", "name", "where"}, rows);
  }

  if (m.contains("tensor_list")) {
    out += "\ntensors\n";
    std::vector<Row> rows;
    for (const Json& t : m["tensor_list"]) {
      std::string name = Str(t, "name");
      if (t.contains("parameter") && t["parameter"] == false) name += " (not a parameter)";
      rows.push_back({"  " + name, Str(t, "dtype"), Shape(t.value("shape", Json())), Grouped(Count(t, "elements")),
                      Grouped(Count(t, "bytes")), Str(t, "checksum")});
    }
    out += RenderTable({"  name", "dtype", "shape", "elements", "bytes", "checksum"}, rows);
  }
  if (m.contains("notes") && m["notes"].is_array() && !m["notes"].empty()) {
    out += "\nnotes\n";
    for (const Json& n : m["notes"]) out += "  " + api::ScalarText(n) + "\n";
  }
  return out;
}

std::string RenderModelSummary(const Json& m, const std::string& indent) {
  std::string out;
  if (!m.is_object()) return out;
  if (m.contains("error")) {
    Line(out, indent, "model", "not read: " + api::ScalarText(m["error"]));
    return out;
  }
  Summary(out, m, indent);
  Line(out, indent, "layers", m.contains("layers") ? api::ScalarText(m["layers"]) : "");
  if (m.contains("ops") && m["ops"].is_object()) Line(out, indent, "ops", Ops(m["ops"], 10));
  if (m.contains("inputs")) Line(out, indent, "inputs", Specs(m["inputs"]));
  if (m.contains("outputs")) Line(out, indent, "outputs", Specs(m["outputs"]));
  if (m.contains("functions") && m["functions"].is_array()) {
    std::string fs;
    for (const Json& f : m["functions"]) fs += (fs.empty() ? "" : ", ") + Str(f, "kind") + " " + Str(f, "name");
    Line(out, indent, "functions", fs);
  }
  return out;
}

std::string RenderModelDiff(const api::ModelDiffReport& report) {
  const Json& d = report.diff;
  const Json& s = d["summary"];
  std::string out = report.source_a + " -> " + report.source_b + "\n";
  const uint64_t changed = Count(s, "changed");
  out += Grouped(changed) + (changed == 1 ? " tensor" : " tensors") + " changed, " + Grouped(Count(s, "identical")) +
         " identical, " + Grouped(Count(s, "added")) + " added, " + Grouped(Count(s, "removed")) + " removed";
  if (Count(s, "reshaped")) out += ", " + std::to_string(Count(s, "reshaped")) + " reshaped";
  if (Count(s, "dtype_changed")) out += ", " + std::to_string(Count(s, "dtype_changed")) + " dtype changed";
  const uint64_t pa = Count(s, "parameters_a"), pb = Count(s, "parameters_b");
  out += "; parameters " + ShortCount(pa) + (pa == pb ? " (same)" : " -> " + ShortCount(pb)) + "\n";

  if (d.contains("architecture") && !d["architecture"].empty()) {
    out += "\narchitecture\n";
    for (const Json& c : d["architecture"]) {
      std::string path = Str(c, "path");
      out += "  " + Str(c, "what") + (path.empty() ? "" : " " + path) + ": " +
             api::DumpJson(c.value("old", Json()), -1) + " -> " + api::DumpJson(c.value("new", Json()), -1) + "\n";
    }
    if (d.contains("architecture_more")) out += "  ... and " + api::ScalarText(d["architecture_more"]) + " more\n";
  }
  if (d.contains("tensors") && !d["tensors"].empty()) {
    out += "\ntensors\n";
    std::vector<Row> rows;
    for (const Json& t : d["tensors"]) {
      const std::string da = Str(t, "dtype_a"), db = Str(t, "dtype_b");
      const std::string dtype = da == db ? da : (da.empty() ? "-" : da) + " -> " + (db.empty() ? "-" : db);
      const std::string sa = da.empty() ? "-" : Shape(t.value("shape_a", Json()));
      const std::string sb = db.empty() ? "-" : Shape(t.value("shape_b", Json()));
      rows.push_back({"  " + Str(t, "name"), Str(t, "change"), dtype, sa == sb ? sa : sa + " -> " + sb,
                      Number(t.value("relative_l2", Json())), Number(t.value("max_abs_diff", Json())),
                      Number(t.value("cosine", Json()))});
    }
    out += RenderTable({"  name", "change", "dtype", "shape", "rel L2", "max |a-b|", "cosine"}, rows);
  }
  return out;
}

}  // namespace trail::cli

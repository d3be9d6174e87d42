#include "run_table.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace trail::python {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool Digits(std::string_view s, size_t at, size_t n, int64_t* out) {
  if (at + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

int64_t ParseIsoTimeNs(std::string_view s) {
  int64_t y, mo, d, h, mi, sec;
  if (s.size() < 19 || !Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &mo) || s[7] != '-' ||
      !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') || !Digits(s, 11, 2, &h) || s[13] != ':' ||
      !Digits(s, 14, 2, &mi) || s[16] != ':' || !Digits(s, 17, 2, &sec)) {
    return RunTable::kNoTime;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return RunTable::kNoTime;
  size_t at = 19;
  int64_t fraction_ns = 0;
  if (at < s.size() && s[at] == '.') {
    ++at;
    int64_t scale = 100000000;
    size_t digits = 0;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      fraction_ns += (s[at] - '0') * scale;
      scale /= 10;
      ++at;
      ++digits;
    }
    if (digits == 0) return RunTable::kNoTime;
  }
  int64_t offset_s = 0;
  if (at < s.size() && s[at] == 'Z') {
    ++at;
  } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
    int64_t oh, om;
    if (!Digits(s, at + 1, 2, &oh) || at + 3 >= s.size() || s[at + 3] != ':' || !Digits(s, at + 4, 2, &om)) {
      return RunTable::kNoTime;
    }
    offset_s = (oh * 3600 + om * 60) * (s[at] == '-' ? -1 : 1);
    at += 6;
  }
  if (at != s.size()) return RunTable::kNoTime;
  const int64_t seconds = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_s;
  return seconds * 1000000000 + fraction_ns;
}

void ValueColumn::Grow(size_t row) {
  if (type.size() > row) return;
  type.resize(row + 1, kMissing);
  number.resize(row + 1, kNaN);
  if (!integer.empty()) integer.resize(row + 1, 0);
  if (!text.empty()) text.resize(row + 1);
}

void ValueColumn::SetNumber(size_t row, double value) {
  Grow(row);
  type[row] = kFloat;
  number[row] = value;
  ++count[kFloat];
}

void ValueColumn::SetInt(size_t row, int64_t value) {
  Grow(row);
  if (integer.empty()) integer.resize(type.size(), 0);
  type[row] = kInt;
  number[row] = static_cast<double>(value);
  integer[row] = value;
  ++count[kInt];
}

void ValueColumn::SetText(size_t row, std::string_view value) {
  Grow(row);
  if (text.empty()) text.resize(type.size());
  type[row] = kText;
  text[row].assign(value);
  ++count[kText];
}

void ValueColumn::Set(size_t row, const Json& value) {
  switch (value.type()) {
    case Json::value_t::boolean:
      Grow(row);
      type[row] = kBool;
      number[row] = value.get<bool>() ? 1 : 0;
      ++count[kBool];
      break;
    case Json::value_t::number_integer:
      SetInt(row, value.get<int64_t>());
      break;
    case Json::value_t::number_unsigned: {
      const uint64_t u = value.get<uint64_t>();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        SetInt(row, static_cast<int64_t>(u));
      } else {
        SetNumber(row, static_cast<double>(u));
      }
      break;
    }
    case Json::value_t::number_float:
      SetNumber(row, value.get<double>());
      break;
    case Json::value_t::string:
      SetText(row, value.get_ref<const std::string&>());
      break;
    case Json::value_t::null:
      break;
    default:
      SetText(row, value.dump());  // the index holds scalars; anything else shows as its JSON
      break;
  }
}

void ValueColumn::Finish(size_t rows) {
  if (type.size() < rows) {
    type.resize(rows, kMissing);
    number.resize(rows, kNaN);
    if (!integer.empty()) integer.resize(rows, 0);
    if (!text.empty()) text.resize(rows);
  }
  count[kMissing] = static_cast<int64_t>(rows) - count[kInt] - count[kFloat] - count[kBool] - count[kText];
}

ValueColumn& RunTable::Group::Find(size_t position, const std::string& key) {
  if (position < hint.size() && hint[position].first == key) return *columns[hint[position].second];
  auto [it, added] = by_key.try_emplace(key, columns.size());
  if (added) {
    columns.push_back(std::make_unique<ValueColumn>());
    columns.back()->name = prefix + key + suffix;
  }
  if (position >= hint.size()) hint.resize(position + 1);
  hint[position] = {key, it->second};
  return *columns[it->second];
}

void RunTable::AddGroup(Group& group, const Json& values) {
  if (!values.is_object()) return;
  size_t position = 0;
  for (auto it = values.begin(); it != values.end(); ++it, ++position) {
    group.Find(position, it.key()).Set(rows_, it.value());
  }
}

void RunTable::Add(const api::RunRow& row) {
  id_.push_back(row.id);
  name_.push_back(row.name);
  status_.push_back(row.status);
  user_.push_back(row.user);
  parent_.push_back(row.parent);
  number_.push_back(row.number);
  const int64_t start = ParseIsoTimeNs(row.started);
  start_ns_.push_back(start);
  duration_s_.push_back(row.duration_s.value_or(kNaN));
  if (start != kNoTime && row.duration_s && std::isfinite(*row.duration_s) && std::fabs(*row.duration_s) < 1e9) {
    end_ns_.push_back(start + static_cast<int64_t>(std::llround(*row.duration_s * 1e9)));
  } else {
    end_ns_.push_back(kNoTime);
  }
  exit_code_.push_back(row.exit_code.value_or(0));
  has_exit_code_.push_back(row.exit_code.has_value() ? 1 : 0);
  archived_.push_back(row.archived ? 1 : 0);

  AddGroup(params_, row.params);
  if (row.metrics.is_object()) {
    size_t position = 0;
    for (auto it = row.metrics.begin(); it != row.metrics.end(); ++it, ++position) {
      const Json& summary = it.value();
      if (!summary.is_object()) continue;
      auto put = [&](Group& group, const char* field) {
        auto f = summary.find(field);
        ValueColumn& column = group.Find(position, it.key());
        if (f != summary.end() && f->is_number()) {
          if (f->is_number_float()) {
            column.SetNumber(rows_, f->get<double>());
          } else {
            column.Set(rows_, *f);
          }
        }
      };
      put(metrics_, "last");
      if (summaries_) {
        put(min_, "min");
        put(max_, "max");
        put(count_, "count");
      }
    }
  }
  AddGroup(tags_, row.tags);
  AddGroup(derived_, row.derived);
  AddGroup(context_, row.context);
  AddGroup(model_, row.model);
  ++rows_;
}

void RunTable::Finish() {
  for (Group* g : {&params_, &metrics_, &min_, &max_, &count_, &tags_, &derived_, &context_, &model_}) {
    for (auto& c : g->columns) c->Finish(rows_);
  }
}

std::vector<const ValueColumn*> RunTable::Columns() const {
  std::vector<const ValueColumn*> out;
  auto add = [&](const Group& g) {
    std::vector<const ValueColumn*> group;
    for (const auto& c : g.columns) group.push_back(c.get());
    std::sort(group.begin(), group.end(), [](const ValueColumn* a, const ValueColumn* b) { return a->name < b->name; });
    out.insert(out.end(), group.begin(), group.end());
  };
  add(params_);
  if (summaries_) {
    // Each metric's last value, then its min, max and count, side by side.
    std::vector<const Group*> parts = {&metrics_, &min_, &max_, &count_};
    std::vector<std::pair<std::string, const ValueColumn*>> keyed;
    for (size_t p = 0; p < parts.size(); ++p) {
      for (const auto& [key, i] : parts[p]->by_key) {
        keyed.emplace_back(key + '\0' + static_cast<char>('0' + p), parts[p]->columns[i].get());
      }
    }
    std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& k : keyed) out.push_back(k.second);
  } else {
    add(metrics_);
  }
  add(tags_);
  add(derived_);
  add(context_);
  add(model_);
  return out;
}

}  // namespace trail::python

// Table 1 from live objects: the hooks (Keras, PyTorch, scikit-learn) see the
// model itself, not its source, and ask the same alias table the source
// scanner uses (include/trail/context.h) what it means, so a spelling is
// taught to trail in one place.
#pragma once

#include <pybind11/pybind11.h>

namespace trail::python {

namespace py = pybind11;

// What the scanner would report for a call `dotted(**kwargs)`: the symbol's
// own kinds, then its keyword arguments and the defaults of the arguments not
// given. A list of (category, name) tuples, each once, in that order.
py::list FunctionsOf(const std::string& dotted, py::dict kwargs);
// What a string means for a keyword (loss='mse', activation='relu'):
// (category, name), or None when it is not known or names no function.
py::object LookupFunction(const std::string& keyword, const std::string& value);

}  // namespace trail::python

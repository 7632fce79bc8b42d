// ml5_native._engine: the C++ engine for Python. Array checks and error messages live here;
// inference itself is the same noexcept code a C++ host runs.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>

#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "arrays.hpp"
#include "ml5/ml5.hpp"

void bind_processor(nanobind::module_& m);  // processor.cpp
void bind_audio(nanobind::module_& m);      // audio.cpp

namespace nb = nanobind;
using namespace nb::literals;

namespace {

using ml5py::as_float32;
using ml5py::InArray;
using ml5py::new_array;
using ml5py::OutArray;
using ml5py::shape_of;

// A model plus the lock that keeps two Python threads from stepping it at once
// (forward_batch runs without the GIL).
struct PyModel {
    explicit PyModel(ml5::Model m) : model(std::move(m)) {}
    ml5::Model model;
    std::mutex mu;
};

OutArray forward(PyModel& self, nb::handle x) {
    const InArray in = as_float32(x);
    const auto n_in = static_cast<std::size_t>(self.model.in_size());
    if (in.ndim() != 1 || in.shape(0) != n_in)
        throw nb::value_error(("forward: expected a 1-D array of " + std::to_string(n_in) +
                               " values (the model's in_size), got shape " + shape_of(in))
                                  .c_str());
    float* out = nullptr;
    OutArray result = new_array(1, static_cast<std::size_t>(self.model.out_size()), false, &out);
    std::lock_guard<std::mutex> lock(self.mu);
    self.model.forward(in.data(), out);
    return result;
}

OutArray forward_batch(PyModel& self, nb::handle x) {
    const InArray in = as_float32(x);
    const auto n_in = static_cast<std::size_t>(self.model.in_size());
    const auto n_out = static_cast<std::size_t>(self.model.out_size());
    if (in.ndim() != 2 || in.shape(1) != n_in)
        throw nb::value_error(("forward_batch: expected a 2-D array of shape (n, " + std::to_string(n_in) +
                               ") (one frame per row; in_size " + std::to_string(n_in) + "), got shape " +
                               shape_of(in))
                                  .c_str());
    const std::size_t rows = in.shape(0);
    float* out = nullptr;
    OutArray result = new_array(rows, n_out, true, &out);
    const float* src = in.data();
    {
        nb::gil_scoped_release release;
        std::lock_guard<std::mutex> lock(self.mu);
        self.model.forward_batch(src, rows, out);
    }
    return result;
}

ml5::Precision precision_of(const std::string& name) {
    try {
        return ml5::precision_from_string(name.c_str());
    } catch (const std::invalid_argument& e) {
        throw nb::value_error(e.what());
    }
}

std::unique_ptr<PyModel> load_file(const std::string& path, const std::string& precision) {
    const ml5::Precision p = precision_of(precision);
    nb::gil_scoped_release release;
    return std::make_unique<PyModel>(ml5::load_model_file(path, p));
}

std::unique_ptr<PyModel> load_text(nb::handle text, const std::string& precision) {
    const ml5::Precision p = precision_of(precision);
    std::string buf;
    if (nb::isinstance<nb::bytes>(text)) {
        nb::bytes b = nb::borrow<nb::bytes>(text);
        buf.assign(b.c_str(), b.size());
    } else if (nb::isinstance<nb::str>(text)) {
        buf = nb::cast<std::string>(text);
    } else {
        throw nb::type_error("loads: expected str or bytes");
    }
    nb::gil_scoped_release release;
    return std::make_unique<PyModel>(ml5::load_model(buf, p));
}

std::vector<std::tuple<std::string, int, int, std::string>> layers(const PyModel& self) {
    std::vector<std::tuple<std::string, int, int, std::string>> out;
    for (std::size_t i = 0; i < self.model.n_layers(); ++i) {
        const ml5::Layer& l = self.model.layer(i);
        out.emplace_back(l.type(), l.in_size(), l.out_size(), ml5::activation_name(l.activation()));
    }
    return out;
}

}  // namespace

NB_MODULE(_engine, m) {
    m.doc() = "C++ engine for RTNeural-format models (ml5-native)";
    m.attr("__version__") = ml5::kVersion;
    nb::exception<ml5::LoadError>(m, "LoadError", PyExc_ValueError);

    nb::class_<PyModel>(m, "Model", "A loaded model, run one frame per forward() call.")
        .def("forward", &forward, "x"_a,
             "Run one frame: x is 1-D with in_size values; returns out_size float32 values.")
        .def("forward_batch", &forward_batch, "X"_a,
             "Run each row of the 2-D X as one frame (in order); returns (rows, out_size). "
             "Stateless: every row is independent, computed in blocks that read each weight once per "
             "block. Streaming: the rows are consecutive steps.")
        .def("reset", [](PyModel& self) {
            std::lock_guard<std::mutex> lock(self.mu);
            self.model.reset();
        }, "Zero the recurrent state and convolution history.")
        .def_prop_ro("in_size", [](const PyModel& s) { return s.model.in_size(); })
        .def_prop_ro("out_size", [](const PyModel& s) { return s.model.out_size(); })
        .def_prop_ro("n_params", [](const PyModel& s) { return s.model.n_params(); },
                     "Numbers in the file's weights arrays.")
        .def_prop_ro("weight_bytes", [](const PyModel& s) { return s.model.weight_bytes(); },
                     "Bytes of weights held in memory, alignment padding included.")
        .def_prop_rw("stateless", [](const PyModel& s) { return s.model.stateless(); },
                     [](PyModel& s, bool v) {
                         std::lock_guard<std::mutex> lock(s.mu);
                         s.model.set_stateless(v);
                     },
                     "True (default): every frame starts from a zero state, as the ml5 models are "
                     "trained. False: state carries over between frames (streaming). Switching resets.")
        .def_prop_ro("layers", &layers, "List of (type, in_size, out_size, activation).")
        .def_prop_ro("precision", [](const PyModel& s) { return std::string(ml5::to_string(s.model.precision())); },
                     "How the weight matrices are held: 'fp32' or 'fp16'.")
        .def("__repr__", [](const PyModel& s) {
            return "<ml5_native.Model " + std::to_string(s.model.in_size()) + " -> " +
                   std::to_string(s.model.out_size()) + ", " + std::to_string(s.model.n_layers()) + " layers, " +
                   std::to_string(s.model.n_params()) + " params>";
        });

    m.def("load_file", &load_file, "path"_a, "precision"_a = "fp32", "Load a model file (raises LoadError).");
    m.def("loads", &load_text, "text"_a, "precision"_a = "fp32",
          "Load a model from JSON text, str or bytes (raises LoadError).");

    bind_processor(m);
    bind_audio(m);
}

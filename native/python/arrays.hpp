// Array helpers shared by the binding's source files: input conversion, shapes, new outputs.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstddef>
#include <string>

namespace ml5py {

namespace nb = nanobind;

using InArray = nb::ndarray<const float, nb::c_contig, nb::device::cpu>;
using OutArray = nb::ndarray<nb::numpy, float>;

// Any array-like as a C-contiguous float32 array (numpy does the conversion).
inline InArray as_float32(nb::handle x) {
    using namespace nb::literals;
    // Deliberately leaked: destroying Python objects after interpreter shutdown would crash.
    static const nb::object* ascontiguousarray =
        new nb::object(nb::module_::import_("numpy").attr("ascontiguousarray"));
    static const nb::object* float32 = new nb::object(nb::module_::import_("numpy").attr("float32"));
    return nb::cast<InArray>((*ascontiguousarray)(x, "dtype"_a = *float32));
}

inline std::string shape_of(const InArray& a) {
    std::string s = "(";
    for (std::size_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
    return s + (a.ndim() == 1 ? ",)" : ")");
}

// A new zeroed float32 array of (rows, cols), or (cols,) when two_d is false.
inline OutArray new_array(std::size_t rows, std::size_t cols, bool two_d, float** data) {
    auto* buf = new float[rows * cols]();
    nb::capsule owner(buf, [](void* p) noexcept { delete[] static_cast<float*>(p); });
    *data = buf;
    if (two_d) return OutArray(buf, {rows, cols}, owner);
    return OutArray(buf, {cols}, owner);
}

// A new 1-D float32 array holding a copy of values[0..n).
inline OutArray copy_array(const float* values, std::size_t n) {
    float* out = nullptr;
    OutArray a = new_array(1, n, false, &out);
    for (std::size_t i = 0; i < n; ++i) out[i] = values[i];
    return a;
}

}  // namespace ml5py

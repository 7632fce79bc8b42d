// Strict RTNeural-format reader. Each check runs before anything is allocated from the
// sizes it checks, so memory stays proportional to the file whatever the file says.
//
// Parsing uses yyjson: strict by default (one value, no comments, NaN, Infinity, trailing
// commas or invalid UTF-8), correctly rounded numbers, and several times faster than a
// stream-based parser on files that are mostly numbers (the melody model is 640k of them).
#include "ml5/loader.hpp"

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "ml5/layers/activation_layer.hpp"
#include "ml5/layers/batchnorm.hpp"
#include "ml5/layers/conv1d.hpp"
#include "ml5/layers/dense.hpp"
#include "ml5/layers/gru.hpp"
#include "ml5/layers/lstm.hpp"
#include "ml5/layers/prelu.hpp"
#include "yyjson.h"

namespace ml5 {
namespace {

// A read-only view of one value of a parsed document (yyjson owns the memory).
class json {
public:
    json(yyjson_val* v = nullptr) noexcept : v_(v) {}  // NOLINT: implicit from the C handle

    bool is_array() const noexcept { return yyjson_is_arr(v_); }
    bool is_object() const noexcept { return yyjson_is_obj(v_); }
    bool is_string() const noexcept { return yyjson_is_str(v_); }
    bool is_number() const noexcept { return yyjson_is_num(v_); }
    bool is_number_integer() const noexcept { return yyjson_is_int(v_); }
    bool is_number_unsigned() const noexcept { return yyjson_is_uint(v_); }
    bool empty() const noexcept { return size() == 0; }
    std::size_t size() const noexcept { return yyjson_is_arr(v_) ? yyjson_arr_size(v_) : yyjson_obj_size(v_); }
    double number() const noexcept { return yyjson_get_num(v_); }
    std::uint64_t as_uint() const noexcept { return yyjson_get_uint(v_); }
    std::int64_t as_sint() const noexcept { return yyjson_get_sint(v_); }
    std::string str() const { return std::string(yyjson_get_str(v_), yyjson_get_len(v_)); }

    // Array entry i (callers check size() first). O(1) for arrays of scalars, else a walk:
    // loops over big arrays use for_each instead.
    json operator[](std::size_t i) const noexcept { return yyjson_arr_get(v_, i); }
    json back() const noexcept { return yyjson_arr_get_last(v_); }

    // The value of key, or an empty view (find(key).exists() == false).
    json find(const char* key) const noexcept { return yyjson_obj_get(v_, key); }
    bool exists() const noexcept { return v_ != nullptr; }

    template <class F>
    void for_each(F&& f) const {
        yyjson_arr_iter it = yyjson_arr_iter_with(v_);
        std::size_t i = 0;
        while (yyjson_val* item = yyjson_arr_iter_next(&it)) f(i++, json(item));
    }

    const char* kind() const noexcept {
        switch (yyjson_get_type(v_)) {
            case YYJSON_TYPE_NULL: return "null";
            case YYJSON_TYPE_BOOL: return "a boolean";
            case YYJSON_TYPE_STR: return "a string";
            case YYJSON_TYPE_ARR: return "an array";
            case YYJSON_TYPE_OBJ: return "an object";
            case YYJSON_TYPE_NUM: return "a number";
            default: return "invalid";
        }
    }

private:
    yyjson_val* v_;
};

const char* kind_of(const json& v) noexcept { return v.kind(); }

// A file's string shown in a message: quoted, printable ASCII only, at most 40 characters.
std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size() && i < 40; ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        out += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? static_cast<char>(c) : '?';
    }
    if (s.size() > 40) out += "...";
    return out + "\"";
}

// Where an error is: "layer 2 (lstm)" or "model".
class Context {
public:
    explicit Context(std::string where) : where_(std::move(where)) {}
    [[noreturn]] void fail(const std::string& what) const { throw LoadError(where_ + ": " + what); }
    const std::string& where() const noexcept { return where_; }

private:
    std::string where_;
};

json require(const Context& ctx, const json& obj, const char* key) {
    const json v = obj.find(key);
    if (!v.exists()) ctx.fail(std::string("missing key \"") + key + "\"");
    return v;
}

int positive_int(const Context& ctx, const json& v, const std::string& what, std::int64_t max = kMaxLayerSize) {
    if (!v.is_number_integer()) ctx.fail(what + " must be a positive integer, got " + kind_of(v));
    if (v.is_number_unsigned()) {
        const auto u = v.as_uint();
        if (u == 0 || u > static_cast<std::uint64_t>(max))
            ctx.fail(what + " is " + std::to_string(u) + ", expected 1.." + std::to_string(max));
        return static_cast<int>(u);
    }
    const auto s = v.as_sint();
    if (s <= 0 || s > max) ctx.fail(what + " is " + std::to_string(s) + ", expected 1.." + std::to_string(max));
    return static_cast<int>(s);
}

// A size written as a number or as a list whose last entry counts ([null, null, 7], [3]).
int size_from(const Context& ctx, const json& v, const std::string& what) {
    if (v.is_array()) {
        if (v.empty()) ctx.fail(what + " is an empty array");
        return positive_int(ctx, v.back(), what + " (last entry)");
    }
    return positive_int(ctx, v, what);
}

// A weight as float32, or why it is not one (nullptr when it is fine). The caller names the
// position only on failure: building that text for every weight would dominate load time.
const char* to_float(const json& v, float& out) noexcept {
    if (!v.is_number()) return "expected a number";
    const double d = v.number();
    if (!std::isfinite(d) || std::fabs(d) > static_cast<double>(FLT_MAX)) return "not a finite float32 number";
    out = static_cast<float>(d);
    return nullptr;
}

float number(const Context& ctx, const json& v, const std::string& what) {
    float out = 0.0f;
    if (const char* problem = to_float(v, out)) ctx.fail(what + " is " + kind_of(v) + ": " + problem);
    return out;
}

std::string index_text(std::initializer_list<std::size_t> at) {
    std::string s;
    for (std::size_t i : at) s += "[" + std::to_string(i) + "]";
    return s;
}

std::string dims(std::size_t a, std::size_t b) { return std::to_string(a) + " x " + std::to_string(b); }

// Checks that v is an array of n entries (numbers are checked when read).
void expect_length(const Context& ctx, const json& v, std::size_t n, const std::string& what, const char* unit,
                   const std::string& layout) {
    const std::string tail = layout.empty() ? "" : " " + layout;
    if (!v.is_array()) ctx.fail(what + " is " + kind_of(v) + ", expected an array of " + std::to_string(n) + " " + unit + tail);
    if (v.size() != n)
        ctx.fail(what + " has " + std::to_string(v.size()) + " " + unit + ", expected " + std::to_string(n) + tail);
}

std::vector<float> read_vector(const Context& ctx, const json& v, std::size_t n, const std::string& what,
                               const std::string& layout) {
    expect_length(ctx, v, n, what, "values", layout);
    std::vector<float> out(n);
    v.for_each([&](std::size_t i, const json& x) {
        if (const char* problem = to_float(x, out[i])) ctx.fail(what + index_text({i}) + " is " + kind_of(x) + ": " + problem);
    });
    return out;
}

// A rows x cols array of numbers, flattened row-major. The shape is checked in full first.
std::vector<float> read_matrix(const Context& ctx, const json& v, std::size_t rows, std::size_t cols,
                               const std::string& what, const std::string& layout) {
    const std::string full = "(" + dims(rows, cols) + " " + layout + ")";
    expect_length(ctx, v, rows, what, "rows", full);
    v.for_each([&](std::size_t r, const json& row) { expect_length(ctx, row, cols, what + index_text({r}), "values", full); });
    std::vector<float> out(rows * cols);
    v.for_each([&](std::size_t r, const json& row) {
        row.for_each([&](std::size_t c, const json& x) {
            if (const char* problem = to_float(x, out[r * cols + c]))
                ctx.fail(what + index_text({r, c}) + " is " + kind_of(x) + ": " + problem);
        });
    });
    return out;
}

// A K x rows x cols array of numbers, flattened.
std::vector<float> read_tensor3(const Context& ctx, const json& v, std::size_t K, std::size_t rows,
                                std::size_t cols, const std::string& what, const std::string& layout) {
    const std::string full = "(" + std::to_string(K) + " x " + dims(rows, cols) + " " + layout + ")";
    expect_length(ctx, v, K, what, "taps", full);
    v.for_each([&](std::size_t k, const json& tap) {
        expect_length(ctx, tap, rows, what + index_text({k}), "rows", full);
        tap.for_each([&](std::size_t r, const json& row) {
            expect_length(ctx, row, cols, what + index_text({k, r}), "values", full);
        });
    });
    std::vector<float> out(K * rows * cols);
    v.for_each([&](std::size_t k, const json& tap) {
        tap.for_each([&](std::size_t r, const json& row) {
            row.for_each([&](std::size_t c, const json& x) {
                if (const char* problem = to_float(x, out[(k * rows + r) * cols + c]))
                    ctx.fail(what + index_text({k, r, c}) + " is " + kind_of(x) + ": " + problem);
            });
        });
    });
    return out;
}

// fp16 holds a weight only up to 65504, the largest half; beyond it the weight would become
// infinity. Refused, naming the first such weight, rather than changed.
void check_half_range(const Context& ctx, const std::vector<float>& k, std::size_t cols, const std::string& what,
                      Precision precision) {
    if (precision != Precision::fp16) return;
    for (std::size_t at = 0; at < k.size(); ++at) {
        if (std::fabs(k[at]) <= kHalfMax) continue;
        char value[32];
        std::snprintf(value, sizeof value, "%.9g", static_cast<double>(k[at]));
        ctx.fail(what + index_text({at / cols, at % cols}) + " is " + value +
                 ", beyond the largest half-precision number (65504): load this model in fp32");
    }
}

const char* const kActivationList = "tanh, relu, sigmoid, softmax, elu, or \"\" for none";

// The "activation" key of dense, time-distributed-dense, conv1d and activation layers.
Activation read_activation(const Context& ctx, const json& layer, bool required) {
    const json it = layer.find("activation");
    if (!it.exists()) {
        if (required) ctx.fail("missing key \"activation\"");
        return Activation::None;
    }
    if (!it.is_string()) ctx.fail(std::string("\"activation\" is ") + kind_of(it) + ", expected a string");
    const std::string name = it.str();
    Activation a = Activation::None;
    if (!parse_activation(name, a)) ctx.fail("unknown activation " + quoted(name) + " (accepted: " + kActivationList + ")");
    return a;
}

// Kinds whose activation is fixed: a file must not declare another one, which RTNeural would ignore.
void check_fixed_activation(const Context& ctx, const json& layer, const char* allowed, const char* why) {
    const json it = layer.find("activation");
    if (!it.exists()) return;
    if (!it.is_string()) ctx.fail(std::string("\"activation\" is ") + kind_of(it) + ", expected a string");
    const std::string name = it.str();
    if (!name.empty() && name != allowed) ctx.fail("activation " + quoted(name) + " is not supported: " + why);
}

void expect_weight_count(const Context& ctx, const json& w, std::size_t lo, std::size_t hi, const char* form) {
    if (w.size() < lo || w.size() > hi)
        ctx.fail("weights holds " + std::to_string(w.size()) + " arrays, expected " + form);
}

void expect_same_size(const Context& ctx, int out, int in) {
    if (out != in)
        ctx.fail("shape gives size " + std::to_string(out) + " but the previous layer's output size is " +
                 std::to_string(in) + " (this kind keeps the size)");
}

std::unique_ptr<Layer> dense(const Context& ctx, const json& layer, const json& w, int in, int out,
                             const char* type, Precision precision) {
    const Activation act = read_activation(ctx, layer, false);
    expect_weight_count(ctx, w, 1, 2, "[kernel] or [kernel, bias]");
    const auto kernel = read_matrix(ctx, w[0], static_cast<std::size_t>(in), static_cast<std::size_t>(out),
                                    "weights[0] (kernel)", "[in][out]; a PyTorch weight must be transposed");
    check_half_range(ctx, kernel, static_cast<std::size_t>(out), "weights[0] (kernel)", precision);
    std::vector<float> bias;
    if (w.size() == 2)
        bias = read_vector(ctx, w[1], static_cast<std::size_t>(out), "weights[1] (bias)", "(one per output)");
    auto d = std::make_unique<Dense>(in, out, act, type, precision);
    d->set_kernel(kernel.data());
    if (!bias.empty()) d->set_bias(bias.data());
    return d;
}

std::unique_ptr<Layer> lstm(const Context& ctx, const json& layer, const json& w, int in, int H,
                            Precision precision) {
    check_fixed_activation(ctx, layer, "tanh", "lstm always applies tanh (with sigmoid gates)");
    expect_weight_count(ctx, w, 3, 3, "[W, U, b]");
    const std::size_t n = static_cast<std::size_t>(in), h = static_cast<std::size_t>(H);
    const auto W = read_matrix(ctx, w[0], n, 4 * h, "weights[0] (input kernel)", "[in][4H], gates i, f, c, o");
    const auto U = read_matrix(ctx, w[1], h, 4 * h, "weights[1] (recurrent kernel)", "[H][4H], gates i, f, c, o");
    const auto b = read_vector(ctx, w[2], 4 * h, "weights[2] (bias)", "(one summed bias of 4H values)");
    check_half_range(ctx, W, 4 * h, "weights[0] (input kernel)", precision);
    check_half_range(ctx, U, 4 * h, "weights[1] (recurrent kernel)", precision);
    auto l = std::make_unique<LSTM>(in, H, precision);
    l->set_weights(W.data(), U.data(), b.data());
    return l;
}

std::unique_ptr<Layer> gru(const Context& ctx, const json& layer, const json& w, int in, int H) {
    check_fixed_activation(ctx, layer, "tanh", "gru always applies tanh (with sigmoid gates)");
    expect_weight_count(ctx, w, 3, 3, "[W, U, B]");
    const std::size_t n = static_cast<std::size_t>(in), h = static_cast<std::size_t>(H);
    const auto W = read_matrix(ctx, w[0], n, 3 * h, "weights[0] (input kernel)", "[in][3H], gates z, r, h");
    const auto U = read_matrix(ctx, w[1], h, 3 * h, "weights[1] (recurrent kernel)", "[H][3H], gates z, r, h");
    const auto B = read_matrix(ctx, w[2], 2, 3 * h, "weights[2] (bias)", "[input bias, recurrent bias]");
    auto g = std::make_unique<GRU>(in, H);
    g->set_weights(W.data(), U.data(), B.data());
    return g;
}

std::unique_ptr<Layer> conv1d(const Context& ctx, const json& layer, const json& w, int in, int out,
                              std::size_t& state_floats) {
    const Activation act = read_activation(ctx, layer, false);
    const int K = size_from(ctx, require(ctx, layer, "kernel_size"), "kernel_size");
    const int d = size_from(ctx, require(ctx, layer, "dilation"), "dilation");
    const json g_it = layer.find("groups");
    const int G = g_it.exists() ? size_from(ctx, g_it, "groups") : 1;
    if (in % G != 0 || out % G != 0)
        ctx.fail("groups " + std::to_string(G) + " must divide both the input channels (" + std::to_string(in) +
                 ") and the output channels (" + std::to_string(out) + ")");
    expect_weight_count(ctx, w, 2, 2, "[W, b]");
    const std::size_t cg = static_cast<std::size_t>(in / G);
    const auto W = read_tensor3(ctx, w[0], static_cast<std::size_t>(K), cg, static_cast<std::size_t>(out),
                                "weights[0] (kernel)", "[kernel_size][in/groups][out]");
    const auto b = read_vector(ctx, w[1], static_cast<std::size_t>(out), "weights[1] (bias)", "(one per output)");
    // The history is the one buffer whose size the weights do not bound: cap it.
    const std::size_t frames = static_cast<std::size_t>(K - 1) * static_cast<std::size_t>(d) + 1;
    const std::size_t floats = frames * static_cast<std::size_t>(in);
    if (floats > kMaxStateFloats || state_floats + floats > kMaxStateFloats)
        ctx.fail("history of " + std::to_string(frames) + " frames x " + std::to_string(in) +
                 " channels exceeds the model's limit of " + std::to_string(kMaxStateFloats) + " floats of state");
    state_floats += floats;
    auto c = std::make_unique<Conv1D>(in, out, K, d, G, act);
    c->set_weights(W.data(), b.data());
    return c;
}

std::unique_ptr<Layer> prelu(const Context& ctx, const json& layer, const json& w, int in, int out) {
    check_fixed_activation(ctx, layer, "", "prelu applies no further activation");
    expect_same_size(ctx, out, in);
    expect_weight_count(ctx, w, 1, 1, "[[alphas]]");
    if (!w[0].is_array() || w[0].size() != 1 || !w[0][0].is_array())
        ctx.fail("weights[0] must be [[alpha, ...]]: one row holding 1 or " + std::to_string(in) + " alphas");
    const json row = w[0][0];
    if (row.size() != 1 && row.size() != static_cast<std::size_t>(in))
        ctx.fail("weights[0][0] holds " + std::to_string(row.size()) + " alphas, expected 1 or " + std::to_string(in) +
                 " (one per channel)");
    const auto alphas = read_vector(ctx, row, row.size(), "weights[0][0] (alphas)", "");
    auto p = std::make_unique<PReLU>(in);
    p->set_alphas(alphas.data(), static_cast<int>(alphas.size()));
    return p;
}

std::unique_ptr<Layer> batchnorm(const Context& ctx, const json& layer, const json& w, int in, int out) {
    check_fixed_activation(ctx, layer, "", "batchnorm applies no activation");
    expect_same_size(ctx, out, in);
    if (w.size() != 2 && w.size() != 4)
        ctx.fail("weights holds " + std::to_string(w.size()) +
                 " arrays, expected [gamma, beta, mean, var] or [mean, var]");
    const json eps_v = require(ctx, layer, "epsilon");
    const float eps = number(ctx, eps_v, "epsilon");
    if (eps < 0.0f) ctx.fail("epsilon must not be negative");
    const std::size_t n = static_cast<std::size_t>(in);
    const bool affine = w.size() == 4;
    const char* names[4] = {"gamma", "beta", "running_mean", "running_var"};
    std::vector<float> v[4];
    for (std::size_t i = 0; i < w.size(); ++i) {
        const char* name = names[affine ? i : i + 2];
        v[i] = read_vector(ctx, w[i], n, "weights[" + std::to_string(i) + "] (" + name + ")", "(one per channel)");
    }
    auto bn = std::make_unique<BatchNorm>(in);
    const bool ok = affine ? bn->set_weights(v[0].data(), v[1].data(), v[2].data(), v[3].data(), eps_v.number())
                           : bn->set_weights(nullptr, nullptr, v[0].data(), v[1].data(), eps_v.number());
    if (!ok) ctx.fail("gamma / sqrt(running_var + epsilon) is not finite for some channel (variance <= -epsilon?)");
    return bn;
}

std::unique_ptr<Layer> activation_layer(const Context& ctx, const json& layer, const json& w, int in, int out) {
    const Activation act = read_activation(ctx, layer, true);
    expect_same_size(ctx, out, in);
    if (!w.empty()) ctx.fail("an activation layer has no weights (expected [])");
    return std::make_unique<ActivationLayer>(in, act);
}

const char* const kTypes[] = {"dense", "time-distributed-dense", "lstm", "gru", "conv1d", "prelu", "batchnorm",
                              "activation"};

std::unique_ptr<Layer> read_layer(const json& layer, std::size_t index, int in, std::size_t& state_floats,
                                  Precision precision) {
    Context ctx("layer " + std::to_string(index));
    if (!layer.is_object()) ctx.fail(std::string("is ") + kind_of(layer) + ", expected an object");
    const json type_v = require(ctx, layer, "type");
    if (!type_v.is_string()) ctx.fail(std::string("\"type\" is ") + kind_of(type_v) + ", expected a string");
    const std::string type = type_v.str();
    const char* known = nullptr;
    for (const char* t : kTypes)
        if (type == t) known = t;
    if (!known)
        ctx.fail("unknown layer type " + quoted(type) +
                 " (types are case-sensitive: dense, time-distributed-dense, lstm, gru, conv1d, prelu, batchnorm, "
                 "activation)");
    ctx = Context(ctx.where() + " (" + type + ")");

    const json shape = require(ctx, layer, "shape");
    if (!shape.is_array()) ctx.fail(std::string("\"shape\" is ") + kind_of(shape) + ", expected an array");
    const int out = size_from(ctx, shape, "shape");
    const json w = require(ctx, layer, "weights");
    if (!w.is_array()) ctx.fail(std::string("\"weights\" is ") + kind_of(w) + ", expected an array");

    if (type == "dense" || type == "time-distributed-dense") return dense(ctx, layer, w, in, out, known, precision);
    if (type == "lstm") return lstm(ctx, layer, w, in, out, precision);
    if (type == "gru") return gru(ctx, layer, w, in, out);
    if (type == "conv1d") return conv1d(ctx, layer, w, in, out, state_floats);
    if (type == "prelu") return prelu(ctx, layer, w, in, out);
    if (type == "batchnorm") return batchnorm(ctx, layer, w, in, out);
    return activation_layer(ctx, layer, w, in, out);
}

int read_in_size(const json& doc) {
    const Context ctx("model");
    const json shape = require(ctx, doc, "in_shape");
    if (!shape.is_array()) ctx.fail(std::string("\"in_shape\" is ") + kind_of(shape) + ", expected an array");
    if (shape.empty()) ctx.fail("\"in_shape\" is empty");
    if (shape.size() == 4) {  // [batch, time, a, b]: RTNeural takes a·b inputs
        const int a = positive_int(ctx, shape[2], "in_shape[2]"), b = positive_int(ctx, shape[3], "in_shape[3]");
        if (static_cast<std::int64_t>(a) * b > kMaxLayerSize) ctx.fail("in_shape[2] * in_shape[3] is too large");
        return a * b;
    }
    return positive_int(ctx, shape.back(), "in_shape (last entry)");
}

Model build(const json& doc, Precision precision) {
    if (!doc.is_object()) Context("model").fail(std::string("the JSON value is ") + kind_of(doc) + ", expected an object");
    const Context ctx("model");
    Model model(read_in_size(doc));
    model.set_precision_label(precision);
    const json layers = require(ctx, doc, "layers");
    if (!layers.is_array()) ctx.fail(std::string("\"layers\" is ") + kind_of(layers) + ", expected an array");
    if (layers.empty()) ctx.fail("\"layers\" is empty: a model needs at least one layer");
    std::size_t state_floats = 0;
    layers.for_each([&](std::size_t i, const json& layer) {
        model.add_layer(read_layer(layer, i, model.out_size(), state_floats, precision));
    });
    return model;
}

}  // namespace

// Frees a parsed document however the reader leaves.
struct DocFree {
    void operator()(yyjson_doc* doc) const noexcept { yyjson_doc_free(doc); }
};

Model load_model(std::string_view text, Precision precision) {
    // Strict: one JSON value, nothing after it; no comments, NaN, Infinity or invalid UTF-8.
    yyjson_read_err err{};
    std::unique_ptr<yyjson_doc, DocFree> doc(
        yyjson_read_opts(const_cast<char*>(text.data()), text.size(), YYJSON_READ_NOFLAG, nullptr, &err));
    if (!doc) {
        if (text.empty() || text.find_first_not_of(" \t\r\n") == std::string_view::npos)
            throw LoadError("model: invalid JSON (the text is empty)");
        throw LoadError(std::string("model: invalid JSON (") + err.msg + " at byte " + std::to_string(err.pos) + ")");
    }
    try {
        return build(json(yyjson_doc_get_root(doc.get())), precision);
    } catch (const LoadError&) {
        throw;
    } catch (const std::invalid_argument& e) {
        throw LoadError(std::string("model: ") + e.what());
    }
}

Model load_model_file(const std::string& path, Precision precision) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw LoadError(path + ": is a directory, not a model file");
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file) throw LoadError(path + ": cannot open the file");
    // One read of the known size: a stream copy costs as much as parsing a large model.
    const std::streamoff size = file.tellg();
    if (size < 0) throw LoadError(path + ": cannot read the file");
    std::string text(static_cast<std::size_t>(size), '\0');
    file.seekg(0);
    if (size > 0 && !file.read(text.data(), size)) throw LoadError(path + ": cannot read the file");
    try {
        return load_model(text, precision);
    } catch (const LoadError& e) {
        throw LoadError(path + ": " + e.what());
    }
}

InputStandardisation read_input_standardisation(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw LoadError(path + ": cannot open the file");
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    yyjson_read_err err{};
    std::unique_ptr<yyjson_doc, DocFree> doc(
        yyjson_read_opts(text.data(), text.size(), YYJSON_READ_NOFLAG, nullptr, &err));
    if (!doc) throw LoadError(path + ": invalid JSON (" + err.msg + " at byte " + std::to_string(err.pos) + ")");
    InputStandardisation out;
    const json card = json(yyjson_doc_get_root(doc.get())).find("model_card");
    const json found = card.is_object() ? card.find("input_standardisation") : json();
    if (!found.exists()) return out;
    const Context ctx(path + ": model_card.input_standardisation");
    if (!found.is_object()) ctx.fail(std::string("expected an object, found ") + found.kind());
    auto numbers = [&](const char* key) {
        const json v = require(ctx, found, key);
        if (!v.is_array() || v.empty()) ctx.fail(std::string("\"") + key + "\": expected an array of numbers");
        std::vector<float> values;
        v.for_each([&](std::size_t i, const json& x) {
            if (!x.is_number()) ctx.fail(std::string("\"") + key + "\"[" + std::to_string(i) + "]: expected a number, found " + x.kind());
            values.push_back(static_cast<float>(x.number()));
        });
        return values;
    };
    out.mean = numbers("mean");
    out.std_dev = numbers("std");
    if (out.mean.size() != out.std_dev.size())
        ctx.fail("\"mean\" has " + std::to_string(out.mean.size()) + " values and \"std\" " + std::to_string(out.std_dev.size()));
    for (std::size_t i = 0; i < out.std_dev.size(); ++i)
        if (!(out.std_dev[i] > 0.0f) || !std::isfinite(out.std_dev[i]) || !std::isfinite(out.mean[i]))
            ctx.fail("entry " + std::to_string(i) + ": a std must be positive and finite, a mean finite");
    const json features = found.find("features");
    if (features.is_object() && features.find("definition").is_number())
        out.definition = static_cast<int>(features.find("definition").number());
    out.present = true;
    return out;
}

}  // namespace ml5

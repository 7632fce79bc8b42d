// Engine behaviour beyond the conformance vectors: stateless vs streaming, error messages,
// hostile inputs, metadata. Usage: ml5rt_unit_test [CONFORMANCE_FOLDER]
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "check.hpp"
#include "ml5/ml5.hpp"

namespace {

using ml5_test::check;
using ml5_test::contains;

// The message of the LoadError that loading `text` throws ("" if it loads).
std::string load_error(const std::string& text) {
    try {
        ml5::load_model(text);
    } catch (const ml5::LoadError& e) {
        return e.what();
    }
    return "";
}


std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

const char* kLstmDense =
    R"({"in_shape":[null,2],"layers":[)"
    R"({"type":"lstm","shape":[null,1],"weights":[[[0.1,0.2,0.3,0.4],[0.5,-0.6,0.7,-0.8]],[[0.9,-0.1,0.2,0.3]],[0.01,0.02,0.03,0.04]]},)"
    R"({"type":"dense","activation":"tanh","shape":[null,2],"weights":[[[1.5,-2.0]],[0.1,0.2]]}]})";

void stateless_equals_reset_then_step() {
    ml5::Model a = ml5::load_model(kLstmDense);
    ml5::Model b = ml5::load_model(kLstmDense);
    check(a.stateless(), "models start stateless");
    b.set_stateless(false);
    bool same = true, differs_when_streaming = false;
    float y1[2], y2[2], y3[2];
    ml5::Model c = ml5::load_model(kLstmDense);
    c.set_stateless(false);
    for (int t = 0; t < 10; ++t) {
        const float x[2] = {0.3f * static_cast<float>(t) - 1.0f, 0.5f};
        a.forward(x, y1);
        b.reset();
        b.forward(x, y2);
        c.forward(x, y3);
        same = same && std::fabs(y1[0] - y2[0]) < 1e-6f && std::fabs(y1[1] - y2[1]) < 1e-6f;
        differs_when_streaming = differs_when_streaming || std::fabs(y1[0] - y3[0]) > 1e-4f;
    }
    check(same, "stateless forward equals reset() + streaming forward");
    check(differs_when_streaming, "streaming carries state");
}

void in_place_forward() {
    ml5::Model m = ml5::load_model(
        R"({"in_shape":[3],"layers":[{"type":"dense","shape":[3],"weights":[[[1,0,0],[0,2,0],[0,0,3]]]}]})");
    float v[3] = {1.0f, 1.0f, 1.0f};
    m.forward(v, v);
    check(v[0] == 1.0f && v[1] == 2.0f && v[2] == 3.0f, "forward with in == out");
}

void softmax_is_stable() {
    ml5::Model m = ml5::load_model(
        R"({"in_shape":[2],"layers":[{"type":"activation","activation":"softmax","shape":[2],"weights":[]}]})");
    const float x[2] = {1000.0f, 999.0f};
    float y[2];
    m.forward(x, y);
    check(std::isfinite(y[0]) && std::fabs(y[0] + y[1] - 1.0f) < 1e-6f && y[0] > y[1], "softmax of large logits");
}

// A model of one standalone activation layer over n inputs.
ml5::Model activation_model(const char* name, int n) {
    const std::string size = std::to_string(n);
    return ml5::load_model(R"({"in_shape":[)" + size + R"(],"layers":[{"type":"activation","activation":")" + name +
                           R"(","shape":[)" + size + R"(],"weights":[]}]})");
}

void activations_match_libm() {
    // every 4099th float32 bit pattern up to infinity, both signs, plus the edges
    std::vector<float> x;
    for (std::uint32_t bits = 0; bits < 0x7f800000u; bits += 4099) {
        float f;
        std::memcpy(&f, &bits, sizeof f);
        x.push_back(f);
        x.push_back(-f);
    }
    for (float f : {0.0f, 1e-30f, 0.5f, 9.99f, 10.0f, 20.0f, 87.0f, 88.0f, 100.0f, INFINITY})
        for (float sign : {1.0f, -1.0f}) x.push_back(sign * f);
    x.push_back(NAN);
    const int n = static_cast<int>(x.size());
    std::vector<float> t(x.size()), s(x.size());
    activation_model("tanh", n).forward(x.data(), t.data());
    activation_model("sigmoid", n).forward(x.data(), s.data());
    double tanh_err = 0.0, tanh_rel = 0.0, sigmoid_err = 0.0, sigmoid_rel = 0.0;
    bool nan_kept = true, saturates = true;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double v = x[i];
        if (std::isnan(v)) {
            nan_kept = std::isnan(t[i]) && std::isnan(s[i]);
            continue;
        }
        const double want_s = 1.0 / (1.0 + std::exp(-v));
        tanh_err = std::max(tanh_err, std::fabs(t[i] - std::tanh(v)));
        if (v != 0.0) tanh_rel = std::max(tanh_rel, std::fabs(t[i] - std::tanh(v)) / std::fabs(std::tanh(v)));
        saturates = saturates && std::fabs(t[i]) <= 1.0f;
        sigmoid_err = std::max(sigmoid_err, std::fabs(s[i] - want_s));
        if (want_s > 1e-30) sigmoid_rel = std::max(sigmoid_rel, std::fabs(s[i] - want_s) / want_s);
        if (std::fabs(v) >= 10.0) saturates = saturates && t[i] == (v > 0 ? 1.0f : -1.0f);
    }
    check(tanh_err < 4e-7, "tanh within 4e-7 of libm: " + std::to_string(tanh_err));
    check(tanh_rel < 4e-7, "tanh keeps its relative precision near zero: " + std::to_string(tanh_rel));
    check(sigmoid_err < 2e-7, "sigmoid within 2e-7 of libm: " + std::to_string(sigmoid_err));
    check(sigmoid_rel < 1e-6, "sigmoid keeps its relative precision far below zero: " + std::to_string(sigmoid_rel));
    check(saturates, "tanh stays within [-1, 1] and is exactly +-1 from |x| = 10 on");
    check(nan_kept, "NaN stays NaN");
}

void dense_activation_runs_on_every_block_once() {
    // 100 outputs are packed as blocks of 64, 32 and a padded 4: the activation each block gets as
    // soon as it is done must equal one pass over the whole layer, for every activation.
    std::string kernel = "[", bias = "[";
    for (int i = 0; i < 3; ++i) {
        kernel += (i ? ",[" : "[");
        for (int o = 0; o < 100; ++o) kernel += (o ? "," : "") + std::to_string(0.01 * ((i * 37 + o * 11) % 23 - 11));
        kernel += "]";
    }
    for (int o = 0; o < 100; ++o) bias += (o ? "," : "") + std::to_string(0.05 * (o % 7 - 3));
    kernel += "]";
    bias += "]";
    const float x[3] = {0.7f, -1.3f, 2.1f};
    for (const char* act : {"tanh", "sigmoid", "relu", "elu", "softmax"}) {
        ml5::Model fused = ml5::load_model(R"({"in_shape":[3],"layers":[{"type":"dense","activation":")" + std::string(act) +
                                           R"(","shape":[100],"weights":[)" + kernel + "," + bias + "]}]}");
        ml5::Model apart = ml5::load_model(R"({"in_shape":[3],"layers":[{"type":"dense","shape":[100],"weights":[)" + kernel +
                                           "," + bias + R"(]},{"type":"activation","activation":")" + act +
                                           R"(","shape":[100],"weights":[]}]})");
        float a[100], b[100];
        fused.forward(x, a);
        apart.forward(x, b);
        float worst = 0.0f;
        for (int o = 0; o < 100; ++o) worst = std::max(worst, std::fabs(a[o] - b[o]));
        check(worst <= 1e-7f, std::string("dense ") + act + " equals dense then " + act + ": " + std::to_string(worst));
    }
}

void metadata() {
    ml5::Model m = ml5::load_model(kLstmDense);
    check(m.in_size() == 2 && m.out_size() == 2, "sizes");
    check(m.n_params() == 8 + 4 + 4 + 2 + 2, "n_params counts the file's numbers");
    check(m.weight_bytes() > 0 && m.weight_bytes() % ml5::kAlignment == 0, "weight_bytes");
    check(m.n_layers() == 2 && std::string(m.layer(0).type()) == "lstm" &&
              m.layer(1).activation() == ml5::Activation::Tanh,
          "layer list");
}

void error_messages(const std::string& dir) {
    std::string e = load_error(R"({"in_shape":[4],"layers":[{"type":"dense","shape":[2],"weights":[[[1,2],[3,4]]]}]})");
    check(contains(e, "layer 0 (dense)") && contains(e, "weights[0] (kernel)") && contains(e, "expected 4"),
          "short kernel names layer and array: " + e);
    e = load_error(R"({"in_shape":[2],"layers":[{"type":"dense","shape":[2],"weights":[[[1,2],[3,4]]]},)"
                   R"({"type":"Dense","shape":[2],"weights":[]}]})");
    check(contains(e, "layer 1") && contains(e, "\"Dense\""), "mis-cased type: " + e);
    e = load_error(R"({"in_shape":[2],"layers":[{"type":"dense","activation":"linear","shape":[2],"weights":[[[1,2],[3,4]]]}]})");
    check(contains(e, "unknown activation \"linear\""), "linear refused: " + e);
    e = load_error(R"({"in_shape":[2],"layers":[{"type":"dense","shape":[2],"weights":[[[1,2],[3,4]]]}]} x)");
    check(contains(e, "invalid JSON"), "trailing garbage refused: " + e);
    e = load_error(R"({"in_shape":[2],"layers":[{"type":"dense","shape":[2],"weights":[[[1,2],[3,1e39]]]}]})");
    check(contains(e, "finite float32"), "float overflow refused: " + e);
    std::string taps;
    for (int k = 0; k < 20; ++k) taps += std::string(k ? "," : "") + "[[1]]";
    e = load_error(R"({"in_shape":[1],"layers":[{"type":"conv1d","kernel_size":20,"dilation":1000000,"shape":[1],)"
                   R"("weights":[[)" + taps + "],[0]]}]}");
    check(contains(e, "history"), "huge dilation refused: " + e);
    e = load_error(R"({"in_shape":[2],"layers":[{"type":"dense","shape":[2],"weights":[[[1,2],[3,1e999]]]}]})");
    check(contains(e, "invalid JSON"), "number overflowing a double refused: " + e);
    e = load_error(std::string(100000, '[') + std::string(100000, ']'));
    check(contains(e, "expected an object"), "deep nesting handled: " + e);
    e = load_error(R"({"in_shape":[2],"layers":[{"type":"dense","shape":[2],"weights":[[[1,2],[3,true]]]}]})");
    check(contains(e, "weights[0] (kernel)[1][1] is a boolean"), "boolean weight refused: " + e);
    try {
        ml5::load_model_file(dir + "/truncated_file.model.json");
        check(false, "truncated file refused");
    } catch (const ml5::LoadError& ex) {
        check(contains(ex.what(), "truncated_file.model.json"), std::string("file errors name the file: ") + ex.what());
    }
    try {
        ml5::load_model_file(dir + "/no_such_file.json");
        check(false, "missing file refused");
    } catch (const ml5::LoadError& ex) {
        check(contains(ex.what(), "cannot open"), std::string("missing file: ") + ex.what());
    }
}

void fp16_refuses_weights_beyond_the_half_range() {
    // 65504 is the largest half: a dense or LSTM weight beyond it cannot be held in fp16 (it would
    // become infinity), so fp16 refuses the file, naming layer, weight and value; fp32 loads it.
    const std::string dense = R"({"in_shape":[2],"layers":[{"type":"dense","shape":[1],"weights":[[[1],[-7e4]]]}]})";
    std::string e;
    try {
        ml5::load_model(dense, ml5::Precision::fp16);
    } catch (const ml5::LoadError& ex) {
        e = ex.what();
    }
    check(contains(e, "layer 0 (dense)") && contains(e, "weights[0] (kernel)[1][0] is -70000") &&
              contains(e, "65504") && contains(e, "fp32"),
          "fp16 refuses a dense weight beyond 65504: " + e);
    check(load_error(dense).empty(), "fp32 loads it");
    const std::string lstm = R"({"in_shape":[1],"layers":[{"type":"lstm","shape":[1],"weights":)"
                             R"([[[0.1,0.2,0.3,0.4]],[[0.5,65504,-65504,65505]],[0,0,0,0]]}]})";
    e.clear();
    try {
        ml5::load_model(lstm, ml5::Precision::fp16);
    } catch (const ml5::LoadError& ex) {
        e = ex.what();
    }
    check(contains(e, "layer 0 (lstm)") && contains(e, "weights[1] (recurrent kernel)[0][3] is 65505"),
          "fp16 refuses an LSTM weight beyond 65504 (65504 itself is held): " + e);
    const std::string bias = R"({"in_shape":[1],"layers":[{"type":"dense","shape":[1],"weights":[[[1]],[1e6]]}]})";
    bool loads = true;
    try {
        ml5::load_model(bias, ml5::Precision::fp16);
    } catch (const ml5::LoadError&) {
        loads = false;
    }
    check(loads, "biases stay float32 in fp16: any float32 bias loads");
}

void every_prefix_of_a_model_is_refused(const std::string& dir) {
    // Truncation anywhere must give a LoadError, never a crash.
    const std::string text = read_file(dir + "/conv1d_bn_prelu_dense_softmax.model.json");
    bool all = !text.empty();
    for (std::size_t n = 0; n + 1 < text.size(); n += 7) all = all && !load_error(text.substr(0, n)).empty();
    check(all, "every prefix of a model is refused");
    check(load_error(text).empty(), "the whole model loads");
}

void half_conversions() {
    // Every finite half survives half -> float -> half unchanged; infinities too; NaN stays NaN.
    bool round_trip = true;
    for (std::uint32_t h = 0; h < 0x10000u; ++h) {
        const float f = ml5::half_to_float(static_cast<std::uint16_t>(h));
        if (std::isnan(f)) {
            round_trip = round_trip && std::isnan(ml5::half_to_float(ml5::float_to_half(f)));
            continue;
        }
        round_trip = round_trip && ml5::float_to_half(f) == h;
    }
    check(round_trip, "all 65,536 halves round-trip through float");
    // Worked by hand: 1 + 2^-11 lies halfway between 1 (0x3c00) and 1 + 2^-10 (0x3c01): ties go
    // to the even mantissa, 0x3c00; 1 + 3·2^-11 is halfway between 0x3c01 and 0x3c02 -> 0x3c02.
    check(ml5::float_to_half(1.0f + 0.00048828125f) == 0x3c00, "tie rounds to even (down)");
    check(ml5::float_to_half(1.0f + 3 * 0.00048828125f) == 0x3c02, "tie rounds to even (up)");
    check(ml5::float_to_half(65504.0f) == 0x7bff && ml5::float_to_half(65520.0f) == 0x7c00,
          "65504 is the largest half; 65520 rounds to infinity");
    check(ml5::float_to_half(5.9604645e-8f) == 0x0001 && ml5::float_to_half(-2.0f) == 0xc000,
          "smallest subnormal; sign");
    check(ml5::float_to_half(2.9802322e-8f) == 0x0000, "2^-25 is a tie between 0 and 2^-24: even, 0");
}

void batch_equals_frame_by_frame(const std::string& dir) {
    // forward_batch (blocks of frames, each weight read once per block) computes what forward
    // computes frame by frame, for both precisions; 37 frames cover whole and partial blocks.
    for (const ml5::Precision precision : {ml5::Precision::fp32, ml5::Precision::fp16}) {
        for (const char* name : {"ref_emotionrecognizer", "ref_melodytransformer", "ref_harmonypredictor",
                                 "ref_dynamicsengine", "ref_groovepredictor"}) {
            ml5::Model m = ml5::load_model_file(dir + "/" + name + ".model.json", precision);
            const std::size_t n_in = static_cast<std::size_t>(m.in_size()), n_out = static_cast<std::size_t>(m.out_size());
            const std::size_t frames = 37;
            std::vector<float> x(frames * n_in), batch(frames * n_out), one(n_out);
            for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37f * static_cast<float>(i));
            m.forward_batch(x.data(), frames, batch.data());
            double worst = 0.0;
            for (std::size_t f = 0; f < frames; ++f) {
                m.forward(x.data() + f * n_in, one.data());
                for (std::size_t j = 0; j < n_out; ++j)
                    worst = std::max(worst, static_cast<double>(std::fabs(one[j] - batch[f * n_out + j])));
            }
            // the same sums in another order: float rounding only
            check(worst < 2e-6, std::string("forward_batch = forward for ") + name + " (" + ml5::to_string(precision) +
                                    "), max difference " + std::to_string(worst));
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : ML5_CONFORMANCE_DIR_DEFAULT;
    stateless_equals_reset_then_step();
    in_place_forward();
    softmax_is_stable();
    activations_match_libm();
    dense_activation_runs_on_every_block_once();
    metadata();
    error_messages(dir);
    every_prefix_of_a_model_is_refused(dir);
    fp16_refuses_weights_beyond_the_half_range();
    half_conversions();
    batch_equals_frame_by_frame(dir);
    return ml5_test::summary();
}

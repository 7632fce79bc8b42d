// libFuzzer target: any bytes given to the loader must either load (and then run) or throw
// LoadError; never crash, leak, hang or touch memory out of bounds (ASan/UBSan watch).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "ml5/ml5.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        ml5::Model model = ml5::load_model(std::string_view(reinterpret_cast<const char*>(data), size));
        // A model that loads must also run, in both modes.
        std::vector<float> x(static_cast<std::size_t>(model.in_size()), 0.5f);
        std::vector<float> y(static_cast<std::size_t>(model.out_size()));
        model.forward(x.data(), y.data());
        model.set_stateless(false);
        model.forward(x.data(), y.data());
        model.forward(x.data(), y.data());
        model.reset();
    } catch (const ml5::LoadError&) {
        // The expected outcome for almost every input.
    }
    return 0;
}

// Everything a host needs: load a model, run it one frame per call.
#pragma once

#include "ml5/activation.hpp"
#include "ml5/layer.hpp"
#include "ml5/layers/activation_layer.hpp"
#include "ml5/layers/batchnorm.hpp"
#include "ml5/layers/conv1d.hpp"
#include "ml5/layers/dense.hpp"
#include "ml5/layers/gru.hpp"
#include "ml5/layers/lstm.hpp"
#include "ml5/layers/prelu.hpp"
#include "ml5/loader.hpp"
#include "ml5/model.hpp"

namespace ml5 {
inline constexpr const char* kVersion = "0.1.0";
}

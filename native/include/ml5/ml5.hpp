// Everything a host needs: load a model and run it one frame per call, or run the five
// networks as one unit (MultiModelProcessor, AsyncPipeline).
#pragma once

#include "ml5/activation.hpp"
#include "ml5/async_pipeline.hpp"
#include "ml5/audio_chain.hpp"
#include "ml5/audio_frontend.hpp"
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
#include "ml5/music.hpp"
#include "ml5/processor.hpp"
#include "ml5/spsc_ring.hpp"
#include "ml5/version.hpp"
#include "ml5/weights.hpp"

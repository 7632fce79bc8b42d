// Proves the inference path never allocates: global operator new/delete (and, on glibc,
// malloc and friends) are replaced by counting versions, and every model of the conformance
// folder is run many times in both modes while the counters are watched; then the processor's
// runFullPipeline, with and without a harmony context, on the five reference models.
// Usage: ml5rt_no_alloc_test [FOLDER]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include "ml5/ml5.hpp"
#include "test_args.hpp"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocs{0};
std::atomic<long> g_frees{0};
}  // namespace

void note_alloc() noexcept {
    if (g_counting.load(std::memory_order_relaxed)) g_allocs.fetch_add(1, std::memory_order_relaxed);
}
void note_free() noexcept {
    if (g_counting.load(std::memory_order_relaxed)) g_frees.fetch_add(1, std::memory_order_relaxed);
}

#include "alloc_hooks.hpp"

namespace {

#ifdef ML5_SANITIZE  // every frame runs the same path; a sanitizer makes each one ten times dearer
constexpr int kReferenceFrames = 200;
#else
constexpr int kReferenceFrames = 2000;
#endif

// Runs `frames` forward calls in each mode, with resets and mode switches, while counting.
// Returns the allocations + frees seen.
long count_during_inference(ml5::Model& model, int frames) {
    std::vector<float> x(static_cast<std::size_t>(model.in_size())), y(static_cast<std::size_t>(model.out_size()));
    g_allocs = 0;
    g_frees = 0;
    g_counting = true;
    for (int mode = 0; mode < 4; ++mode) {
        model.set_stateless(mode % 2 == 0);
        for (int f = 0; f < frames; ++f) {
            for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((f * 7 + static_cast<int>(i) * 13) % 17) / 8.0f - 1.0f;
            model.forward(x.data(), y.data());
            if (f % 97 == 96) model.reset();
        }
    }
    g_counting = false;
    return g_allocs.load() + g_frees.load();
}

// The processor's full pipeline on the five reference architectures (copied under their
// stems into a temporary folder) and on fallbacks, through every runFullPipeline overload:
// without a harmony context, with one, and the refusals. Returns the allocations + frees seen,
// or -1 if the reference models are missing.
long count_during_pipeline(const std::string& conformance, ml5::Precision precision) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() /
                         ("ml5-no-alloc-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(dir);
    for (const auto& s : ml5::kModelSlots) {
        const fs::path ref = fs::path(conformance) / ("ref_" + std::string(s.stem) + ".model.json");
        if (!fs::exists(ref)) {
            fs::remove_all(dir);
            return -1;
        }
        fs::copy_file(ref, dir / (std::string(s.stem) + ".json"), fs::copy_options::overwrite_existing);
    }
    ml5::MultiModelProcessor networks(precision), fallbacks(precision);
    long loaded = 0;
    for (const auto& st : networks.initialize(dir.string())) loaded += st.loaded;
    fallbacks.initialize((dir / "none").string());
    fs::remove_all(dir);
    if (loaded != ml5::kModelCount) return -1;
    std::vector<float> x(ml5::kFeatureSize), context(ml5::kHarmonyContextSize), bad(ml5::kHarmonyContextSize, 0.0f);
    bad[7] = std::numeric_limits<float>::quiet_NaN();
    ml5::PipelineResult r;
    g_allocs = 0;
    g_frees = 0;
    g_counting = true;
    for (int f = 0; f < 500; ++f) {
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((f * 7 + static_cast<int>(i) * 13) % 17) / 8.0f - 1.0f;
        for (std::size_t i = 0; i < context.size(); ++i) context[i] = static_cast<float>((f + static_cast<int>(i) * 5) % 11) / 5.0f - 1.0f;
        for (ml5::MultiModelProcessor* p : {&networks, &fallbacks}) {
            p->runFullPipeline(x.data(), r);
            p->runFullPipeline(x.data(), x.size(), r);
            p->runFullPipeline(x.data(), context.data(), r);
            p->runFullPipeline(x.data(), x.size(), context.data(), context.size(), r);
            p->runFullPipeline(x.data(), nullptr, r);
            p->runFullPipeline(x.data(), x.size(), context.data(), 63, r);  // refused
            p->runFullPipeline(x.data(), bad.data(), r);                    // refused
        }
    }
    g_counting = false;
    return g_allocs.load() + g_frees.load();
}

bool self_check() {
    // The counters must see an allocation, or a zero result would prove nothing.
    g_allocs = 0;
    g_counting = true;
    auto* p = new std::vector<float>(100);
    g_counting = false;
    delete p;
    const bool new_seen = g_allocs.load() >= 2;
#ifdef ML5_COUNT_MALLOC
    g_allocs = 0;
    g_counting = true;
    void* volatile m = std::malloc(64);
    g_counting = false;
    std::free(m);
    return new_seen && g_allocs.load() == 1;
#else
    return new_seen;
#endif
}

}  // namespace

int main(int argc, char** argv) {
    const ml5_test::Args args = ml5_test::parse_args(argc, argv);
    const std::string dir = args.folder;
    const ml5::Precision precision = args.precision;
    if (!self_check()) {
        std::printf("FAIL: the allocation counters do not work\n");
        return 1;
    }
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (name.size() > 11 && name.compare(name.size() - 11, 11, ".model.json") == 0) files.push_back(e.path().string());
    }
    int passed = 0, failed = 0, models = 0, refs = 0;
    for (const auto& path : files) {
        std::unique_ptr<ml5::Model> model;
        try {
            model = std::make_unique<ml5::Model>(ml5::load_model_file(path, precision));
        } catch (const ml5::LoadError&) {
            continue;  // a reject case
        }
        ++models;
        const bool ref = path.find("/ref_") != std::string::npos;
        refs += ref;
        const long seen = count_during_inference(*model, ref ? kReferenceFrames : 300);
        if (seen == 0) {
            ++passed;
        } else {
            ++failed;
            std::printf("FAIL %s: %ld allocations/frees during inference\n", path.c_str(), seen);
        }
    }
    const long pipeline_seen = count_during_pipeline(dir, precision);
    if (pipeline_seen == 0) {
        ++passed;
    } else {
        ++failed;
        if (pipeline_seen < 0)
            std::printf("FAIL processor: the 5 reference models did not load from %s\n", dir.c_str());
        else
            std::printf("FAIL processor: %ld allocations/frees during runFullPipeline\n", pipeline_seen);
    }
    std::printf("no-alloc (%s): %d models (%d reference), operator new/delete%s counted\n", ml5::to_string(precision),
                models, refs,
#ifdef ML5_COUNT_MALLOC
                " and malloc/free"
#else
                ""
#endif
    );
    if (refs < 5) {
        std::printf("FAIL: expected the 5 reference models in %s\n", dir.c_str());
        ++failed;
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

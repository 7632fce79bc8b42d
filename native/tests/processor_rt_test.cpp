// Proves the audio-thread calls of the processor are real-time safe: during infer(),
// runFullPipeline() and submit() (with and without a harmony context) and poll() the calling
// thread makes no heap allocation or free (operator new/delete and, on glibc, malloc and
// friends are replaced by counting versions) and takes no lock (pthread_mutex_lock/trylock
// and pthread_rwlock_rdlock/wrlock are interposed and counted on the calling thread). The
// models are the five reference architectures of the conformance folder, copied under their
// stems, plus fallbacks.
// Usage: ml5rt_processor_rt_test [CONFORMANCE_FOLDER]
#include <dlfcn.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "ml5/ml5.hpp"
#include "test_args.hpp"

namespace {
// Counted only on a thread that set t_watch; `g_watch_all` counts every thread.
thread_local bool t_watch = false;
std::atomic<bool> g_watch_all{false};
std::atomic<long> g_allocs{0}, g_frees{0}, g_locks{0}, g_all_allocs{0};
inline bool watching() noexcept { return t_watch; }
inline void note_lock() noexcept {
    if (watching()) g_locks.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

void note_alloc() noexcept {
    if (watching()) g_allocs.fetch_add(1, std::memory_order_relaxed);
    if (g_watch_all.load(std::memory_order_relaxed)) g_all_allocs.fetch_add(1, std::memory_order_relaxed);
}
void note_free() noexcept {
    if (watching()) g_frees.fetch_add(1, std::memory_order_relaxed);
    if (g_watch_all.load(std::memory_order_relaxed)) g_all_allocs.fetch_add(1, std::memory_order_relaxed);
}

// ---- locks: the executable's definitions win over libc's (exported with -rdynamic) ----
template <typename Fn>
Fn next_symbol(const char* name) {
    return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}
using MutexFn = int (*)(pthread_mutex_t*);
using RwlockFn = int (*)(pthread_rwlock_t*);

extern "C" {
int pthread_mutex_lock(pthread_mutex_t* m) {
    static const MutexFn real = next_symbol<MutexFn>("pthread_mutex_lock");
    note_lock();
    return real(m);
}
int pthread_mutex_trylock(pthread_mutex_t* m) {
    static const MutexFn real = next_symbol<MutexFn>("pthread_mutex_trylock");
    note_lock();
    return real(m);
}
int pthread_rwlock_rdlock(pthread_rwlock_t* l) {
    static const RwlockFn real = next_symbol<RwlockFn>("pthread_rwlock_rdlock");
    note_lock();
    return real(l);
}
int pthread_rwlock_wrlock(pthread_rwlock_t* l) {
    static const RwlockFn real = next_symbol<RwlockFn>("pthread_rwlock_wrlock");
    note_lock();
    return real(l);
}
}  // extern "C"

#include "alloc_hooks.hpp"

namespace {

namespace fs = std::filesystem;
int g_failed = 0;

struct Counts {
    long allocs, frees, locks;
};

template <typename F>
Counts watch(F&& f) {
    g_allocs = g_frees = g_locks = 0;
    t_watch = true;
    f();
    t_watch = false;
    return {g_allocs.load(), g_frees.load(), g_locks.load()};
}

void expect_clean(const char* what, const Counts& c, long calls) {
    std::printf("%-44s %8ld calls: %ld allocations, %ld frees, %ld lock calls\n", what, calls, c.allocs, c.frees, c.locks);
    if (c.allocs || c.frees || c.locks) {
        ++g_failed;
        std::printf("FAIL %s\n", what);
    }
}

bool self_check() {
    // The counters must see what they claim to count, or zeros would prove nothing.
    std::mutex m;
    const Counts c = watch([&] {
        auto* v = new std::vector<float>(100);
        delete v;
        void* volatile p = std::malloc(64);
        std::free(p);
        m.lock();
        m.unlock();
        if (m.try_lock()) m.unlock();
    });
    std::printf("self-check: %ld allocations, %ld frees, %ld lock calls seen (expected >= 3, >= 3, 2)\n", c.allocs, c.frees,
                c.locks);
    return c.allocs >= 3 && c.frees >= 3 && c.locks == 2;
}

std::vector<float> frame(int f) {
    std::vector<float> x(ml5::kFeatureSize);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>((f * 7 + static_cast<int>(i) * 13) % 17) / 8.0f - 1.0f;
    return x;
}

}  // namespace

int main(int argc, char** argv) {
    const ml5_test::Args args = ml5_test::parse_args(argc, argv);
    const fs::path conformance = args.folder;
    const ml5::Precision precision = args.precision;
    std::printf("precision: %s\n", ml5::to_string(precision));
    if (!self_check()) {
        std::printf("FAIL: the counters do not work\n");
        return 1;
    }
    const fs::path dir = fs::temp_directory_path() / ("ml5-rt-" + std::to_string(static_cast<long>(::getpid())));
    fs::create_directories(dir);
    for (const auto& s : ml5::kModelSlots) {
        const fs::path ref = conformance / ("ref_" + std::string(s.stem) + ".model.json");
        if (!fs::exists(ref)) {
            std::printf("FAIL: %s not found\n", ref.string().c_str());
            return 1;
        }
        fs::copy_file(ref, dir / (std::string(s.stem) + ".json"), fs::copy_options::overwrite_existing);
    }

    ml5::MultiModelProcessor processor(precision);
    for (const auto& st : processor.initialize(dir.string()))
        if (!st.loaded) {
            std::printf("FAIL: %s\n", st.message.c_str());
            return 1;
        }
    std::vector<std::vector<float>> frames;
    for (int f = 0; f < 64; ++f) frames.push_back(frame(f));
    ml5::PipelineResult result;
    std::vector<float> out(128);
    const int kCalls = 2000;

    expect_clean("runFullPipeline (five networks)", watch([&] {
        for (int i = 0; i < kCalls; ++i) processor.runFullPipeline(frames[i % 64].data(), result);
    }), kCalls);
    std::vector<float> context(ml5::kHarmonyContextSize);
    for (std::size_t i = 0; i < context.size(); ++i) context[i] = static_cast<float>(i % 9) / 4.0f - 1.0f;
    expect_clean("runFullPipeline with a harmony context", watch([&] {
        for (int i = 0; i < kCalls; ++i) {
            processor.runFullPipeline(frames[i % 64].data(), context.data(), result);
            processor.runFullPipeline(frames[i % 64].data(), ml5::kFeatureSize, context.data(), context.size(), result);
        }
    }), 2 * kCalls);
    expect_clean("infer (each slot)", watch([&] {
        for (int i = 0; i < kCalls; ++i) {
            const auto& s = ml5::kModelSlots[static_cast<std::size_t>(i % ml5::kModelCount)];
            processor.infer(s.type, frames[i % 64].data(), static_cast<std::size_t>(s.in_size), out.data(), out.size());
        }
    }), kCalls);
    auto bad = frames[0];
    bad[3] = NAN;
    auto bad_context = context;
    bad_context[60] = NAN;
    expect_clean("error paths (bad size, NaN; context too)", watch([&] {
        for (int i = 0; i < kCalls; ++i) {
            processor.runFullPipeline(frames[0].data(), 100, result);
            processor.runFullPipeline(bad.data(), result);
            processor.runFullPipeline(frames[0].data(), ml5::kFeatureSize, context.data(), 63, result);
            processor.runFullPipeline(frames[0].data(), bad_context.data(), result);
        }
    }), 4 * kCalls);
    processor.setEnabled(ml5::ModelType::MelodyTransformer, false);
    processor.setEnabled(ml5::ModelType::GroovePredictor, false);
    expect_clean("runFullPipeline with two slots disabled", watch([&] {
        for (int i = 0; i < kCalls; ++i) processor.runFullPipeline(frames[i % 64].data(), result);
    }), kCalls);
    processor.setEnabled(ml5::ModelType::MelodyTransformer, true);
    processor.setEnabled(ml5::ModelType::GroovePredictor, true);

    // Fallbacks: a processor with no models.
    ml5::MultiModelProcessor empty(precision);
    empty.initialize((dir / "none").string());
    expect_clean("runFullPipeline (five fallbacks)", watch([&] {
        for (int i = 0; i < kCalls; ++i) {
            empty.runFullPipeline(frames[i % 64].data(), result);
            empty.runFullPipeline(frames[i % 64].data(), context.data(), result);
        }
    }), 2 * kCalls);

    // The async pipeline: submit and poll on this thread while the worker runs, and a reload
    // on a third thread swapping models in meanwhile.
    ml5::AsyncPipeline pipeline(processor, 64);
    pipeline.start();
    std::atomic<bool> stop_reloading{false};
    std::thread reloader([&] {
        while (!stop_reloading.load()) processor.reloadModel(ml5::ModelType::HarmonyPredictor);
    });
    ml5::AsyncResult polled;
    long results = 0, accepted = 0;
    const Counts c = watch([&] {
        for (int i = 0; i < kCalls; ++i) {
            accepted += (i % 2 ? pipeline.submit(frames[i % 64].data())
                               : pipeline.submit(frames[i % 64].data(), ml5::kFeatureSize, context.data(),
                                                 context.size())) != 0;
            while (pipeline.poll(polled)) ++results;
        }
        while (results < accepted)  // every accepted request answered
            if (pipeline.poll(polled)) ++results;
    });
    stop_reloading.store(true);
    reloader.join();
    expect_clean("submit + poll (worker running, reloads)", c, kCalls);
    if (accepted == 0) {
        ++g_failed;
        std::printf("FAIL: nothing was accepted\n");
    }

    // In steady state the worker does not allocate either: count every thread's allocations.
    g_all_allocs = 0;
    g_watch_all = true;
    for (int i = 0; i < 500; ++i) {
        const std::uint64_t id = i % 2 ? pipeline.submit(frames[i % 64].data())
                                       : pipeline.submit(frames[i % 64].data(), ml5::kFeatureSize, context.data(),
                                                         context.size());
        if (id == 0) --i;
        while (pipeline.poll(polled)) {
        }
    }
    g_watch_all = false;
    std::printf("%-44s %8d calls: %ld allocations or frees on any thread\n", "submit + poll, all threads (no reloads)", 500,
                g_all_allocs.load());
    if (g_all_allocs.load() != 0) {
        ++g_failed;
        std::printf("FAIL worker allocates\n");
    }
    pipeline.stop();
    fs::remove_all(dir);
    std::printf("%s\n", g_failed ? "FAILED" : "ok");
    return g_failed ? 1 : 0;
}

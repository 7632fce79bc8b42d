// Three threads on one processor: one submits feature frames into the async pipeline, one
// polls the results, one keeps replacing model files and reloading them (and now and then
// tries a corrupt file, which must be refused while the previous model stays).
// Checks: every accepted request gets exactly one result (or, at the final stop, one dropped
// id), results come in order with their own id, and every result equals the chain computed
// with some mix of the two model versions in play — never a torn or freed model.
// Built with ML5_TSAN=ON it is the ThreadSanitizer test (tests/run_tsan.sh).
// Usage: ml5rt_async_stress [REQUESTS=200000] [CAPACITY=64]
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <thread>
#include <vector>

#include "ml5/ml5.hpp"
#include "test_models.hpp"

namespace {

using ml5::ModelType;
namespace fs = std::filesystem;

constexpr int kInputs = 16;        // distinct feature frames; request id picks one
constexpr std::uint64_t kNanEvery = 997;  // these requests carry a NaN: an error result

std::array<float, ml5::kFeatureSize> frame(int k) {
    std::array<float, ml5::kFeatureSize> x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.11f * static_cast<float>(i * (k + 1)) + static_cast<float>(k));
    return x;
}

// expected[k][ve] for the emotion; downstream[m][k][ve][vm] for model m of version vm fed by
// emotion version ve. Versions: 0 = A, 1 = B.
struct Expected {
    std::array<std::array<std::vector<float>, 2>, kInputs> emotion;
    std::array<std::array<std::array<std::array<std::vector<float>, 2>, 2>, kInputs>, 4> downstream;
};

Expected expected_outputs(const fs::path& a, const fs::path& b) {
    Expected e;
    std::array<std::array<ml5::Model*, 2>, ml5::kModelCount> models{};
    std::vector<std::unique_ptr<ml5::Model>> owned;
    for (const auto& s : ml5::kModelSlots)
        for (int v = 0; v < 2; ++v) {
            owned.push_back(std::make_unique<ml5::Model>(ml5::load_model_file(ml5test::model_path(v ? b : a, s.type).string())));
            models[ml5::slot_index(s.type)][static_cast<std::size_t>(v)] = owned.back().get();
        }
    for (int k = 0; k < kInputs; ++k) {
        const auto x = frame(k);
        for (int ve = 0; ve < 2; ++ve) {
            auto& em = e.emotion[k][ve];
            em.resize(64);
            models[0][ve]->forward(x.data(), em.data());
            float h_in[128];
            std::memcpy(h_in, em.data(), 64 * sizeof(float));
            std::memcpy(h_in + 64, x.data(), 64 * sizeof(float));
            for (int m = 0; m < 4; ++m) {
                const ml5::ModelSlot& s = ml5::kModelSlots[static_cast<std::size_t>(m + 1)];
                for (int vm = 0; vm < 2; ++vm) {
                    auto& out = e.downstream[m][k][ve][vm];
                    out.resize(static_cast<std::size_t>(s.out_size));
                    models[static_cast<std::size_t>(m + 1)][vm]->forward(s.type == ModelType::HarmonyPredictor ? h_in : em.data(),
                                                                         out.data());
                }
            }
        }
    }
    return e;
}

bool equal(const float* a, const std::vector<float>& b) { return std::memcmp(a, b.data(), b.size() * sizeof(float)) == 0; }

bool result_is_valid(const Expected& e, const ml5::AsyncResult& r) {
    if (r.id % kNanEvery == 0) return r.status == ml5::Status::NonFiniteInput;
    if (r.status != ml5::Status::Ok) return false;
    const int k = static_cast<int>(r.id % kInputs);
    for (int ve = 0; ve < 2; ++ve) {
        if (!equal(r.result.emotion.data(), e.emotion[k][ve])) continue;
        bool ok = true;
        for (int m = 0; m < 4 && ok; ++m) {
            const float* out = r.result.output(ml5::kModelSlots[static_cast<std::size_t>(m + 1)].type);
            ok = equal(out, e.downstream[m][k][ve][0]) || equal(out, e.downstream[m][k][ve][1]);
        }
        if (ok) return true;
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    const std::uint64_t n_requests = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
    const std::size_t capacity = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 64;
    const fs::path base = ml5test::temp_folder("stress");
    const fs::path dir_a = base / "a", dir_b = base / "b", live = base / "live";
    for (const auto& d : {dir_a, dir_b, live}) fs::create_directories(d);
    ml5test::write_all(dir_a, 11);
    ml5test::write_all(dir_b, 22);
    ml5test::write_all(live, 11);
    const Expected expected = expected_outputs(dir_a, dir_b);

    ml5::MultiModelProcessor processor;
    for (const auto& st : processor.initialize(live.string()))
        if (!st.loaded) {
            std::printf("FAIL: %s\n", st.message.c_str());
            return 1;
        }
    ml5::AsyncPipeline pipeline(processor, capacity);
    pipeline.start();

    std::atomic<bool> submitting_done{false}, reloader_stop{false};
    std::atomic<std::uint64_t> wrong_ids{0}, bad_results{0}, out_of_order{0}, results_seen{0};
    std::atomic<std::uint64_t> reloads_ok{0}, reloads_failed_as_expected{0}, reload_errors{0};
    std::vector<std::uint8_t> seen(n_requests + 8 * capacity + 16, 0);  // written by the poller only

    std::array<std::array<float, ml5::kFeatureSize>, kInputs> inputs;
    for (int k = 0; k < kInputs; ++k) inputs[k] = frame(k);
    auto nan_frame = inputs[0];
    nan_frame[5] = std::numeric_limits<float>::quiet_NaN();

    const auto submit_range = [&](std::uint64_t first, std::uint64_t last, bool retry) {
        for (std::uint64_t want = first; want <= last; ++want) {
            const float* x = want % kNanEvery == 0 ? nan_frame.data() : inputs[want % kInputs].data();
            std::uint64_t id;
            while ((id = pipeline.submit(x)) == 0 && retry) std::this_thread::yield();
            if (id == 0) return;  // not retrying: the ring is full, stop here
            if (id != want) wrong_ids.fetch_add(1);
        }
    };
    const auto take = [&](const ml5::AsyncResult& r, std::uint64_t& last) {
        if (r.id != last + 1) out_of_order.fetch_add(1);
        last = r.id;
        if (r.id < seen.size()) ++seen[r.id];
        if (!result_is_valid(expected, r)) bad_results.fetch_add(1);
        results_seen.fetch_add(1, std::memory_order_relaxed);
    };

    const auto t0 = std::chrono::steady_clock::now();
    std::thread submitter([&] {
        submit_range(1, n_requests, true);
        submitting_done.store(true);
    });
    std::uint64_t last_id = 0;
    std::thread poller([&] {
        ml5::AsyncResult r;
        while (results_seen.load(std::memory_order_relaxed) < n_requests) {
            if (pipeline.poll(r)) take(r, last_id);
            else std::this_thread::yield();
        }
    });
    std::thread reloader([&] {
        std::mt19937 rng(7);
        while (!reloader_stop.load()) {
            const int action = static_cast<int>(rng() % 10);
            const auto type = static_cast<ModelType>(rng() % ml5::kModelCount);
            const fs::path& source = rng() % 2 ? dir_b : dir_a;
            if (action == 0) {  // a corrupt file: refused, the model in use stays
                ml5test::write_file(ml5test::model_path(live, type), "{\"in_shape\":[null,");
                const auto r = processor.reloadModel(type);
                if (!r.ok && !r.error.empty() && processor.isLoaded(type)) reloads_failed_as_expected.fetch_add(1);
                else reload_errors.fetch_add(1);
                fs::copy_file(ml5test::model_path(source, type), ml5test::model_path(live, type),
                              fs::copy_options::overwrite_existing);
            } else if (action == 1) {  // every file, then reloadAll
                for (const auto& s : ml5::kModelSlots)
                    fs::copy_file(ml5test::model_path(source, s.type), ml5test::model_path(live, s.type),
                                  fs::copy_options::overwrite_existing);
                for (const auto& r : processor.reloadAll()) (r.ok ? reloads_ok : reload_errors).fetch_add(1);
            } else {
                fs::copy_file(ml5test::model_path(source, type), ml5test::model_path(live, type),
                              fs::copy_options::overwrite_existing);
                (processor.reloadModel(type).ok ? reloads_ok : reload_errors).fetch_add(1);
            }
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    });
    submitter.join();
    poller.join();

    // Stop with requests in flight: a burst nobody polls, then stop() at once.
    const std::uint64_t before_burst = pipeline.counters().accepted;
    submit_range(before_burst + 1, before_burst + 4 * pipeline.capacity(), false);
    const ml5::StopReport report = pipeline.stop();
    reloader_stop.store(true);
    reloader.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ml5::AsyncResult r;
    std::uint64_t after_stop = 0;
    while (pipeline.poll(r)) {
        take(r, last_id);
        ++after_stop;
    }
    for (auto id : report.dropped_ids)
        if (id < seen.size()) ++seen[id];
    std::uint64_t not_once = 0;
    for (std::uint64_t id = 1; id <= report.accepted; ++id) not_once += seen[id] != 1;
    for (std::uint64_t id = report.accepted + 1; id < seen.size(); ++id) not_once += seen[id] != 0;

    const auto c = pipeline.counters();
    const auto stats = processor.stats();
    std::printf(
        "async stress: %llu requests submitted in the main phase, %llu accepted in all (+%llu burst before stop), "
        "%llu refused while full, %llu results (%llu after stop), %llu dropped at stop, "
        "%llu reloads ok, %llu corrupt files refused, %.1f s\n",
        static_cast<unsigned long long>(n_requests), static_cast<unsigned long long>(report.accepted),
        static_cast<unsigned long long>(report.accepted - before_burst), static_cast<unsigned long long>(c.rejected_full),
        static_cast<unsigned long long>(results_seen.load()), static_cast<unsigned long long>(after_stop),
        static_cast<unsigned long long>(report.dropped), static_cast<unsigned long long>(reloads_ok.load()),
        static_cast<unsigned long long>(reloads_failed_as_expected.load()), seconds);
    int failed = 0;
    const auto expect = [&](bool ok, const char* what, std::uint64_t value) {
        if (!ok) {
            ++failed;
            std::printf("FAIL %s (%llu)\n", what, static_cast<unsigned long long>(value));
        }
    };
    expect(wrong_ids == 0, "submit returned an unexpected id", wrong_ids);
    expect(out_of_order == 0, "results out of order", out_of_order);
    expect(bad_results == 0, "results matching no model version", bad_results);
    expect(not_once == 0, "ids without exactly one result or dropped report", not_once);
    expect(report.completed + report.dropped == report.accepted, "completed + dropped != accepted", report.accepted);
    expect(reload_errors == 0, "unexpected reload outcomes", reload_errors);
    expect(reloads_ok > 0 && reloads_failed_as_expected > 0, "no reloads happened", reloads_ok);
    expect(stats.reloads == reloads_ok, "processor reload counter", stats.reloads);
    std::error_code ec;
    fs::remove_all(base, ec);
    std::printf("%s\n", failed ? "FAILED" : "ok");
    return failed ? 1 : 0;
}

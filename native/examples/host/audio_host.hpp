// What a plugin's audio side does with the ml5 runtime, and nothing else: everything is
// allocated in the constructor; process_block() — the audio callback — submits one feature
// frame to the processor's async pipeline and takes the results that are ready, without
// blocking, locking or allocating, and times its own work.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ml5/ml5.hpp"

namespace example {

using Clock = std::chrono::steady_clock;

// One callback's record, written by the audio thread into a vector sized in advance.
struct CallbackRecord {
    std::int64_t start_ns = 0;     // when the callback began, from the start of the stream
    std::int64_t duration_ns = 0;  // submit + poll, the callback's own work
    std::uint32_t results = 0;     // results taken in this callback
    bool submitted = false;        // the frame was accepted (false: the request ring was full)
};

class AudioHost {
public:
    AudioHost(ml5::MultiModelProcessor& processor, std::size_t max_blocks, std::size_t ring_capacity = 256)
        : pipeline_(processor, ring_capacity), records_(max_blocks) {}

    void start(Clock::time_point stream_start) {
        stream_start_ = stream_start;
        pipeline_.start();
    }

    // The audio callback for block `index`; `features` is this block's 128-value frame.
    void process_block(std::size_t index, const float* features) noexcept {
        const Clock::time_point t0 = Clock::now();
        CallbackRecord& rec = records_[index];
        rec.submitted = pipeline_.submit(features) != 0;
        while (pipeline_.poll(result_)) take(result_);
        const Clock::time_point t1 = Clock::now();
        rec.start_ns = ns(t0 - stream_start_);
        rec.duration_ns = ns(t1 - t0);
        rec.results = static_cast<std::uint32_t>(results_ - results_before_);
        results_before_ = results_;
    }

    // After the stream: stop the worker and take what it still had (not timed as callbacks).
    ml5::StopReport stop() {
        ml5::StopReport report = pipeline_.stop();
        while (pipeline_.poll(result_)) {
            take(result_);
            ++results_after_stop_;
        }
        return report;
    }

    const std::vector<CallbackRecord>& records() const noexcept { return records_; }
    std::uint64_t results() const noexcept { return results_; }
    std::uint64_t results_from_networks() const noexcept { return from_networks_; }
    std::uint64_t results_failed() const noexcept { return failed_; }
    std::uint64_t results_after_stop() const noexcept { return results_after_stop_; }
    std::uint64_t results_out_of_order() const noexcept { return out_of_order_; }
    ml5::AsyncCounters counters() const noexcept { return pipeline_.counters(); }

private:
    static std::int64_t ns(Clock::duration d) noexcept {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    }

    // A host would hand the outputs to its MIDI generator here; the example counts them.
    void take(const ml5::AsyncResult& r) noexcept {
        ++results_;
        if (r.id <= last_id_) ++out_of_order_;
        last_id_ = r.id;
        if (r.status != ml5::Status::Ok) {
            ++failed_;
            return;
        }
        bool networks = true;
        for (ml5::Source s : r.result.source) networks = networks && s == ml5::Source::Network;
        if (networks) ++from_networks_;
    }

    ml5::AsyncPipeline pipeline_;
    ml5::AsyncResult result_;  // polled into; a member so the callback never allocates one
    std::vector<CallbackRecord> records_;
    Clock::time_point stream_start_{};
    std::uint64_t results_ = 0, results_before_ = 0, from_networks_ = 0, failed_ = 0;
    std::uint64_t results_after_stop_ = 0, out_of_order_ = 0, last_id_ = 0;
};

}  // namespace example

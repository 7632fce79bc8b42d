// runFullPipeline off the audio thread: the audio thread submits feature frames into one
// lock-free SPSC ring, a worker thread runs the pipeline and pushes results into another,
// and the audio thread (or any one consumer thread) polls them.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "ml5/processor.hpp"
#include "ml5/spsc_ring.hpp"

namespace ml5 {

struct AsyncRequest {
    std::uint64_t id = 0;
    bool has_harmony_context = false;  // false: harmony reads features[0..64) (the old feed)
    std::array<float, kFeatureSize> features{};
    std::array<float, kHarmonyContextSize> harmony_context{};  // read only if has_harmony_context
};

struct AsyncResult {
    std::uint64_t id = 0;       // the id submit() returned
    Status status = Status::Ok;  // of runFullPipeline (NonFiniteInput for a NaN feature or context value)
    PipelineResult result;
};

struct AsyncCounters {
    std::uint64_t accepted = 0;          // submits that returned an id (ids are 1, 2, 3 ...)
    std::uint64_t rejected_full = 0;     // submits refused because the request ring was full
    std::uint64_t rejected_stopped = 0;  // submits while not running
    std::uint64_t rejected_invalid = 0;  // null pointer, wrong number of features or context values
    std::uint64_t completed = 0;         // results pushed into the result ring
    std::uint64_t dropped = 0;           // accepted requests whose result was dropped at stop()
};

// What stop() did with the requests in flight.
struct StopReport {
    std::uint64_t accepted = 0;   // accepted since construction
    std::uint64_t completed = 0;  // results queued since construction (polled or not)
    std::uint64_t dropped = 0;    // dropped since construction
    std::vector<std::uint64_t> dropped_ids;  // those dropped by this stop()
};

// Semantics (see README):
// - submit() is called by one producer thread (the audio thread); it never blocks or
//   allocates. It copies the features (and the frame's harmony context, if one is given) and
//   returns the request id (1, 2, 3 ... in order of acceptance), or 0 when it did not accept
//   (ring full, not running, bad input: counted). A frame submitted without a context runs
//   runFullPipeline(features) (harmony reads features[0..64)); one with a context runs
//   runFullPipeline(features, harmony_context) (see MultiModelProcessor::runFullPipeline).
// - poll() is called by one consumer thread; it never blocks or allocates. Results arrive in
//   the order of submission, each with its id.
// - The worker runs the requests in order. While running, a full result ring makes the
//   worker wait (the request ring then fills and submit() returns 0: back-pressure).
// - stop(): submit() stops accepting; the worker finishes every request accepted before; a
//   result that finds the result ring full during stop() is dropped and its id reported.
//   So every accepted request gets exactly one result in the ring or one id in dropped_ids.
//   Results still in the ring can be polled after stop().
// - The processor must outlive the pipeline. Do not call the processor's inference functions
//   from another thread while the pipeline runs (they would return Status::Busy now and then).
class AsyncPipeline {
public:
    explicit AsyncPipeline(MultiModelProcessor& processor, std::size_t capacity = 256);
    ~AsyncPipeline();  // stop()
    AsyncPipeline(const AsyncPipeline&) = delete;
    AsyncPipeline& operator=(const AsyncPipeline&) = delete;

    bool start();      // false if already running; throws std::system_error if no thread
    StopReport stop();  // waits for the worker; no-op report if not running
    bool running() const noexcept { return running_.load(std::memory_order_acquire); }
    std::size_t capacity() const noexcept { return requests_.capacity(); }

    std::uint64_t submit(const float* features, std::size_t n_features = kFeatureSize) noexcept;
    // With the frame's harmony context: n_context must be kHarmonyContextSize (64); a null
    // context with n_context 0 is the call above. Other sizes are refused (rejected_invalid);
    // a NaN in the context gets a NonFiniteInput result, as one in the features does.
    std::uint64_t submit(const float* features, std::size_t n_features, const float* harmony_context,
                         std::size_t n_context) noexcept;
    bool poll(AsyncResult& out) noexcept;

    AsyncCounters counters() const noexcept;

private:
    class Wakeup;
    void work();
    void process(const AsyncRequest& request);

    MultiModelProcessor& processor_;
    SpscRing<AsyncRequest> requests_;
    SpscRing<AsyncResult> results_;
    std::unique_ptr<Wakeup> wakeup_;
    std::unique_ptr<AsyncResult> scratch_;  // the worker's result being built
    std::thread worker_;
    std::vector<std::uint64_t> dropped_ids_;  // reserved at start(): the worker never allocates

    std::atomic<bool> running_{false};
    std::atomic<bool> accepting_{false};
    std::atomic<bool> in_submit_{false};
    std::atomic<bool> stopping_{false};
    std::atomic<bool> sleeping_{false};

    std::atomic<std::uint64_t> accepted_{0};
    std::atomic<std::uint64_t> rejected_full_{0};
    std::atomic<std::uint64_t> rejected_stopped_{0};
    std::atomic<std::uint64_t> rejected_invalid_{0};
    std::atomic<std::uint64_t> completed_{0};
    std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace ml5

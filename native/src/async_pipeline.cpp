#include "ml5/async_pipeline.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#elif defined(__APPLE__)
#include <dispatch/dispatch.h>
#else
#include <semaphore.h>
#endif

namespace ml5 {

// A counting semaphore that wakes the sleeping worker. post() never blocks and takes no
// lock (sem_post is async-signal-safe); it is called only when the worker said it sleeps.
class AsyncPipeline::Wakeup {
public:
#if defined(_WIN32)
    Wakeup() : h_(CreateSemaphoreW(nullptr, 0, 0x7fffffff, nullptr)) {
        if (!h_) throw std::system_error(static_cast<int>(GetLastError()), std::system_category(), "CreateSemaphore");
    }
    ~Wakeup() { CloseHandle(h_); }
    void post() noexcept { ReleaseSemaphore(h_, 1, nullptr); }
    void wait() noexcept { WaitForSingleObject(h_, INFINITE); }

private:
    HANDLE h_;
#elif defined(__APPLE__)
    Wakeup() : s_(dispatch_semaphore_create(0)) {
        if (!s_) throw std::system_error(ENOMEM, std::generic_category(), "dispatch_semaphore_create");
    }
    ~Wakeup() { dispatch_release(s_); }
    void post() noexcept { dispatch_semaphore_signal(s_); }
    void wait() noexcept { dispatch_semaphore_wait(s_, DISPATCH_TIME_FOREVER); }

private:
    dispatch_semaphore_t s_;
#else
    Wakeup() {
        if (sem_init(&s_, 0, 0) != 0) throw std::system_error(errno, std::generic_category(), "sem_init");
    }
    ~Wakeup() { sem_destroy(&s_); }
    void post() noexcept { sem_post(&s_); }
    void wait() noexcept {
        while (sem_wait(&s_) != 0 && errno == EINTR) {
        }
    }

private:
    sem_t s_;
#endif
};

AsyncPipeline::AsyncPipeline(MultiModelProcessor& processor, std::size_t capacity)
    : processor_(processor), requests_(capacity), results_(capacity), scratch_(std::make_unique<AsyncResult>()) {}

AsyncPipeline::~AsyncPipeline() { stop(); }

bool AsyncPipeline::start() {
    if (running()) return false;
    wakeup_ = std::make_unique<Wakeup>();  // a fresh count: no stale wake-ups of a past run
    dropped_ids_.clear();
    dropped_ids_.reserve(requests_.capacity() + 1);  // at most every queued request + the one in hand
    stopping_.store(false);
    sleeping_.store(false);
    worker_ = std::thread([this] { work(); });
    running_.store(true, std::memory_order_release);
    accepting_.store(true, std::memory_order_seq_cst);
    return true;
}

StopReport AsyncPipeline::stop() {
    StopReport report;
    if (running()) {
        // No submit() accepts after this: one that already passed the check finishes its push
        // first (the seq_cst pair accepting_ / in_submit_ closes the gap).
        accepting_.store(false, std::memory_order_seq_cst);
        while (in_submit_.load(std::memory_order_seq_cst)) std::this_thread::yield();
        stopping_.store(true, std::memory_order_seq_cst);
        wakeup_->post();
        worker_.join();  // it drains every accepted request first
        running_.store(false, std::memory_order_release);
        report.dropped_ids = std::move(dropped_ids_);
        dropped_ids_ = {};
    }
    report.accepted = accepted_.load();
    report.completed = completed_.load();
    report.dropped = dropped_.load();
    return report;
}

std::uint64_t AsyncPipeline::submit(const float* features, std::size_t n_features) noexcept {
    return submit(features, n_features, nullptr, 0);
}

std::uint64_t AsyncPipeline::submit(const float* features, std::size_t n_features, const float* harmony_context,
                                    std::size_t n_context) noexcept {
    const bool context_ok = harmony_context == nullptr ? n_context == 0
                                                       : n_context == static_cast<std::size_t>(kHarmonyContextSize);
    if (features == nullptr || n_features != static_cast<std::size_t>(kFeatureSize) || !context_ok) {
        rejected_invalid_.fetch_add(1, std::memory_order_relaxed);
        return 0;
    }
    in_submit_.store(true, std::memory_order_seq_cst);
    if (!accepting_.load(std::memory_order_seq_cst)) {
        in_submit_.store(false, std::memory_order_release);
        rejected_stopped_.fetch_add(1, std::memory_order_relaxed);
        return 0;
    }
    // Only this thread writes accepted_, so the id is known before the push.
    const std::uint64_t id = accepted_.load(std::memory_order_relaxed) + 1;
    AsyncRequest request;
    request.id = id;
    std::memcpy(request.features.data(), features, sizeof(float) * kFeatureSize);
    request.has_harmony_context = harmony_context != nullptr;
    if (harmony_context != nullptr)
        std::memcpy(request.harmony_context.data(), harmony_context, sizeof(float) * kHarmonyContextSize);
    if (!requests_.push(request)) {
        in_submit_.store(false, std::memory_order_release);
        rejected_full_.fetch_add(1, std::memory_order_relaxed);
        return 0;
    }
    accepted_.store(id, std::memory_order_relaxed);
    // Wake the worker if it announced it sleeps. Both sides use a read-modify-write of
    // sleeping_, so either this exchange sees `true` and posts, or the worker's exchange
    // comes after it and the worker's next look at the ring sees this push.
    if (sleeping_.exchange(false, std::memory_order_seq_cst)) wakeup_->post();
    in_submit_.store(false, std::memory_order_release);  // stop() waits for this point
    return id;
}

bool AsyncPipeline::poll(AsyncResult& out) noexcept { return results_.pop(out); }

AsyncCounters AsyncPipeline::counters() const noexcept {
    AsyncCounters c;
    c.accepted = accepted_.load(std::memory_order_relaxed);
    c.rejected_full = rejected_full_.load(std::memory_order_relaxed);
    c.rejected_stopped = rejected_stopped_.load(std::memory_order_relaxed);
    c.rejected_invalid = rejected_invalid_.load(std::memory_order_relaxed);
    c.completed = completed_.load(std::memory_order_relaxed);
    c.dropped = dropped_.load(std::memory_order_relaxed);
    return c;
}

void AsyncPipeline::work() {
    AsyncRequest request;
    for (;;) {
        if (requests_.pop(request)) {
            process(request);
            continue;
        }
        if (stopping_.load(std::memory_order_acquire)) {
            while (requests_.pop(request)) process(request);  // accepted before stop(): drain
            return;
        }
        // Announce the sleep, then look again (see submit()): a request pushed before the
        // announcement is seen here, one pushed after it posts the wake-up.
        sleeping_.exchange(true, std::memory_order_seq_cst);
        if (!requests_.empty() || stopping_.load(std::memory_order_seq_cst)) {
            sleeping_.store(false, std::memory_order_relaxed);
            continue;
        }
        wakeup_->wait();
        sleeping_.store(false, std::memory_order_relaxed);
    }
}

void AsyncPipeline::process(const AsyncRequest& request) {
    const auto drop = [&] {
        dropped_ids_.push_back(request.id);  // reserved at start(): no allocation
        dropped_.fetch_add(1, std::memory_order_relaxed);
    };
    if (stopping_.load(std::memory_order_acquire) && results_.full()) return drop();  // no room and no wait
    AsyncResult& r = *scratch_;
    r.id = request.id;
    // Busy only if a host also calls the processor directly from another thread: retry.
    const float* context = request.has_harmony_context ? request.harmony_context.data() : nullptr;
    const std::size_t n_context = request.has_harmony_context ? request.harmony_context.size() : 0;
    while ((r.status = processor_.runFullPipeline(request.features.data(), request.features.size(), context, n_context,
                                                  r.result)) == Status::Busy)
        std::this_thread::yield();
    while (!results_.push(r)) {
        if (stopping_.load(std::memory_order_acquire)) return drop();
        std::this_thread::sleep_for(std::chrono::microseconds(50));  // back-pressure: the consumer is behind
    }
    completed_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace ml5

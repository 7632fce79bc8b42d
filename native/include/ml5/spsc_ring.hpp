// A lock-free single-producer / single-consumer ring of fixed capacity (a power of two).
// One thread pushes, one thread pops; neither ever blocks or allocates after construction.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <type_traits>

namespace ml5 {

template <typename T>
class SpscRing {
    static_assert(std::is_trivially_copyable_v<T>, "slots are copied in and out with plain assignments");

public:
    // Capacity is min_capacity rounded up to a power of two (at least 2). Allocates here only.
    explicit SpscRing(std::size_t min_capacity)
        : capacity_(round_up(min_capacity)), mask_(capacity_ - 1), slots_(new T[capacity_]) {}

    SpscRing(const SpscRing&) = delete;
    SpscRing& operator=(const SpscRing&) = delete;

    std::size_t capacity() const noexcept { return capacity_; }

    // Producer only. False when full (nothing is written).
    bool push(const T& value) noexcept {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        if (tail - head_cache_ == capacity_) {
            head_cache_ = head_.load(std::memory_order_acquire);  // the consumer's progress
            if (tail - head_cache_ == capacity_) return false;
        }
        slots_[tail & mask_] = value;
        tail_.store(tail + 1, std::memory_order_release);  // publishes the slot
        return true;
    }

    // Consumer only. False when empty.
    bool pop(T& value) noexcept {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        if (head == tail_cache_) {
            tail_cache_ = tail_.load(std::memory_order_acquire);  // the producer's progress
            if (head == tail_cache_) return false;
        }
        value = slots_[head & mask_];
        head_.store(head + 1, std::memory_order_release);  // frees the slot
        return true;
    }

    // Either side (a snapshot: the other side may move on at once).
    std::size_t size() const noexcept {
        const std::size_t head = head_.load(std::memory_order_acquire);
        return tail_.load(std::memory_order_acquire) - head;
    }
    bool empty() const noexcept { return size() == 0; }
    bool full() const noexcept { return size() >= capacity_; }

private:
    static std::size_t round_up(std::size_t n) noexcept {
        std::size_t c = 2;
        while (c < n) c <<= 1;
        return c;
    }

    const std::size_t capacity_;
    const std::size_t mask_;
    const std::unique_ptr<T[]> slots_;
    // Positions only grow (index = position & mask); each sits on its own cache line with
    // the owning side's cached copy of the other position.
    alignas(64) std::atomic<std::size_t> head_{0};  // next to pop: written by the consumer
    std::size_t tail_cache_ = 0;                   // consumer's last view of tail_
    alignas(64) std::atomic<std::size_t> tail_{0};  // next to push: written by the producer
    std::size_t head_cache_ = 0;                   // producer's last view of head_
};

}  // namespace ml5

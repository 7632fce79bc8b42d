// A fixed-size, zero-initialised, 64-byte aligned float array.
// Allocated once at load time; never resized, so the inference path never allocates.
#pragma once

#include <cstddef>
#include <cstring>
#include <new>
#include <utility>

namespace ml5 {

inline constexpr std::size_t kAlignment = 64;            // one cache line, enough for AVX-512
inline constexpr std::size_t kFloatsPerLine = kAlignment / sizeof(float);

// Rounds n floats up to a whole number of cache lines, so each matrix row starts aligned.
constexpr std::size_t padded(std::size_t n) noexcept {
    return (n + kFloatsPerLine - 1) / kFloatsPerLine * kFloatsPerLine;
}

class AlignedBuffer {
public:
    AlignedBuffer() noexcept = default;
    explicit AlignedBuffer(std::size_t n) : size_(n) {
        if (n == 0) return;
        data_ = static_cast<float*>(::operator new(padded(n) * sizeof(float), std::align_val_t{kAlignment}));
        std::memset(data_, 0, padded(n) * sizeof(float));
    }
    ~AlignedBuffer() { release(); }

    AlignedBuffer(const AlignedBuffer&) = delete;
    AlignedBuffer& operator=(const AlignedBuffer&) = delete;
    AlignedBuffer(AlignedBuffer&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
    AlignedBuffer& operator=(AlignedBuffer&& o) noexcept {
        if (this != &o) {
            release();
            data_ = std::exchange(o.data_, nullptr);
            size_ = std::exchange(o.size_, 0);
        }
        return *this;
    }

    float* data() noexcept { return data_; }
    const float* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    // Bytes really held, padding included.
    std::size_t bytes() const noexcept { return data_ ? padded(size_) * sizeof(float) : 0; }
    float& operator[](std::size_t i) noexcept { return data_[i]; }
    const float& operator[](std::size_t i) const noexcept { return data_[i]; }
    void zero() noexcept {
        if (data_) std::memset(data_, 0, padded(size_) * sizeof(float));
    }

private:
    void release() noexcept {
        if (data_) ::operator delete(data_, std::align_val_t{kAlignment});
        data_ = nullptr;
    }
    float* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace ml5

// Counting replacements of the global allocation functions, shared by the real-time tests.
// Every operator new/delete (and, on glibc without a sanitizer, malloc and friends) calls
// note_alloc() / note_free(), which the including test defines: counting globally, or only
// on a watched thread. Include it from exactly one source file of a test executable.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

void note_alloc() noexcept;  // defined by the test
void note_free() noexcept;

#if defined(__GLIBC__) && !defined(ML5_SANITIZE)  // a sanitizer build keeps its own allocator
#define ML5_COUNT_MALLOC 1
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);

void* malloc(std::size_t n) {
    note_alloc();
    return __libc_malloc(n);
}
void* calloc(std::size_t a, std::size_t b) {
    note_alloc();
    return __libc_calloc(a, b);
}
void* realloc(void* p, std::size_t n) {
    note_alloc();
    return __libc_realloc(p, n);
}
void* aligned_alloc(std::size_t al, std::size_t n) {
    note_alloc();
    return __libc_memalign(al, n);
}
int posix_memalign(void** out, std::size_t al, std::size_t n) {
    note_alloc();
    void* p = __libc_memalign(al, n);
    if (!p) return 12;  // ENOMEM
    *out = p;
    return 0;
}
void free(void* p) {
    if (p) note_free();
    __libc_free(p);
}
}
#endif

namespace alloc_hooks {
// operator new counts once, then takes memory from the allocator below the counting layer.
inline void* raw_alloc(std::size_t n, std::size_t align) noexcept {
#ifdef ML5_COUNT_MALLOC
    return align <= alignof(std::max_align_t) ? __libc_malloc(n) : __libc_memalign(align, n);
#else
    if (align <= alignof(std::max_align_t)) return std::malloc(n);
    return std::aligned_alloc(align, (n + align - 1) / align * align);
#endif
}
inline void raw_free(void* p) noexcept {
#ifdef ML5_COUNT_MALLOC
    __libc_free(p);
#else
    std::free(p);
#endif
}
inline void* counted_new(std::size_t n, std::size_t align) {
    note_alloc();
    void* p = raw_alloc(n == 0 ? 1 : n, align);
    if (!p) throw std::bad_alloc();
    return p;
}
inline void* counted_new_nothrow(std::size_t n, std::size_t align) noexcept {
    note_alloc();
    return raw_alloc(n == 0 ? 1 : n, align);
}
inline void counted_delete(void* p) noexcept {
    if (p) note_free();
    raw_free(p);
}
}  // namespace alloc_hooks

void* operator new(std::size_t n) { return alloc_hooks::counted_new(n, 0); }
void* operator new[](std::size_t n) { return alloc_hooks::counted_new(n, 0); }
void* operator new(std::size_t n, std::align_val_t a) { return alloc_hooks::counted_new(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return alloc_hooks::counted_new(n, static_cast<std::size_t>(a)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return alloc_hooks::counted_new_nothrow(n, 0); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return alloc_hooks::counted_new_nothrow(n, 0); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return alloc_hooks::counted_new_nothrow(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return alloc_hooks::counted_new_nothrow(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept { alloc_hooks::counted_delete(p); }
void operator delete[](void* p) noexcept { alloc_hooks::counted_delete(p); }
void operator delete(void* p, std::size_t) noexcept { alloc_hooks::counted_delete(p); }
void operator delete[](void* p, std::size_t) noexcept { alloc_hooks::counted_delete(p); }
void operator delete(void* p, std::align_val_t) noexcept { alloc_hooks::counted_delete(p); }
void operator delete[](void* p, std::align_val_t) noexcept { alloc_hooks::counted_delete(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { alloc_hooks::counted_delete(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { alloc_hooks::counted_delete(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { alloc_hooks::counted_delete(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { alloc_hooks::counted_delete(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { alloc_hooks::counted_delete(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { alloc_hooks::counted_delete(p); }

// The runtime's version: the one definition. CMake reads the three numbers below for
// project(VERSION), hence for the installed package's ml5rtConfigVersion.cmake.
// Compatibility (docs/cpp-runtime.md): a host built against X.Y.* works with any X.Y.*.
#pragma once

#define ML5RT_VERSION_MAJOR 0
#define ML5RT_VERSION_MINOR 1
#define ML5RT_VERSION_PATCH 0

#define ML5RT_VERSION_STRINGIFY_(x) #x
#define ML5RT_VERSION_STRINGIFY(x) ML5RT_VERSION_STRINGIFY_(x)
// "0.1.0"
#define ML5RT_VERSION_STRING                                                           \
    ML5RT_VERSION_STRINGIFY(ML5RT_VERSION_MAJOR) "." ML5RT_VERSION_STRINGIFY(ML5RT_VERSION_MINOR) "." \
        ML5RT_VERSION_STRINGIFY(ML5RT_VERSION_PATCH)
// One number for preprocessor tests: #if ML5RT_VERSION >= 100 (0.1.0).
#define ML5RT_VERSION (ML5RT_VERSION_MAJOR * 10000 + ML5RT_VERSION_MINOR * 100 + ML5RT_VERSION_PATCH)

namespace ml5 {
inline constexpr int kVersionMajor = ML5RT_VERSION_MAJOR;
inline constexpr int kVersionMinor = ML5RT_VERSION_MINOR;
inline constexpr int kVersionPatch = ML5RT_VERSION_PATCH;
inline constexpr const char* kVersion = ML5RT_VERSION_STRING;
}  // namespace ml5

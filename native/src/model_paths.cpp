// Where the processor looks for model files when it is given no folder.
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "ml5/processor.hpp"

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#elif defined(__APPLE__)
#include <mach-o/dyld.h>
#include <cstdint>
#endif

namespace ml5 {

namespace fs = std::filesystem;

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

std::string user_data_folder() {
#if defined(_WIN32)
    const std::string appdata = env("APPDATA");
    return appdata.empty() ? "" : (fs::path(appdata) / "ml5" / "models").string();
#elif defined(__APPLE__)
    const std::string home = env("HOME");
    return home.empty() ? "" : (fs::path(home) / "Library" / "Application Support" / "ml5" / "models").string();
#else
    const std::string xdg = env("XDG_DATA_HOME");
    if (!xdg.empty()) return (fs::path(xdg) / "ml5" / "models").string();
    const std::string home = env("HOME");
    return home.empty() ? "" : (fs::path(home) / ".local" / "share" / "ml5" / "models").string();
#endif
}

}  // namespace

std::string executable_directory() {
    std::error_code ec;
#if defined(_WIN32)
    std::wstring buf(32768, L'\0');
    const DWORD n = GetModuleFileNameW(nullptr, buf.data(), static_cast<DWORD>(buf.size()));
    if (n == 0 || n >= buf.size()) return "";
    buf.resize(n);
    return fs::path(buf).parent_path().string();
#elif defined(__APPLE__)
    std::uint32_t size = 0;
    _NSGetExecutablePath(nullptr, &size);
    std::string buf(size, '\0');
    if (_NSGetExecutablePath(buf.data(), &size) != 0) return "";
    const fs::path exe = fs::weakly_canonical(fs::path(buf.c_str()), ec);
    return ec ? "" : exe.parent_path().string();
#else
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? "" : exe.parent_path().string();
#endif
}

std::vector<std::string> model_search_paths() {
    std::vector<std::string> paths;
    const auto add = [&](const std::string& p) {
        if (!p.empty()) paths.push_back(p);
    };
    add(env("ML5_MODELS_PATH"));
    const std::string exe_dir = executable_directory();
    if (!exe_dir.empty()) {
        add((fs::path(exe_dir) / "models").string());
        add((fs::path(exe_dir) / ".." / "Resources" / "models").lexically_normal().string());
    }
    add(user_data_folder());
    return paths;
}

std::string find_models_directory(const std::vector<std::string>& candidates) {
    for (const auto& dir : candidates) {
        for (const auto& s : kModelSlots) {
            std::error_code ec;
            if (fs::is_regular_file(fs::path(dir) / (std::string(s.stem) + ".json"), ec)) return dir;
        }
    }
    return "";
}

}  // namespace ml5

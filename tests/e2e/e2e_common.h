#pragma once
// What every end-to-end test file needs: run the qcsim binary as a user or CI would (one
// process per simulation: SystemC elaborates once per process), a scratch directory of this
// test process, and whole-file reads.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace e2e {

namespace fs = std::filesystem;

struct result {
    int status = -1;
    std::string out, err;
};

/// A directory of this test process (ctest runs every test case as its own process).
inline fs::path scratch_dir() {
    static fs::path d = [] {
        fs::path p = fs::temp_directory_path() / ("qcsim-e2e-" + std::to_string(::getpid()));
        fs::create_directories(p);
        return p;
    }();
    return d;
}

inline std::string slurp(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// The lines of a file (no line ends).
inline std::vector<std::string> lines_of(const fs::path &p) {
    std::vector<std::string> v;
    std::istringstream in(slurp(p));
    for (std::string l; std::getline(in, l);)
        v.push_back(l);
    return v;
}

/// Runs `qcsim ARGS` (a shell command line) and returns its exit status and outputs.
inline result qcsim(const std::string &args) {
    fs::path o = scratch_dir() / "stdout.txt", e = scratch_dir() / "stderr.txt";
    std::string cmd = std::string("\"") + QCSIM_BIN + "\" " + args + " >\"" + o.string() +
                      "\" 2>\"" + e.string() + "\" </dev/null";
    int rc = std::system(cmd.c_str());
    result r;
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.out = slurp(o);
    r.err = slurp(e);
    return r;
}

} // namespace e2e

#include "sim/output.h"

#include "sim/errors.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace sim {

namespace fs = std::filesystem;

namespace {

std::string temp_name(const std::string &path) {
    return path + ".tmp." + std::to_string(::getpid());
}

/// Writes `text` to the temporary file of `path`; on failure removes it and throws.
void write_temp(const std::string &path, const std::string &text) {
    const std::string tmp = temp_name(path);
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
        throw input_error(path, "$", std::string("cannot write: ") + std::strerror(errno));
    out << text;
    out.flush();
    if (!out) {
        out.close();
        std::remove(tmp.c_str());
        throw input_error(path, "$", "write failed");
    }
}

void rename_temp(const std::string &path) {
    const std::string tmp = temp_name(path);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        std::remove(tmp.c_str());
        throw input_error(path, "$", std::string("cannot write: ") + std::strerror(e));
    }
}

/// Appends `v` to `out` until `out` holds more than `max` characters; false once it does.
bool append_brief(const nlohmann::json &v, std::string &out, std::size_t max, int depth) {
    if (out.size() > max)
        return false;
    if (depth > 16) {
        out += "...";
        return false;
    }
    if (v.is_object() || v.is_array()) {
        const bool obj = v.is_object();
        out += obj ? '{' : '[';
        bool first = true;
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (!first)
                out += ',';
            first = false;
            if (obj) {
                out += nlohmann::json(it.key().substr(0, max)).dump() + ':';
            }
            if (!append_brief(*it, out, max, depth + 1))
                return false;
        }
        out += obj ? '}' : ']';
        return out.size() <= max;
    }
    if (v.is_string()) {
        out += nlohmann::json(v.get_ref<const std::string &>().substr(0, max + 1)).dump();
        return out.size() <= max;
    }
    out += v.dump(); // a number, a boolean or null: short
    return out.size() <= max;
}

} // namespace

std::string brief_json(const nlohmann::json &v, std::size_t max) {
    std::string out;
    if (append_brief(v, out, max, 0) && out.size() <= max)
        return out;
    std::size_t n = std::min(max, out.size());
    while (n > 0 && n < out.size() && (static_cast<unsigned char>(out[n]) & 0xC0) == 0x80)
        --n; // do not split a UTF-8 sequence
    return out.substr(0, n) + "...";
}

void write_file_atomic(const std::string &path, const std::string &text) {
    write_files_atomic({{path, text}});
}

void write_files_atomic(const std::vector<std::pair<std::string, std::string>> &path_texts) {
    std::vector<std::string> written;
    try {
        for (const auto &[path, text] : path_texts) {
            if (path == "-")
                continue;
            write_temp(path, text);
            written.push_back(path);
        }
    } catch (...) {
        for (const auto &p : written)
            std::remove(temp_name(p).c_str());
        throw;
    }
    for (std::size_t i = 0; i < written.size(); ++i) {
        try {
            rename_temp(written[i]);
        } catch (...) {
            for (std::size_t k = i + 1; k < written.size(); ++k)
                std::remove(temp_name(written[k]).c_str());
            throw;
        }
    }
    for (const auto &[path, text] : path_texts)
        if (path == "-") {
            std::cout << text;
            std::cout.flush();
        }
}

void check_writable(const std::string &path, const std::string &option) {
    if (path == "-")
        return;
    if (path.empty())
        throw input_error(option, "$", "expected a file name, found an empty one");
    const fs::path p(path);
    std::error_code ec;
    if (fs::is_directory(p, ec))
        throw input_error(path, "$",
                          "cannot write " + option + " here: it is a directory, expected a file");
    const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    if (!fs::is_directory(dir, ec))
        throw input_error(path, "$",
                          "cannot write " + option + ": the directory " + dir.string() +
                              " does not exist");
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        throw input_error(path, "$",
                          "cannot write " + option + ": the directory " + dir.string() +
                              " is not writable (" + std::strerror(errno) + ")");
}

void check_outputs(const std::vector<std::pair<std::string, std::string>> &option_paths) {
    std::vector<std::pair<fs::path, std::string>> seen;
    for (const auto &[option, path] : option_paths) {
        check_writable(path, option);
        if (path == "-")
            continue;
        std::error_code ec;
        fs::path canon = fs::weakly_canonical(fs::absolute(path), ec);
        for (const auto &[other, other_option] : seen)
            if (other == canon)
                throw input_error(path, "$",
                                  "given for both " + other_option + " and " + option +
                                      ": expected a file of its own for each");
        seen.emplace_back(canon, option);
    }
}

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw input_error(path, "$", std::string("cannot read file: ") + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

nlohmann::json parse_json_text(const std::string &text, const std::string &file) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error &e) {
        // e.byte is 1-based: the position of the character that made the parse fail.
        std::size_t byte = e.byte == 0 ? 0 : e.byte - 1;
        std::size_t line = 1, col = 1;
        for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        throw input_error(file, "$",
                          "malformed JSON at line " + std::to_string(line) + ", column " +
                              std::to_string(col) + " (byte " + std::to_string(e.byte) +
                              "): " + e.what());
    }
}

} // namespace sim

#include "sim/output.h"

#include "sim/errors.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
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

namespace {

/// An existing file that is not a regular file or a directory: a device such as /dev/null or a
/// pipe. It is written in place; a rename would replace the device node itself.
bool special_file(const std::string &path) {
    std::error_code ec;
    const auto st = fs::status(path, ec);
    return !ec && fs::exists(st) && !fs::is_regular_file(st) && !fs::is_directory(st);
}

void write_in_place(const std::string &path, const std::string &text) {
    std::ofstream out(path, std::ios::binary);
    if (!out)
        throw input_error(path, "$", std::string("cannot write: ") + std::strerror(errno));
    out << text;
    out.flush();
    if (!out)
        throw input_error(path, "$", "write failed");
}

} // namespace

void write_files_atomic(const std::vector<std::pair<std::string, std::string>> &path_texts) {
    std::vector<std::string> written;
    try {
        for (const auto &[path, text] : path_texts) {
            if (path == "-" || special_file(path))
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
        } else if (special_file(path)) {
            write_in_place(path, text);
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
    if (special_file(path)) {
        if (::access(path.c_str(), W_OK) != 0)
            throw input_error(path, "$", "cannot write " + option + ": " + std::strerror(errno));
        return;
    }
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
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st))
        throw input_error(path, "$",
                          std::string("cannot read file: ") +
                              (ec ? ec.message() : std::string(std::strerror(ENOENT))));
    if (fs::is_directory(st))
        throw input_error(path, "$", "is a directory, expected a JSON file");
    if (!fs::is_regular_file(st))
        throw input_error(path, "$",
                          "is not a regular file (a device, a pipe or a socket), expected a "
                          "JSON file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw input_error(path, "$", std::string("cannot read file: ") + std::strerror(errno));
    const auto size = fs::file_size(path, ec);
    if (!ec && size > max_input_bytes)
        throw input_error(path, "$",
                          "is " + std::to_string(size) + " bytes, more than the " +
                              std::to_string(max_input_bytes >> 20) +
                              " MiB qcsim reads from one file");
    std::string text(ec ? 0 : size, '\0');
    in.read(text.data(), std::streamsize(text.size()));
    text.resize(std::size_t(in.gcount()));
    if (in.peek() != std::char_traits<char>::eof())
        throw input_error(path, "$", "changed while it was read");
    return text;
}

namespace {

/// "line L, column C (byte B)" of the 0-based byte `at` of `text`.
std::string position(const std::string &text, std::size_t at) {
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < at && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(col) + " (byte " +
           std::to_string(at + 1) + ")";
}

bool number_char(char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

std::string ordinal(std::size_t n) {
    const char *suffix = (n % 100 >= 11 && n % 100 <= 13) ? "th"
                         : n % 10 == 1                    ? "st"
                         : n % 10 == 2                    ? "nd"
                         : n % 10 == 3                    ? "rd"
                                                          : "th";
    return std::to_string(n) + suffix;
}

} // namespace

std::string json_text_problem(const std::string &text) {
    std::size_t depth = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') { // skip the string, escapes included
            for (++i; i < text.size() && text[i] != '"'; ++i)
                if (text[i] == '\\')
                    ++i;
            continue;
        }
        if (c == '[' || c == '{') {
            if (++depth > max_json_depth)
                return "arrays and objects nested deeper than " + std::to_string(max_json_depth) +
                       " levels at " + position(text, i);
        } else if (c == ']' || c == '}') {
            if (depth > 0)
                --depth;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            std::size_t j = i;
            while (j < text.size() && number_char(text[j]))
                ++j;
            // Only an exponent or more than 308 digits can leave the range of a double.
            const std::string token = text.substr(i, j - i);
            if (token.find_first_of("eE") != std::string::npos || token.size() > 308) {
                const double v = std::strtod(token.c_str(), nullptr);
                if (!std::isfinite(v))
                    return "the number " + brief(token) +
                           " is beyond the range of a double (about 1.8e308) at " +
                           position(text, i);
            }
            i = j - 1;
        }
    }
    return "";
}

nlohmann::json parse_json_text(const std::string &text, const std::string &file) {
    if (const std::string problem = json_text_problem(text); !problem.empty())
        throw input_error(file, "$", problem);
    // The parser keeps the last of two equal keys; the callback sees every key of every object
    // as it is read, so a repeated one is found here, with the JSON path of its object.
    struct frame {
        bool object = false;
        std::size_t count = 0;                   ///< keys or elements read so far
        std::string key;                         ///< the current key of an object
        std::map<std::string, std::size_t> keys; ///< key -> its position (1-based)
    };
    std::vector<frame> stack;
    auto path_of = [&stack](std::size_t frames) {
        std::string p;
        for (std::size_t i = 0; i < frames; ++i)
            p += stack[i].object ? (p.empty() ? "" : ".") + stack[i].key
                                 : "[" + std::to_string(stack[i].count) + "]";
        return p;
    };
    using event = nlohmann::json::parse_event_t;
    auto callback = [&](int, event ev, nlohmann::json &parsed) {
        switch (ev) {
        case event::object_start:
        case event::array_start:
            stack.push_back({ev == event::object_start, 0, "", {}});
            break;
        case event::key: {
            frame &f = stack.back();
            const std::string &k = parsed.get_ref<const std::string &>();
            ++f.count;
            if (k.rfind("//", 0) != 0) { // comment keys may repeat
                auto [it, fresh] = f.keys.emplace(k, f.count);
                if (!fresh) {
                    const std::string object = path_of(stack.size() - 1);
                    f.key = k;
                    throw input_error(
                        file, path_of(stack.size()),
                        "duplicate key \"" + brief(k) + "\": the " + ordinal(it->second) +
                            " and the " + ordinal(f.count) + " key of the object at " +
                            (object.empty() ? "$" : object) +
                            " (JSON keeps only one of them, so a key may appear once)");
                }
            }
            f.key = k;
            break;
        }
        case event::value:
            if (!stack.empty() && !stack.back().object)
                ++stack.back().count;
            break;
        case event::object_end:
        case event::array_end:
            stack.pop_back();
            if (!stack.empty() && !stack.back().object)
                ++stack.back().count;
            break;
        }
        return true;
    };
    try {
        return nlohmann::json::parse(text, callback);
    } catch (const nlohmann::json::parse_error &e) {
        // e.byte is 1-based: the position of the character that made the parse fail.
        const std::size_t byte = e.byte == 0 ? 0 : e.byte - 1;
        throw input_error(
            file, "$", "malformed JSON at " + position(text, byte) + ": " + brief(e.what(), 300));
    } catch (const nlohmann::json::exception &e) {
        throw input_error(file, "$", std::string("malformed JSON: ") + brief(e.what(), 300));
    }
}

} // namespace sim

#include "sim/output.h"

#include "sim/errors.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace sim {

void write_file_atomic(const std::string &path, const std::string &text) {
    if (path == "-") {
        std::cout << text;
        std::cout.flush();
        return;
    }
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw input_error(path, "$", std::string("cannot write: ") + std::strerror(errno));
        out << text;
        out.flush();
        if (!out) {
            std::remove(tmp.c_str());
            throw input_error(path, "$", "write failed");
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        std::remove(tmp.c_str());
        throw input_error(path, "$", std::string("cannot write: ") + std::strerror(e));
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

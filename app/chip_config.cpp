#include "app/chip_config.h"

#include "sim/errors.h"
#include "sim/output.h"

namespace app {

nlohmann::json parse_json_text(const std::string &text, const std::string &file) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error &e) {
        // Locate the byte offset nlohmann reports as line:column for people.
        std::size_t line = 1, col = 1;
        for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        throw sim::input_error(file, "$",
                               "malformed JSON at line " + std::to_string(line) + ", column " +
                                   std::to_string(col) + ": expected a valid JSON document");
    }
}

loaded_chip load_chip(const std::string &file, const std::vector<std::string> &sets) {
    loaded_chip out;
    nlohmann::json j = nlohmann::json::object();
    out.source = file.empty() ? "<built-in questcore-ref>" : file;
    if (!file.empty()) {
        j = parse_json_text(sim::read_file(file), file);
        // Errors in the file itself name the file.
        out.chip = sim::read_params<ops::chip_desc>(j, file);
    }
    if (!sets.empty()) {
        const nlohmann::json schema =
            nlohmann::json::parse(sim::write_params(ops::chip_desc{}).dump());
        for (const auto &s : sets)
            sim::apply_override(j, schema, s);
        // The file was valid, so what fails now came from a --set.
        out.chip = sim::read_params<ops::chip_desc>(j, "--set");
    }
    ops::validate(out.chip, sets.empty() ? out.source : out.source + " with --set");
    out.effective = sim::write_params(out.chip);
    return out;
}

} // namespace app

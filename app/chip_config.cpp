#include "app/chip_config.h"

#include "sim/errors.h"
#include "sim/output.h"

namespace app {

loaded_chip load_chip(const std::string &file, const std::vector<std::string> &sets) {
    loaded_chip out;
    nlohmann::json j = nlohmann::json::object();
    out.source = file.empty() ? "<built-in questcore-ref>" : file;
    if (!file.empty()) {
        j = sim::parse_json_text(sim::read_file(file), file);
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

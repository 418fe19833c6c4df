#pragma once
// Loading the chip: the built-in reference chip (the defaults of ops::chip_desc) or a JSON file
// read strictly over those defaults, then the --set overrides, then cross-field validation.

#include "ops/chip.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace app {

struct loaded_chip {
    ops::chip_desc chip;
    std::string source;               ///< the file, or "<built-in questcore-ref>"
    nlohmann::ordered_json effective; ///< every key with its effective value (--dump-config)
};

/// `file` empty means the built-in reference chip. Throws sim::input_error.
loaded_chip load_chip(const std::string &file, const std::vector<std::string> &sets);

} // namespace app

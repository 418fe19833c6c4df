#pragma once
// Built-in networks: a registry of generators, each with declared parameters, and the one entry
// point that turns a --workload spec ("mobilenext:width=0.75,identity_div=2" or a trace path)
// into a validated graph. Layer structure follows the authors' code (docs/workloads.md).

#include "workloads/graph.h"

#include <map>
#include <string>
#include <variant>
#include <vector>

namespace workloads {

/// A declared generator parameter. Integer parameters reject fractional values; a choice takes
/// one of a list of words (`preset=base`).
struct gen_param {
    enum class kind : std::uint8_t { integer, real, choice };
    std::string name;
    kind type;
    double default_value; ///< integer and real parameters
    double min, max;      ///< inclusive; integer and real parameters
    std::string description;
    std::vector<std::string> choices; ///< choice: the allowed values, in documentation order
    std::string default_choice;       ///< choice: the default, one of `choices`

    /// The default as it is written in a spec: "1", "224", "base".
    std::string default_text() const;
    /// The allowed values: "[0.1, 4]" or "{small|medium-small|base}".
    std::string range_text() const;
};

/// One parameter value: a number (integer and real parameters) or a word (choices).
using gen_value = std::variant<double, std::string>;
/// Parameter values by name, every declared parameter present (defaults filled in).
using gen_values = std::map<std::string, gen_value>;

struct generator {
    std::string name;
    std::string description; ///< one line
    std::vector<gen_param> params;
    graph (*build)(const gen_values &values);
};

/// Every built-in generator (built on first call, no static registration).
const std::vector<generator> &generators();

/// `name`, `name:k=v,k=v`, `scalesim:PATH` (a SCALE-Sim topology CSV, scalesim_topology.h), or
/// a trace path (ends in ".json" or contains '/'; a spec ending in ".csv" without the scalesim:
/// prefix is rejected with a hint). Errors are
/// sim::input_error("--workload", "<generator>.<param>", ...). A generated graph's name is the
/// canonical spec with every parameter in declaration order, e.g.
/// "mobilenext:width=1,resolution=224,identity_div=1".
graph build_workload(const std::string &spec);

/// The TF/PyTorch channel rounding: the multiple of `divisor` nearest to v (at least `divisor`),
/// plus one `divisor` when that falls below 90% of v.
std::int64_t make_divisible(double v, std::int64_t divisor);

/// MobileNeXt (sandglass blocks), official mnext.py structure; identity_div >= 1 keeps the
/// shortcut on the first max(1, C / identity_div) channels of every identity block.
graph build_mobilenext(double width, std::int64_t resolution, std::int64_t identity_div);
/// MobileNetV2 (inverted residual blocks), torchvision structure.
graph build_mobilenetv2(double width, std::int64_t resolution);

/// ConvBERT encoder (mixed attention: self-attention heads plus span-based dynamic convolution
/// heads), official modeling.py structure; preset small | medium-small | base. `ffn_groups` and
/// `layers` (and `heads`) 0 take the preset's value; `embeddings` false starts from hidden states
/// [seq, d].
graph build_convbert(const std::string &preset, std::int64_t seq, std::int64_t head_ratio,
                     std::int64_t kernel, std::int64_t ffn_groups, std::int64_t layers,
                     bool embeddings, std::int64_t heads = 0);
/// BERT encoder with its pooler; preset small (L4/H512) | base. `layers` 0: the preset's.
graph build_bert(const std::string &preset, std::int64_t seq, std::int64_t layers, bool embeddings,
                 std::int64_t heads = 0);
/// ViT / DeiT image classifier, 16x16 patches, 1000 classes; preset vit-b16 | deit-tiny |
/// deit-small; `resolution` a multiple of 16; `layers` 0: the preset's.
graph build_vit(const std::string &preset, std::int64_t resolution, std::int64_t layers);

} // namespace workloads

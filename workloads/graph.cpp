#include "workloads/graph.h"

#include <stdexcept>

namespace workloads {

int dtype_bytes(dtype t) {
    switch (t) {
    case dtype::int8: return 1;
    case dtype::int16: return 2;
    case dtype::fp16: return 2;
    case dtype::int32: return 4;
    case dtype::fp32: return 4;
    }
    return 1;
}

const char* dtype_name(dtype t) {
    switch (t) {
    case dtype::int8: return "int8";
    case dtype::int16: return "int16";
    case dtype::fp16: return "fp16";
    case dtype::int32: return "int32";
    case dtype::fp32: return "fp32";
    }
    return "int8";
}

dtype parse_dtype(const std::string& name) {
    for (dtype t : {dtype::int8, dtype::int16, dtype::fp16, dtype::int32, dtype::fp32})
        if (name == dtype_name(t)) return t;
    throw std::invalid_argument("unknown dtype \"" + name +
                                "\", expected int8, int16, fp16, int32 or fp32");
}

std::int64_t tensor::elements() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

std::int64_t op::attr_int(const std::string& key, std::int64_t dflt) const {
    auto it = attrs.find(key);
    if (it == attrs.end()) return dflt;
    if (auto p = std::get_if<std::int64_t>(&it->second)) return *p;
    return dflt;
}

std::vector<std::int64_t> op::attr_ints(const std::string& key,
                                        const std::vector<std::int64_t>& dflt) const {
    auto it = attrs.find(key);
    if (it == attrs.end()) return dflt;
    if (auto p = std::get_if<std::vector<std::int64_t>>(&it->second)) return *p;
    if (auto p = std::get_if<std::int64_t>(&it->second)) return {*p};
    return dflt;
}

std::string op::attr_str(const std::string& key, const std::string& dflt) const {
    auto it = attrs.find(key);
    if (it == attrs.end()) return dflt;
    if (auto p = std::get_if<std::string>(&it->second)) return *p;
    return dflt;
}

int graph::add_tensor(tensor t) {
    tensors.push_back(std::move(t));
    return static_cast<int>(tensors.size()) - 1;
}

std::int64_t graph::op_macs(const op& o) const {
    auto out_elems = [&]() { return o.outputs.empty() ? 0 : tensors[o.outputs[0]].elements(); };
    if (o.type == "conv2d") {
        // Hout·Wout·Cout·(Cin/groups)·kh·kw = output elements · (Cin/groups)·kh·kw
        const auto& x = tensors[o.inputs[0]];
        auto k = o.attr_ints("kernel", {1, 1});
        std::int64_t kh = k[0], kw = k.size() > 1 ? k[1] : k[0];
        std::int64_t groups = o.attr_int("groups", 1);
        return out_elems() * (x.shape[0] / groups) * kh * kw;
    }
    if (o.type == "fc") {
        const auto& x = tensors[o.inputs[0]];
        return x.elements() * out_elems();
    }
    if (o.type == "matmul") {
        const auto& a = tensors[o.inputs[0]];
        // out [.., M, N], a [.., M, K]: MACs = out elements · K
        return out_elems() * a.shape.back();
    }
    return 0;
}

std::int64_t graph::total_macs() const {
    std::int64_t n = 0;
    for (const auto& o : ops) n += op_macs(o);
    return n;
}

std::int64_t graph::total_params() const {
    std::int64_t n = 0;
    for (const auto& t : tensors)
        if (t.constant) n += t.elements();
    for (const auto& o : ops)
        if (o.attr_int("batchnorm", 0) == 1 && !o.outputs.empty())
            n += 2 * tensors[o.outputs[0]].shape[0];
    return n;
}

} // namespace workloads

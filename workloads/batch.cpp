#include "workloads/batch.h"

#include "sim/errors.h"

#include <set>

namespace workloads {

graph batch_graph(const graph &g, std::uint32_t b, const std::string &source) {
    if (b <= 1)
        return g;
    graph out = g;
    out.name = g.name + "*batch=" + std::to_string(b);
    const std::int64_t B = b;
    auto refuse = [&](std::size_t i, const std::string &why) {
        throw sim::input_error(source, "ops[" + std::to_string(i) + "]",
                               "cannot batch " + g.name + ": " + g.ops[i].name + " (" +
                                   g.ops[i].type + ") " + why);
    };
    // Activations (non-constant CHW tensors) stack along H.
    for (auto &t : out.tensors)
        if (!t.constant && t.shape.size() == 3)
            t.shape[1] *= B;
    std::set<int> replicated; // constants already copied per image
    for (std::size_t i = 0; i < g.ops.size(); ++i) {
        const op &o = g.ops[i];
        op &n = out.ops[i];
        const auto &x = g.tensors[std::size_t(o.inputs.at(0))].shape;
        const auto &y = g.tensors[std::size_t(o.outputs.at(0))].shape;
        if (o.type == "conv2d" || o.type == "maxpool" || o.type == "avgpool") {
            if (x.size() != 3 || y.size() != 3)
                refuse(i, "is not on CHW tensors");
            auto k = o.attr_ints("kernel", {1, 1});
            auto s = o.attr_ints("stride", {1, 1});
            auto p = o.attr_ints("pad", {0, 0, 0, 0});
            auto d = o.attr_ints("dilation", {1, 1});
            const std::int64_t ext = (k[0] - 1) * d[0] + 1; // validated: no overflow
            const std::int64_t stacked = (B * x[1] + p[0] + p[2] - ext) / s[0] + 1;
            if (stacked == B * y[1])
                continue;
            if (ext == x[1] && p[0] == 0 && p[2] == 0 && y[1] == 1) {
                s[0] = x[1]; // a window over the whole map: one output row per image
                n.attrs["stride"] = s;
                continue;
            }
            refuse(i, "would give " + std::to_string(stacked) + " output rows for " +
                          std::to_string(B) + " stacked images of " + std::to_string(y[1]));
        } else if (o.type == "global_avgpool") {
            n.type = "avgpool";
            n.attrs["kernel"] = std::vector<std::int64_t>{x[1], x[2]};
            n.attrs["stride"] = std::vector<std::int64_t>{x[1], x[2]};
            n.attrs["pad"] = std::vector<std::int64_t>{0, 0, 0, 0};
        } else if (o.type == "fc") {
            if (x.size() != 3 || x[1] != 1 || x[2] != 1)
                refuse(i, "takes a flattened map, not a C x 1 x 1 vector per image");
            // The same weights as a 1x1 kernel: [out, in] -> [out, in, 1, 1].
            auto &w = out.tensors[std::size_t(o.inputs.at(1))];
            w.shape = {w.shape[0], w.shape[1], 1, 1};
            n.type = "conv2d";
            n.attrs["kernel"] = std::vector<std::int64_t>{1, 1};
            out.tensors[std::size_t(o.outputs[0])].shape = {y[0], B, 1};
        } else if (o.type == "add" || o.type == "mul") {
            // A computed operand of one row broadcast over the rows of the output ([C,1,1] of
            // a global pool, two-sided [C,1,1] + [1,H,W]) has one row per image stacked, which
            // does not broadcast over the B·H stacked rows.
            for (int in : o.inputs) {
                const auto &t = g.tensors[std::size_t(in)];
                if (!t.constant && t.shape.size() == 3 && y.size() == 3 && t.shape[1] == 1 &&
                    y[1] > 1)
                    refuse(i, "broadcasts the computed one-row operand \"" + t.name + "\" " +
                                  shape_str(t.shape) + " over the rows of " + shape_str(y) +
                                  ": no batched form (images stack along H)");
            }
            for (int in : o.inputs) {
                auto &t = out.tensors[std::size_t(in)];
                if (t.constant && t.shape.size() == 3 && replicated.insert(in).second)
                    t.shape[1] *= B; // per-image copies of a per-channel constant
            }
        } else if (o.type == "relu" || o.type == "relu6" || o.type == "sigmoid" ||
                   o.type == "prelu") {
            continue;
        } else {
            refuse(i, "has no batched form (stacking images along H)");
        }
    }
    validate(out, source);
    return out;
}

} // namespace workloads

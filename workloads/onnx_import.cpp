#include "workloads/onnx_import.h"

#include "sim/errors.h"
#include "workloads/batch.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <set>
#include <sstream>
#include <unordered_map>

namespace workloads {

namespace {

using shape_t = std::vector<std::int64_t>;

/// Largest ONNX file read (protobuf's own limit is 2 GiB).
constexpr std::uintmax_t max_onnx_bytes = std::uintmax_t(1) << 31;
/// Largest constant whose values are kept for folding shape subgraphs.
constexpr std::int64_t max_fold_elements = 1 << 16;

/// A node the graph cannot represent: the converter throws it, the import collects them all.
struct unsupported : std::runtime_error {
    using std::runtime_error::runtime_error;
    unsupported(const std::string &what, std::string type_, std::string node_)
        : std::runtime_error(what), type(std::move(type_)), node(std::move(node_)) {}
    std::string type, node; ///< set when another node than the one converted is to blame
};

std::int64_t product(const shape_t &s) {
    std::int64_t n = 1;
    for (auto d : s) {
        if (d != 0 && n > std::numeric_limits<std::int64_t>::max() / d)
            return std::numeric_limits<std::int64_t>::max();
        n *= d;
    }
    return n;
}

/// The graph's batch-1 form of an ONNX shape: the leading batch axis dropped when it is 1 and
/// more axes follow ([1,C,H,W] -> [C,H,W], [1,T,D] -> [T,D], [1,F] -> [F]).
shape_t natural(const shape_t &s) {
    if (s.size() >= 2 && s[0] == 1)
        return shape_t(s.begin() + 1, s.end());
    if (s.empty())
        return {1};
    return s;
}

/// The graph shape of an operand of ONNX shape `bs` that broadcasts (NumPy rules) to the ONNX
/// output shape `os`, whose graph tensor has shape `sa`: `sa`'s rank, 1 on every broadcast axis.
/// The graph's add and mul take any such shape of rank 1 to 3 (graph.h); a broadcast of a rank
/// above 3 or over axes the graph tensor does not have is unsupported.
shape_t broadcast_shape(const shape_t &sa, const shape_t &os, const shape_t &bs) {
    const std::string what = "broadcasting " + shape_str(bs) + " over " + shape_str(os);
    if (product(bs) == 1)
        return shape_t(sa.size(), 1);
    if (sa.size() > 3)
        throw unsupported(what +
                          ": the graph's add and mul broadcast tensors of rank 1 to 3 "
                          "(batch dropped), this one is " +
                          shape_str(sa));
    // sa must be os without leading 1s, so that os's last sa.size() axes are the graph's axes.
    bool aligned = os.size() >= sa.size() && bs.size() <= os.size() &&
                   std::equal(sa.begin(), sa.end(), os.end() - std::ptrdiff_t(sa.size()));
    for (std::size_t i = 0; aligned && i + sa.size() < os.size(); ++i)
        aligned = os[i] == 1;
    if (!aligned)
        throw unsupported(what + " (the graph tensor is " + shape_str(sa) + ")");
    shape_t b(sa.size(), 1);
    const std::size_t off = os.size() - bs.size(), lead = os.size() - sa.size();
    for (std::size_t i = 0; i < bs.size(); ++i) {
        if (bs[i] == 1)
            continue;
        if (i + off < lead || bs[i] != os[i + off])
            throw unsupported(what);
        b[i + off - lead] = bs[i];
    }
    return b;
}

/// Values of a small constant (folding shape subgraphs, reading Clip bounds and scales).
struct cvalue {
    shape_t dims;
    bool is_int = true;
    std::vector<std::int64_t> i; ///< integer types
    std::vector<double> f;       ///< floating types (and the integers as doubles)
    std::int64_t size() const { return is_int ? std::int64_t(i.size()) : std::int64_t(f.size()); }
    double at(std::size_t k) const { return is_int ? double(i[k]) : f[k]; }
    /// Appends element k of `d` (of this value's type) to this value.
    void push_from(const cvalue &d, std::size_t k) {
        if (is_int)
            i.push_back(d.i[k]);
        f.push_back(d.at(k));
    }
};

bool is_int_type(int t) {
    using tp = onnx::TensorProto;
    return t == tp::INT64 || t == tp::INT32 || t == tp::INT16 || t == tp::INT8 || t == tp::UINT8 ||
           t == tp::UINT16 || t == tp::UINT32 || t == tp::UINT64 || t == tp::BOOL;
}

shape_t dims_of(const onnx::TensorProto &t) {
    return shape_t(t.dims().begin(), t.dims().end());
}

/// Reads the values of `t` when it is small and stored inside the file; false otherwise.
bool read_values(const onnx::TensorProto &t, cvalue &v) {
    using tp = onnx::TensorProto;
    v.dims = dims_of(t);
    const std::int64_t n = product(v.dims);
    if (n > max_fold_elements || t.data_location() == tp::EXTERNAL)
        return false;
    const int ty = t.data_type();
    v.is_int = is_int_type(ty);
    const std::string &raw = t.raw_data();
    auto from_raw = [&](auto sample) {
        using T = decltype(sample);
        if (raw.size() != std::size_t(n) * sizeof(T))
            return false;
        for (std::int64_t k = 0; k < n; ++k) {
            T x;
            std::memcpy(&x, raw.data() + k * sizeof(T), sizeof(T));
            if (v.is_int)
                v.i.push_back(static_cast<std::int64_t>(x));
            v.f.push_back(static_cast<double>(x));
        }
        return true;
    };
    if (t.has_raw_data()) {
        switch (ty) {
        case tp::INT64:
            return from_raw(std::int64_t{});
        case tp::INT32:
            return from_raw(std::int32_t{});
        case tp::INT16:
            return from_raw(std::int16_t{});
        case tp::INT8:
            return from_raw(std::int8_t{});
        case tp::UINT8:
            return from_raw(std::uint8_t{});
        case tp::BOOL:
            return from_raw(std::uint8_t{});
        case tp::UINT16:
            return from_raw(std::uint16_t{});
        case tp::UINT32:
            return from_raw(std::uint32_t{});
        case tp::FLOAT:
            return from_raw(float{});
        case tp::DOUBLE:
            return from_raw(double{});
        default:
            return false;
        }
    }
    if (ty == tp::INT64 && t.int64_data_size() == n) {
        for (auto x : t.int64_data())
            v.i.push_back(x), v.f.push_back(double(x));
        return true;
    }
    if ((ty == tp::INT32 || ty == tp::INT16 || ty == tp::INT8 || ty == tp::UINT8 ||
         ty == tp::UINT16 || ty == tp::BOOL) &&
        t.int32_data_size() == n) {
        for (auto x : t.int32_data())
            v.i.push_back(x), v.f.push_back(double(x));
        return true;
    }
    if (ty == tp::FLOAT && t.float_data_size() == n) {
        for (auto x : t.float_data())
            v.f.push_back(x);
        return true;
    }
    if (ty == tp::DOUBLE && t.double_data_size() == n) {
        for (auto x : t.double_data())
            v.f.push_back(x);
        return true;
    }
    return n == 0;
}

/// An int64 (or float) tensor proto holding `v`, for folded results fed back to InferShapes.
onnx::TensorProto make_tensor(const std::string &name, const cvalue &v) {
    onnx::TensorProto t;
    t.set_name(name);
    for (auto d : v.dims)
        t.add_dims(d);
    if (v.is_int) {
        t.set_data_type(onnx::TensorProto::INT64);
        for (auto x : v.i)
            t.add_int64_data(x);
    } else {
        t.set_data_type(onnx::TensorProto::FLOAT);
        for (auto x : v.f)
            t.add_float_data(static_cast<float>(x));
    }
    return t;
}

const onnx::AttributeProto *find_attr(const onnx::NodeProto &n, const char *name) {
    for (const auto &a : n.attribute())
        if (a.name() == name)
            return &a;
    return nullptr;
}

std::int64_t attr_i(const onnx::NodeProto &n, const char *name, std::int64_t dflt) {
    const auto *a = find_attr(n, name);
    return a ? a->i() : dflt;
}

double attr_f(const onnx::NodeProto &n, const char *name, double dflt) {
    const auto *a = find_attr(n, name);
    return a ? a->f() : dflt;
}

std::string attr_s(const onnx::NodeProto &n, const char *name, const std::string &dflt) {
    const auto *a = find_attr(n, name);
    return a ? a->s() : dflt;
}

shape_t attr_ints(const onnx::NodeProto &n, const char *name, const shape_t &dflt) {
    const auto *a = find_attr(n, name);
    return a ? shape_t(a->ints().begin(), a->ints().end()) : dflt;
}

std::string node_label(const onnx::NodeProto &n, std::size_t index) {
    return n.name().empty() ? n.op_type() + "#" + std::to_string(index) : n.name();
}

/// The ONNX operator types mapped to graph operators (documentation order).
const std::vector<std::string> mapped_types = {"Conv",
                                               "ConvTranspose",
                                               "Gemm",
                                               "MatMul",
                                               "Add",
                                               "Sub",
                                               "Mul",
                                               "Div",
                                               "Relu",
                                               "Clip",
                                               "Sigmoid",
                                               "HardSigmoid",
                                               "HardSwish",
                                               "PRelu",
                                               "LeakyRelu",
                                               "Gelu",
                                               "Softmax",
                                               "LayerNormalization",
                                               "BatchNormalization",
                                               "MaxPool",
                                               "AveragePool",
                                               "GlobalAveragePool",
                                               "GlobalMaxPool",
                                               "Resize",
                                               "Upsample",
                                               "Concat",
                                               "Split",
                                               "Slice",
                                               "Reshape",
                                               "Flatten",
                                               "Transpose",
                                               "Gather",
                                               "Pad",
                                               "Squeeze",
                                               "Unsqueeze",
                                               "Identity",
                                               "Dropout",
                                               "Cast"};
/// Types read only inside a recognised pattern (GELU's Erf form, the decomposed LayerNorm).
const std::vector<std::string> pattern_types = {"Erf", "ReduceMean", "Pow", "Sqrt"};
/// Types read only when their inputs are constant, and folded (shape subgraphs).
const std::vector<std::string> folded_types = {"Constant", "Shape", "Size",  "ConstantOfShape",
                                               "Range",    "Equal", "Where", "Max",
                                               "Min",      "Expand"};

bool contains(const std::vector<std::string> &v, const std::string &s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// ---- Constant folding of shape subgraphs ------------------------------------------------------

/// Normalises a possibly negative axis against `rank`; -1 when out of range.
std::int64_t norm_axis(std::int64_t a, std::size_t rank) {
    if (a < 0)
        a += std::int64_t(rank);
    return a < 0 || a >= std::int64_t(rank) ? -1 : a;
}

/// Row-major strides of `dims`.
shape_t strides_of(const shape_t &dims) {
    shape_t s(dims.size(), 1);
    for (std::size_t k = dims.size(); k-- > 1;)
        s[k - 1] = s[k] * dims[k];
    return s;
}

/// Evaluates `n` on constant inputs; false when it is not a foldable operator or too large.
/// Only integer and small float arithmetic, as shape subgraphs use.
bool fold_node(const onnx::NodeProto &n, const std::vector<const cvalue *> &in,
               const std::vector<shape_t> &in_shapes, cvalue &out) {
    const std::string &t = n.op_type();
    auto all = [&](std::size_t k) {
        if (in.size() < k)
            return false;
        for (std::size_t j = 0; j < k; ++j)
            if (!in[j])
                return false;
        return true;
    };
    if (t == "Shape" || t == "Size") {
        if (in_shapes.empty())
            return false;
        const shape_t &s = in_shapes[0];
        for (auto d : s)
            if (d < 0)
                return false;
        if (t == "Size") {
            out.dims = {};
            out.i = {product(s)};
            out.f = {double(product(s))};
            return true;
        }
        std::int64_t r = std::int64_t(s.size());
        std::int64_t b = attr_i(n, "start", 0), e = attr_i(n, "end", r);
        if (b < 0)
            b += r;
        if (e < 0)
            e += r;
        b = std::clamp<std::int64_t>(b, 0, r);
        e = std::clamp<std::int64_t>(e, 0, r);
        for (std::int64_t k = b; k < e; ++k)
            out.i.push_back(s[k]), out.f.push_back(double(s[k]));
        out.dims = {std::int64_t(out.i.size())};
        return true;
    }
    if (t == "Identity" || t == "Cast") {
        if (!all(1))
            return false;
        out = *in[0];
        if (t == "Cast") {
            const int to = int(attr_i(n, "to", 1));
            out.is_int = is_int_type(to);
            if (out.is_int) {
                out.i.clear();
                for (double x : out.f)
                    out.i.push_back(static_cast<std::int64_t>(x));
            }
        }
        return true;
    }
    if (t == "Unsqueeze" || t == "Squeeze") {
        if (!all(1))
            return false;
        out = *in[0];
        shape_t axes = attr_ints(n, "axes", {});
        if (in.size() >= 2 && in[1])
            axes = in[1]->i;
        else if (n.input_size() >= 2 && !n.input(1).empty())
            return false;
        if (t == "Unsqueeze") {
            const std::size_t r = out.dims.size() + axes.size();
            std::vector<bool> is_new(r, false);
            for (auto a : axes) {
                auto k = norm_axis(a, r);
                if (k < 0 || is_new[k])
                    return false;
                is_new[k] = true;
            }
            shape_t d;
            std::size_t src = 0;
            for (std::size_t k = 0; k < r; ++k)
                d.push_back(is_new[k] ? 1 : out.dims[src++]);
            out.dims = d;
        } else {
            shape_t d;
            for (std::size_t k = 0; k < out.dims.size(); ++k) {
                bool drop = axes.empty() ? out.dims[k] == 1 : false;
                for (auto a : axes)
                    if (norm_axis(a, out.dims.size()) == std::int64_t(k))
                        drop = true;
                if (!drop)
                    d.push_back(out.dims[k]);
            }
            out.dims = d;
        }
        return true;
    }
    if (t == "Concat") {
        for (auto *p : in)
            if (!p)
                return false;
        if (in.empty())
            return false;
        const std::size_t r = in[0]->dims.size();
        auto axis = norm_axis(attr_i(n, "axis", 0), r);
        if (axis < 0)
            return false;
        out.dims = in[0]->dims;
        out.dims[axis] = 0;
        out.is_int = in[0]->is_int;
        std::int64_t outer = 1;
        for (std::int64_t k = 0; k < axis; ++k)
            outer *= in[0]->dims[k];
        for (auto *p : in) {
            if (p->dims.size() != r)
                return false;
            out.dims[axis] += p->dims[axis];
        }
        for (std::int64_t o = 0; o < outer; ++o)
            for (auto *p : in) {
                const std::int64_t chunk = p->size() / std::max<std::int64_t>(outer, 1);
                for (std::int64_t k = o * chunk; k < (o + 1) * chunk; ++k) {
                    if (out.is_int)
                        out.i.push_back(p->is_int ? p->i[k] : std::int64_t(p->f[k]));
                    out.f.push_back(p->at(k));
                }
            }
        return true;
    }
    if (t == "Gather") {
        if (!all(2))
            return false;
        const cvalue &d = *in[0], &idx = *in[1];
        if (d.dims.empty())
            return false;
        auto axis = norm_axis(attr_i(n, "axis", 0), d.dims.size());
        if (axis < 0)
            return false;
        std::int64_t outer = 1, inner = 1;
        for (std::int64_t k = 0; k < axis; ++k)
            outer *= d.dims[k];
        for (std::size_t k = axis + 1; k < d.dims.size(); ++k)
            inner *= d.dims[k];
        out.is_int = d.is_int;
        out.dims.assign(d.dims.begin(), d.dims.begin() + axis);
        out.dims.insert(out.dims.end(), idx.dims.begin(), idx.dims.end());
        out.dims.insert(out.dims.end(), d.dims.begin() + axis + 1, d.dims.end());
        const std::int64_t ext = d.dims[axis];
        for (std::int64_t o = 0; o < outer; ++o)
            for (std::int64_t j = 0; j < idx.size(); ++j) {
                std::int64_t x = std::int64_t(idx.at(j));
                if (x < 0)
                    x += ext;
                if (x < 0 || x >= ext)
                    return false;
                for (std::int64_t q = 0; q < inner; ++q) {
                    const std::int64_t k = (o * ext + x) * inner + q;
                    out.push_from(d, std::size_t(k));
                }
            }
        return true;
    }
    if (t == "Transpose") {
        // A constant of known values (PyTorch's F.pad reverses its pads through one).
        if (!all(1))
            return false;
        const cvalue &d = *in[0];
        const std::size_t r = d.dims.size();
        shape_t perm = attr_ints(n, "perm", {});
        if (perm.empty())
            for (std::size_t a = r; a-- > 0;)
                perm.push_back(std::int64_t(a));
        if (perm.size() != r)
            return false;
        std::vector<bool> seen(r, false);
        for (auto a : perm) {
            if (a < 0 || a >= std::int64_t(r) || seen[std::size_t(a)])
                return false;
            seen[std::size_t(a)] = true;
        }
        out.is_int = d.is_int;
        for (auto a : perm)
            out.dims.push_back(d.dims[std::size_t(a)]);
        const shape_t ds = strides_of(d.dims), os = strides_of(out.dims);
        for (std::int64_t q = 0; q < product(out.dims); ++q) {
            std::int64_t src = 0, rem = q;
            for (std::size_t a = 0; a < r; ++a) {
                src += rem / os[a] * ds[std::size_t(perm[a])];
                rem %= os[a];
            }
            out.push_from(d, std::size_t(src));
        }
        return true;
    }
    if (t == "Slice") {
        if (!all(1))
            return false;
        const cvalue &d = *in[0];
        shape_t starts = attr_ints(n, "starts", {}), ends = attr_ints(n, "ends", {}),
                axes = attr_ints(n, "axes", {}), steps;
        if (n.input_size() >= 3) {
            if (!all(3))
                return false;
            starts = in[1]->i, ends = in[2]->i;
            if (in.size() > 3 && !n.input(3).empty()) {
                if (!in[3])
                    return false;
                axes = in[3]->i;
            }
            if (in.size() > 4 && !n.input(4).empty()) {
                if (!in[4])
                    return false;
                steps = in[4]->i;
            }
        }
        if (axes.empty())
            for (std::size_t k = 0; k < starts.size(); ++k)
                axes.push_back(std::int64_t(k));
        const std::size_t r = d.dims.size();
        shape_t b(r, 0), st(r, 1), cnt = d.dims;
        for (std::size_t k = 0; k < axes.size() && k < starts.size() && k < ends.size(); ++k) {
            auto a = norm_axis(axes[k], r);
            if (a < 0)
                return false;
            const std::int64_t ext = d.dims[a], s = k < steps.size() ? steps[k] : 1;
            if (s == 0)
                return false;
            std::int64_t lo = starts[k], hi = ends[k];
            if (lo < 0)
                lo += ext;
            if (hi < 0)
                hi += ext;
            if (s > 0) {
                lo = std::clamp<std::int64_t>(lo, 0, ext);
                hi = std::clamp<std::int64_t>(hi, 0, ext);
                cnt[a] = hi > lo ? (hi - lo + s - 1) / s : 0;
            } else {
                lo = std::clamp<std::int64_t>(lo, 0, ext - 1);
                hi = std::clamp<std::int64_t>(hi, -1, ext - 1);
                cnt[a] = lo > hi ? (lo - hi - s - 1) / -s : 0;
            }
            b[a] = lo, st[a] = s;
        }
        out.dims = cnt;
        out.is_int = d.is_int;
        const shape_t ds = strides_of(d.dims), os = strides_of(cnt);
        for (std::int64_t q = 0; q < product(cnt); ++q) {
            std::int64_t src = 0, rem = q;
            for (std::size_t a = 0; a < r; ++a) {
                const std::int64_t c = rem / os[a];
                rem %= os[a];
                src += (b[a] + c * st[a]) * ds[a];
            }
            out.push_from(d, std::size_t(src));
        }
        return true;
    }
    if (t == "Add" || t == "Sub" || t == "Mul" || t == "Div" || t == "Equal" || t == "Max" ||
        t == "Min") {
        if (!all(2))
            return false;
        const cvalue &a = *in[0], &b = *in[1];
        // Elementwise with scalar broadcasting (shape arithmetic needs no more).
        if (a.size() != b.size() && a.size() != 1 && b.size() != 1)
            return false;
        const std::int64_t m = std::max(a.size(), b.size());
        out.dims = a.size() >= b.size() ? a.dims : b.dims;
        out.is_int = (a.is_int && b.is_int) || t == "Equal";
        for (std::int64_t k = 0; k < m; ++k) {
            const std::size_t ka = a.size() == 1 ? 0 : k, kb = b.size() == 1 ? 0 : k;
            double r = 0;
            std::int64_t ri = 0;
            if (out.is_int && t != "Equal") {
                const std::int64_t x = a.i[ka], y = b.i[kb];
                if (t == "Add")
                    ri = x + y;
                else if (t == "Sub")
                    ri = x - y;
                else if (t == "Mul")
                    ri = x * y;
                else if (t == "Div") {
                    if (y == 0)
                        return false;
                    ri = x / y; // ONNX integer Div truncates
                } else if (t == "Max")
                    ri = std::max(x, y);
                else
                    ri = std::min(x, y);
                r = double(ri);
            } else {
                const double x = a.at(ka), y = b.at(kb);
                r = t == "Add"   ? x + y
                    : t == "Sub" ? x - y
                    : t == "Mul" ? x * y
                    : t == "Div" ? x / y
                    : t == "Max" ? std::max(x, y)
                    : t == "Min" ? std::min(x, y)
                                 : double(x == y);
                ri = std::int64_t(r);
            }
            if (out.is_int)
                out.i.push_back(ri);
            out.f.push_back(r);
        }
        return true;
    }
    if (t == "Where") {
        if (!all(3) || in[0]->size() != in[1]->size() || in[1]->size() != in[2]->size())
            return false;
        out = *in[1];
        out.is_int = in[1]->is_int && in[2]->is_int;
        out.i.clear(), out.f.clear();
        for (std::int64_t k = 0; k < in[0]->size(); ++k) {
            const cvalue &s = in[0]->at(k) != 0 ? *in[1] : *in[2];
            if (out.is_int)
                out.i.push_back(s.i[k]);
            out.f.push_back(s.at(k));
        }
        return true;
    }
    if (t == "ConstantOfShape") {
        if (!all(1))
            return false;
        out.dims = in[0]->i;
        for (auto d : out.dims)
            if (d < 0 || d > max_fold_elements)
                return false;
        const std::int64_t m = product(out.dims);
        if (m > max_fold_elements)
            return false;
        double v = 0;
        out.is_int = false;
        if (const auto *a = find_attr(n, "value")) {
            cvalue c;
            if (!read_values(a->t(), c) || c.size() != 1)
                return false;
            v = c.at(0);
            out.is_int = c.is_int;
        }
        out.f.assign(m, v);
        if (out.is_int)
            out.i.assign(m, std::int64_t(v));
        return true;
    }
    if (t == "Range") {
        if (!all(3))
            return false;
        out.is_int = in[0]->is_int;
        const double s = in[0]->at(0), l = in[1]->at(0), d = in[2]->at(0);
        if (d == 0)
            return false;
        const std::int64_t m = std::max<std::int64_t>(0, std::int64_t(std::ceil((l - s) / d)));
        if (m > max_fold_elements)
            return false;
        for (std::int64_t k = 0; k < m; ++k) {
            out.f.push_back(s + k * d);
            if (out.is_int)
                out.i.push_back(std::int64_t(s + k * d));
        }
        out.dims = {m};
        return true;
    }
    if (t == "Reshape") {
        if (!all(2))
            return false;
        out = *in[0];
        shape_t d = in[1]->i;
        std::int64_t known = 1, infer = -1;
        for (std::size_t k = 0; k < d.size(); ++k) {
            if (d[k] == 0 && k < in[0]->dims.size())
                d[k] = in[0]->dims[k];
            if (d[k] == -1)
                infer = std::int64_t(k);
            else
                known *= d[k];
        }
        if (infer >= 0 && known > 0)
            d[infer] = in[0]->size() / known;
        if (product(d) != in[0]->size())
            return false;
        out.dims = d;
        return true;
    }
    return false;
}

// ---- Reading the model ------------------------------------------------------------------------

std::string file_base(const std::string &path) {
    return std::filesystem::path(path).filename().string();
}

shape_t shape_of_type(const onnx::TypeProto &tp, bool &known) {
    shape_t s;
    known = tp.has_tensor_type() && tp.tensor_type().has_shape();
    if (!known)
        return s;
    for (const auto &d : tp.tensor_type().shape().dim()) {
        if (!d.has_dim_value() || d.dim_value() < 0) {
            known = false;
            s.push_back(-1);
        } else {
            s.push_back(d.dim_value());
        }
    }
    return s;
}

/// The importer: one object per file.
class importer {
public:
    importer(std::string file, const onnx_dims &dims) : m_file(std::move(file)), m_dims(dims) {}

    graph run(const std::string &bytes) {
        if (!m_model.ParseFromString(bytes))
            fail("$", "not an ONNX model: the protobuf ModelProto does not parse (" +
                          std::to_string(bytes.size()) + " bytes)");
        if (!m_model.has_graph())
            fail("graph", "the model has no graph");
        for (const auto &o : m_model.opset_import())
            if (o.domain().empty() || o.domain() == "ai.onnx")
                m_opset = o.version();
        prescan();
        // The ONNX checker's node check before shape inference: libonnx's inference functions
        // assume well-formed nodes (input counts, attribute types; a malformed ConvTranspose
        // crashes 1.12's). Graph-level checks (value_info completeness, IR version details)
        // are left out: exporters differ there and the importer does not need them.
        {
            onnx::checker::CheckerContext ctx;
            ctx.set_ir_version(int(m_model.ir_version() > 0 ? m_model.ir_version() : 8));
            std::unordered_map<std::string, int> opsets;
            for (const auto &o : m_model.opset_import())
                opsets[o.domain() == "ai.onnx" ? "" : o.domain()] = int(o.version());
            ctx.set_opset_imports(opsets);
            onnx::checker::LexicalScopeContext lex;
            const auto &g = m_model.graph();
            for (const auto &t : g.initializer())
                lex.add(t.name());
            for (const auto &v : g.input())
                lex.add(v.name());
            for (int k = 0; k < g.node_size(); ++k) {
                try {
                    onnx::checker::check_node(g.node(k), ctx, lex);
                } catch (const std::exception &e) {
                    fail("graph.node[" + std::to_string(k) + "]",
                         "node \"" + sim::brief(node_label(g.node(k), std::size_t(k))) +
                             "\" is not valid ONNX (onnx::checker): " + sim::brief(e.what(), 300));
                }
                for (const auto &o : g.node(k).output())
                    lex.add(o);
            }
        }
        precheck_ranks();
        fix_input_dims();
        fold_and_infer();
        collect_shapes();
        build();
        return std::move(m_g);
    }

private:
    [[noreturn]] void fail(const std::string &path, const std::string &what) const {
        throw sim::input_error(m_file, path, what);
    }

    /// Operator types that no mapping, pattern or folding reads, and inputs or outputs that
    /// are not tensors, are reported before shapes are inferred (all of them at once).
    void prescan() {
        const auto &g = m_model.graph();
        std::map<std::string, std::pair<std::string, int>> bad;
        std::vector<std::string> order;
        auto note = [&](const std::string &key, const std::string &where) {
            auto &b = bad[key];
            if (b.second++ == 0)
                b.first = where, order.push_back(key);
        };
        for (int k = 0; k < g.node_size(); ++k) {
            const auto &n = g.node(k);
            const bool std_domain = n.domain().empty() || n.domain() == "ai.onnx";
            if (!std_domain ||
                (!contains(mapped_types, n.op_type()) && !contains(pattern_types, n.op_type()) &&
                 !contains(folded_types, n.op_type())))
                note((std_domain ? "" : n.domain() + ".") + n.op_type(),
                     "node \"" + sim::brief(node_label(n, std::size_t(k)), 60) + "\"");
        }
        for (const auto &v : g.input())
            if (!v.type().has_tensor_type())
                note("(non-tensor input)", "input \"" + sim::brief(v.name(), 60) + "\"");
        for (const auto &v : g.output())
            if (v.has_type() && !v.type().has_tensor_type())
                note("(non-tensor output)", "output \"" + sim::brief(v.name(), 60) + "\"");
        if (bad.empty())
            return;
        std::string list;
        for (const auto &key : order) {
            const auto &b = bad[key];
            list += "\n  " + key + " (" + b.first +
                    (b.second > 1 ? " and " + std::to_string(b.second - 1) + " more" : "") + ")";
        }
        fail("graph.node", std::to_string(order.size()) +
                               " unsupported operator type(s); nothing was imported (supported: "
                               "docs/workloads.md \"ONNX models\"):" +
                               list);
    }

    /// libonnx 1.12's ConvTranspose inference reads spatial dimensions without checking the
    /// rank (a crash on X [1,3], or on a W without a shape): a Conv-family node's W must have
    /// a declared rank (an initializer or an input with a shape) of at least 3, and X's, when
    /// declared, must equal it.
    void precheck_ranks() {
        const auto &g = m_model.graph();
        std::unordered_map<std::string, int> rank;
        for (const auto &t : g.initializer())
            rank[t.name()] = t.dims_size();
        for (int k = 0; k < g.input_size(); ++k) {
            const auto &v = g.input(k);
            if (v.type().has_tensor_type() && v.type().tensor_type().has_shape())
                rank[v.name()] = v.type().tensor_type().shape().dim_size();
            else if (!rank.count(v.name()))
                // Shapes are static here; inference on an input of unknown rank also crashes
                // some libonnx 1.12 functions (LayerNormalization).
                fail("graph.input[" + std::to_string(k) + "]",
                     "input \"" + sim::brief(v.name()) +
                         "\" has no shape (its rank and "
                         "dimensions must be declared; symbolic dimensions are fine)");
        }
        for (int k = 0; k < g.node_size(); ++k) {
            const auto &n = g.node(k);
            // An axis attribute out of range crashes some 1.12 inference functions
            // (LayerNormalization): checked against a declared input rank.
            if (n.input_size() > 0 && rank.count(n.input(0)))
                if (const auto *a = find_attr(n, "axis");
                    a && a->type() == onnx::AttributeProto::INT) {
                    const int r = rank[n.input(0)] + (n.op_type() == "Flatten" ? 1 : 0);
                    if (a->i() < -r || a->i() >= r)
                        fail("graph.node[" + std::to_string(k) + "]",
                             n.op_type() + " \"" + sim::brief(node_label(n, std::size_t(k))) +
                                 "\": axis " + std::to_string(a->i()) +
                                 " out of range for an input of rank " +
                                 std::to_string(rank[n.input(0)]));
                }
            if (n.op_type() != "Conv" && n.op_type() != "ConvTranspose")
                continue;
            const int rx = n.input_size() > 0 && rank.count(n.input(0)) ? rank[n.input(0)] : -1;
            const int rw = n.input_size() > 1 && rank.count(n.input(1)) ? rank[n.input(1)] : -1;
            if ((rx >= 0 && rx < 3) || rw < 3 || (rx >= 0 && rx != rw))
                fail("graph.node[" + std::to_string(k) + "]",
                     n.op_type() + " \"" + sim::brief(node_label(n, std::size_t(k))) +
                         "\": X of rank " + std::to_string(rx) + " and W of rank " +
                         std::to_string(rw) + " (expected equal ranks >= 3)");
        }
    }

    // ---- batch and symbolic dimensions ----

    void fix_input_dims() {
        auto *g = m_model.mutable_graph();
        std::set<std::string> inits;
        for (const auto &t : g->initializer())
            inits.insert(t.name());
        std::int64_t batch = 1;
        if (auto it = m_dims.find("batch"); it != m_dims.end())
            batch = it->second;
        (void)batch; // the graph is built at batch 1; batch_graph stacks images afterwards
        std::set<std::string> used;
        std::vector<std::string> missing;
        for (int k = 0; k < g->input_size(); ++k) {
            auto *in = g->mutable_input(k);
            if (inits.count(in->name()))
                continue;
            if (!in->type().has_tensor_type())
                fail("graph.input[" + std::to_string(k) + "]",
                     "input \"" + sim::brief(in->name()) + "\" is not a tensor");
            auto *shape = in->mutable_type()->mutable_tensor_type()->mutable_shape();
            for (int d = 0; d < shape->dim_size(); ++d) {
                auto *dim = shape->mutable_dim(d);
                if (dim->has_dim_value() && dim->dim_value() > 0)
                    continue;
                const std::string p = dim->has_dim_param() ? dim->dim_param() : "";
                if (!p.empty() && m_dims.count(p) && p != "batch") {
                    dim->set_dim_value(m_dims.at(p));
                    used.insert(p);
                } else if (d == 0) {
                    dim->set_dim_value(1); // the batch axis
                } else {
                    missing.push_back("\"" + sim::brief(in->name()) + "\" axis " +
                                      std::to_string(d) +
                                      (p.empty() ? "" : " (\"" + sim::brief(p) + "\")"));
                }
            }
        }
        if (!missing.empty()) {
            std::string list;
            for (const auto &m : missing)
                list += (list.empty() ? "" : ", ") + m;
            fail("graph.input", "symbolic input dimensions without a value: " + list +
                                    "; give them in the spec as FILE.onnx:NAME=VALUE");
        }
        for (const auto &[k, v] : m_dims)
            if (k != "batch" && !used.count(k))
                fail("--workload", "no input dimension is named \"" + sim::brief(k) +
                                       "\" (parameters: batch and the names of symbolic input "
                                       "dimensions)");
    }

    // ---- constant folding and shape inference ----

    void infer() {
        try {
            onnx::ShapeInferenceOptions opt(false, 0, true);
            onnx::shape_inference::InferShapes(m_model, onnx::OpSchemaRegistry::Instance(), opt);
        } catch (const std::exception &e) {
            fail("graph", std::string("ONNX shape inference failed: ") + e.what());
        }
    }

    void fold_and_infer() {
        auto *g = m_model.mutable_graph();
        // Constant nodes become initializers first.
        for (int round = 0; round < 64; ++round) {
            infer();
            std::unordered_map<std::string, shape_t> shapes;
            auto note = [&](const onnx::ValueInfoProto &v) {
                bool known = false;
                shape_t s = shape_of_type(v.type(), known);
                if (known)
                    shapes[v.name()] = s;
            };
            for (const auto &v : g->input())
                note(v);
            for (const auto &v : g->value_info())
                note(v);
            for (const auto &v : g->output())
                note(v);
            for (const auto &t : g->initializer()) {
                shapes[t.name()] = dims_of(t);
                if (!m_values.count(t.name())) {
                    cvalue v;
                    if (read_values(t, v))
                        m_values.emplace(t.name(), std::move(v));
                }
            }
            bool changed = false;
            google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
            std::unordered_map<std::string, const onnx::TensorProto *> inits;
            for (const auto &t : g->initializer())
                inits[t.name()] = &t;
            std::vector<onnx::TensorProto> new_inits;
            for (const auto &n : g->node()) {
                cvalue out;
                bool folded = false;
                if (n.op_type() == "Constant" && n.domain().empty() && n.output_size() == 1) {
                    onnx::TensorProto t;
                    if (const auto *a = find_attr(n, "value")) {
                        t = a->t();
                    } else if (const auto *a = find_attr(n, "value_float")) {
                        t.set_data_type(onnx::TensorProto::FLOAT), t.add_float_data(a->f());
                    } else if (const auto *a = find_attr(n, "value_floats")) {
                        t.set_data_type(onnx::TensorProto::FLOAT);
                        t.add_dims(a->floats_size());
                        for (auto x : a->floats())
                            t.add_float_data(x);
                    } else if (const auto *a = find_attr(n, "value_int")) {
                        t.set_data_type(onnx::TensorProto::INT64), t.add_int64_data(a->i());
                    } else if (const auto *a = find_attr(n, "value_ints")) {
                        t.set_data_type(onnx::TensorProto::INT64);
                        t.add_dims(a->ints_size());
                        for (auto x : a->ints())
                            t.add_int64_data(x);
                    } else {
                        kept.Add()->CopyFrom(n);
                        continue; // sparse or string constants: reported as unsupported
                    }
                    t.set_name(n.output(0));
                    cvalue v;
                    if (read_values(t, v))
                        m_values[n.output(0)] = v;
                    *g->add_initializer() = t;
                    changed = true;
                    continue;
                }
                if (n.op_type() == "Transpose" && n.domain().empty() && n.input_size() == 1 &&
                    n.output_size() == 1 && inits.count(n.input(0)) &&
                    !m_values.count(n.input(0))) {
                    // A transposed weight (a Linear's W^T): only its shape matters, so the
                    // initializer is replaced by one of the permuted shape without values.
                    const onnx::TensorProto &w = *inits.at(n.input(0));
                    shape_t d = dims_of(w), perm = attr_ints(n, "perm", {});
                    if (perm.empty())
                        for (std::size_t a = d.size(); a-- > 0;)
                            perm.push_back(std::int64_t(a));
                    if (perm.size() == d.size()) {
                        onnx::TensorProto t;
                        t.set_name(n.output(0));
                        t.set_data_type(w.data_type());
                        for (auto a : perm)
                            t.add_dims(d[std::size_t(a)]);
                        new_inits.push_back(std::move(t));
                        changed = true;
                        continue;
                    }
                }
                if (n.domain().empty() && n.output_size() == 1) {
                    std::vector<const cvalue *> in;
                    std::vector<shape_t> in_shapes;
                    for (const auto &i : n.input()) {
                        auto it = m_values.find(i);
                        in.push_back(it == m_values.end() ? nullptr : &it->second);
                        auto s = shapes.find(i);
                        in_shapes.push_back(s == shapes.end() ? shape_t{-1} : s->second);
                    }
                    bool any_input = !n.input().empty();
                    folded = any_input && fold_node(n, in, in_shapes, out) &&
                             out.size() <= max_fold_elements && product(out.dims) == out.size();
                }
                if (folded) {
                    *g->add_initializer() = make_tensor(n.output(0), out);
                    m_values[n.output(0)] = std::move(out);
                    changed = true;
                } else {
                    kept.Add()->CopyFrom(n);
                }
            }
            for (auto &t : new_inits)
                *g->add_initializer() = std::move(t);
            g->mutable_node()->Swap(&kept);
            if (!changed)
                return;
            // The inferred shapes of removed nodes' outputs are stale: infer again from scratch.
            g->clear_value_info();
        }
    }

    void collect_shapes() {
        const auto &g = m_model.graph();
        auto note = [&](const onnx::ValueInfoProto &v) {
            bool known = false;
            shape_t s = shape_of_type(v.type(), known);
            if (known)
                m_shapes[v.name()] = s;
            if (v.type().has_tensor_type())
                m_types[v.name()] = v.type().tensor_type().elem_type();
        };
        for (const auto &v : g.input())
            note(v);
        for (const auto &v : g.value_info())
            note(v);
        for (const auto &v : g.output())
            note(v);
        for (const auto &t : g.initializer()) {
            m_shapes[t.name()] = dims_of(t);
            m_types[t.name()] = t.data_type();
            m_inits[t.name()] = &t;
        }
        for (const auto &n : g.node())
            for (const auto &i : n.input())
                ++m_consumers[i];
        for (const auto &o : g.output())
            ++m_consumers[o.name()];
    }

    // ---- graph building helpers ----

    bool is_const(const std::string &name) const {
        return m_inits.count(name) > 0 || m_weight_inputs.count(name) > 0;
    }

    /// Graph inputs read only as weights (a Conv's W or B, Gemm's B or C, PRelu's slope, a
    /// norm's scale and bias), as in models exported with their parameters as inputs: they are
    /// constant tensors of the graph, not network inputs.
    void find_weight_inputs() {
        const auto &g = m_model.graph();
        static const std::map<std::string, std::vector<int>> weight_slots = {
            {"Conv", {1, 2}}, {"ConvTranspose", {1, 2}},      {"Gemm", {1, 2}},
            {"PRelu", {1}},   {"LayerNormalization", {1, 2}}, {"BatchNormalization", {1, 2, 3, 4}}};
        std::map<std::string, bool> only_weight;
        for (const auto &in : g.input())
            if (!m_inits.count(in.name()))
                only_weight[in.name()] = false;
        std::set<std::string> as_weight, as_other;
        for (const auto &n : g.node())
            for (int k = 0; k < n.input_size(); ++k) {
                if (!only_weight.count(n.input(k)))
                    continue;
                auto it = weight_slots.find(n.op_type());
                const bool w =
                    n.domain().empty() && it != weight_slots.end() &&
                    std::find(it->second.begin(), it->second.end(), k) != it->second.end();
                (w ? as_weight : as_other).insert(n.input(k));
            }
        for (const auto &o : g.output())
            as_other.insert(o.name());
        for (const auto &name : as_weight)
            if (!as_other.count(name))
                m_weight_inputs.insert(name);
    }

    const shape_t &oshape(const std::string &name) const {
        auto it = m_shapes.find(name);
        if (it == m_shapes.end())
            throw unsupported("the shape of \"" + sim::brief(name) +
                              "\" is not known after shape inference");
        return it->second;
    }

    const cvalue *value(const std::string &name) const {
        auto it = m_values.find(name);
        return it == m_values.end() ? nullptr : &it->second;
    }

    /// A constant graph tensor for initializer `name` with graph shape `s` (its elements).
    int weight(const std::string &name, const shape_t &s) {
        if (!is_const(name))
            throw unsupported("expected \"" + sim::brief(name) + "\" to be a constant");
        if (product(s) != product(oshape(name)))
            throw unsupported("internal: weight " + name + " viewed with another element count");
        auto it = m_weights.find(name);
        if (it != m_weights.end()) {
            if (m_g.tensors[it->second].shape != s)
                throw unsupported("the constant \"" + sim::brief(name) +
                                  "\" is used with two different shapes");
            return it->second;
        }
        tensor t;
        t.name = unique_tensor_name(name);
        t.shape = s;
        t.constant = true;
        const int idx = m_g.add_tensor(std::move(t));
        m_weights[name] = idx;
        return idx;
    }

    /// A constant graph tensor that the ONNX file has as an attribute (LeakyRelu's alpha).
    int new_constant(const std::string &name, const shape_t &s) {
        tensor t;
        t.name = unique_tensor_name(name);
        t.shape = s;
        t.constant = true;
        return m_g.add_tensor(std::move(t));
    }

    std::string unique_tensor_name(const std::string &base) {
        std::string n = base.empty() ? "t" : base;
        for (int k = 2; m_tensor_names.count(n); ++k)
            n = base + "_" + std::to_string(k);
        m_tensor_names.insert(n);
        return n;
    }

    std::string unique_op_name(const std::string &base) {
        std::string n = base;
        for (int k = 2; m_op_names.count(n); ++k)
            n = base + "_" + std::to_string(k);
        m_op_names.insert(n);
        return n;
    }

    /// The graph tensor of the non-constant ONNX value `name` viewed as `want` (same elements):
    /// a reshape is inserted when its graph shape differs (the compiler aliases reshapes).
    int act(const std::string &name, const shape_t &want) {
        materialize(name);
        auto it = m_act.find(name);
        if (it == m_act.end()) {
            if (is_const(name))
                return weight(name, want);
            throw unsupported("input \"" + sim::brief(name) +
                              "\" is not produced by a mapped node");
        }
        const int t = it->second;
        if (m_g.tensors[t].shape == want)
            return t;
        if (m_g.tensors[t].elements() != product(want))
            throw unsupported("internal: view of " + name + " as " + shape_str(want) +
                              " changes the element count");
        const auto key = std::make_pair(t, want);
        if (auto v = m_views.find(key); v != m_views.end())
            return v->second;
        const std::string vname = m_g.tensors[t].name + ".view";
        const int out = new_tensor(vname, want);
        emit(vname, "reshape", {t}, out, {{"shape", want}});
        m_views[key] = out;
        return out;
    }

    /// The graph tensor of `name` as it is (its graph shape).
    int act(const std::string &name) {
        materialize(name);
        return raw_act(name);
    }

    /// The graph tensor of `name` whatever its layout (see m_layout).
    int raw_act(const std::string &name) {
        auto it = m_act.find(name);
        if (it == m_act.end()) {
            if (is_const(name))
                return weight(name, natural(oshape(name)));
            throw unsupported("input \"" + sim::brief(name) +
                              "\" is not produced by a mapped node");
        }
        return it->second;
    }

    /// A transposed layout: a Transpose the graph's [M,N] transpose cannot express (multi-head
    /// attention's [T,H,d] -> [H,T,d]) is not done; its output is the input tensor with its
    /// axes in another memory order, which the attention MatMuls and Softmax read as the
    /// graph's heads-interleaved [T, heads·d] form (docs/attention-ops.md).
    struct layout {
        std::vector<std::int64_t> order; ///< ONNX axes of extent > 1, in memory order
        std::string node;                ///< the Transpose that made it
        shape_t perm;
        bool scores = false; ///< attention scores (Q·Kᵀ), which a mask may be added to
    };

    /// The memory order of `name` (its non-1 ONNX axes); sorted when it is the ONNX order.
    std::vector<std::int64_t> order_of(const std::string &name) {
        if (auto it = m_layout.find(name); it != m_layout.end())
            return it->second.order;
        std::vector<std::int64_t> o;
        const shape_t &s = oshape(name);
        for (std::size_t a = 0; a < s.size(); ++a)
            if (s[a] != 1)
                o.push_back(std::int64_t(a));
        return o;
    }

    /// Makes `name` a tensor in ONNX order: a graph transpose when its memory order is the
    /// rotation of two blocks of axes ([B,A] for ONNX [A,B]), else unsupported.
    void materialize(const std::string &name) {
        auto it = m_layout.find(name);
        if (it == m_layout.end())
            return;
        const layout l = it->second;
        m_layout.erase(it);
        const shape_t &s = oshape(name);
        std::vector<std::int64_t> sorted = l.order;
        std::sort(sorted.begin(), sorted.end());
        std::size_t rot = 1;
        for (; rot < sorted.size(); ++rot) {
            std::vector<std::int64_t> r(sorted.begin() + std::ptrdiff_t(rot), sorted.end());
            r.insert(r.end(), sorted.begin(), sorted.begin() + std::ptrdiff_t(rot));
            if (r == l.order)
                break;
        }
        if (rot >= sorted.size()) {
            // Any other order: the graph's N-D transpose, on the fewest axes that express it
            // (axes adjacent in both orders merged: a channel shuffle [g,C/g,H,W] -> [C/g,g,H,W]
            // becomes [g,C/g,H·W] with perm [1,0,2]).
            std::vector<std::vector<std::int64_t>> groups; // runs of axes, in memory order
            for (auto a : l.order) {
                if (!groups.empty() && groups.back().back() + 1 == a)
                    groups.back().push_back(a);
                else
                    groups.push_back({a});
            }
            std::vector<std::size_t> by_axis(groups.size());
            for (std::size_t i = 0; i < groups.size(); ++i)
                by_axis[i] = i;
            std::sort(by_axis.begin(), by_axis.end(), [&](std::size_t i, std::size_t j) {
                return groups[i].front() < groups[j].front();
            });
            auto extent = [&](std::size_t i) {
                std::int64_t e = 1;
                for (auto a : groups[i])
                    e *= s[std::size_t(a)];
                return e;
            };
            shape_t in_shape, out_shape, perm;
            for (std::size_t i = 0; i < groups.size(); ++i)
                in_shape.push_back(extent(i));
            for (std::size_t i : by_axis)
                out_shape.push_back(extent(i)), perm.push_back(std::int64_t(i));
            const int x = m_act.at(name);
            const int xv = m_g.tensors[x].shape == in_shape ? x : [&] {
                const int v = new_tensor(m_g.tensors[x].name + ".view", in_shape);
                emit(m_g.tensors[x].name + ".view", "reshape", {x}, v, {{"shape", in_shape}});
                return v;
            }();
            const int t = new_tensor(name, out_shape);
            emit(l.node, "transpose", {xv}, t, {{"perm", perm}});
            m_act[name] = t;
            return;
        }
        std::int64_t mm = 1, nn = 1; // ONNX [A = sorted[:rot], B = sorted[rot:]]
        for (std::size_t j = 0; j < rot; ++j)
            mm *= s[sorted[j]];
        for (std::size_t j = rot; j < sorted.size(); ++j)
            nn *= s[sorted[j]];
        const int x = m_act.at(name);
        const int xv = m_g.tensors[x].shape == shape_t{nn, mm} ? x : [&] {
            const int v = new_tensor(m_g.tensors[x].name + ".view", {nn, mm});
            emit(m_g.tensors[x].name + ".view", "reshape", {x}, v, {{"shape", shape_t{nn, mm}}});
            return v;
        }();
        const int t = new_tensor(name, {mm, nn});
        emit(l.node, "transpose", {xv}, t);
        m_act[name] = t;
    }

    int new_tensor(const std::string &name, const shape_t &s, dtype ty = dtype::int8) {
        tensor t;
        t.name = unique_tensor_name(name);
        t.shape = s;
        t.type = ty;
        return m_g.add_tensor(std::move(t));
    }

    int emit(const std::string &name, const std::string &type, std::vector<int> inputs, int out,
             std::map<std::string, attr_value> attrs = {}) {
        op o;
        o.name = unique_op_name(name);
        o.type = type;
        o.inputs = std::move(inputs);
        o.outputs = {out};
        o.attrs = std::move(attrs);
        m_g.ops.push_back(std::move(o));
        m_producer[out] = int(m_g.ops.size()) - 1;
        return int(m_g.ops.size()) - 1;
    }

    /// Output `k` of the current node: a new graph tensor named after it, shape `s`.
    int output(const onnx::NodeProto &n, int k, const shape_t &s) {
        const int t = new_tensor(n.output(k), s);
        m_act[n.output(k)] = t;
        return t;
    }

    void alias(const onnx::NodeProto &n, int k, int t) { m_act[n.output(k)] = t; }

    /// The single mapped producer op of ONNX value `name` when nothing else reads it (so that
    /// a following BatchNorm, activation or bias can be folded into it), else nullptr.
    op *sole_producer(const std::string &name, std::initializer_list<const char *> types) {
        auto it = m_act.find(name);
        if (it == m_act.end())
            return nullptr;
        // Readers of the graph tensor through every ONNX name it carries (views, folded
        // BatchNorms and scales alias it): each alias was made by one node reading it, so the
        // node being converted must be the only other reader.
        const int t = it->second;
        std::int64_t readers = 0, names = 0;
        for (const auto &[v, tv] : m_act)
            if (tv == t)
                readers += m_consumers[v], ++names;
        if (readers - (names - 1) != 1)
            return nullptr;
        auto p = m_producer.find(t);
        if (p == m_producer.end())
            return nullptr;
        op &o = m_g.ops[p->second];
        for (const char *ty : types)
            if (o.type == ty)
                return &o;
        return nullptr;
    }

    /// Output `o` of `n`: the input `xs` (ONNX shape) cut by m_slice_req, one graph slice per
    /// axis that is really cut (a cut of the dropped batch axis is a view).
    void slice_to(const onnx::NodeProto &n, int o, const shape_t &xs, const std::string &name) {
        const shape_t nat = natural(xs);
        const std::int64_t drop = std::int64_t(xs.size() - nat.size());
        int cur = act(n.input(0), nat);
        shape_t cs = nat;
        std::vector<std::array<std::int64_t, 3>> cuts;
        for (const auto &r : m_slice_req) {
            if (r[0] < drop || (r[1] == 0 && r[2] == xs[r[0]]))
                continue;
            cuts.push_back({r[0] - drop, r[1], r[2]});
        }
        for (std::size_t k = 0; k < cuts.size(); ++k) {
            const auto &c = cuts[k];
            cs[c[0]] = c[2] - c[1];
            const bool last = k + 1 == cuts.size();
            const std::string oname = last ? name : name + ".s" + std::to_string(k);
            const int t =
                last ? output(n, o, cs) : new_tensor(n.output(o) + ".s" + std::to_string(k), cs);
            emit(oname, "slice", {cur}, t, {{"axis", c[0]}, {"begin", c[1]}, {"end", c[2]}});
            cur = t;
        }
        if (cuts.empty())
            alias(n, o, cur);
    }

    // ---- the conversion of one node ----

    void convert(const onnx::NodeProto &n);
    void convert_conv_transpose(const onnx::NodeProto &n, const std::string &name, bool one_d,
                                const shape_t &k, const shape_t &s, const shape_t &d,
                                std::int64_t groups);

    void build() {
        const auto &g = m_model.graph();
        m_g.name = "onnx:" + file_base(m_file);
        std::set<std::string> inits;
        for (const auto &t : g.initializer())
            inits.insert(t.name());
        find_weight_inputs();
        for (const auto &in : g.input()) {
            if (inits.count(in.name()) || m_weight_inputs.count(in.name()))
                continue;
            const shape_t s = oshape(in.name());
            for (auto d : s)
                if (d <= 0)
                    fail("graph.input", "input \"" + sim::brief(in.name()) + "\" has shape " +
                                            shape_str(s) + " (every dimension must be >= 1)");
            const int ty = m_types.count(in.name()) ? m_types[in.name()] : 0;
            const int t =
                new_tensor(in.name(), natural(s), is_int_type(ty) ? dtype::int32 : dtype::int8);
            m_act[in.name()] = t;
            m_g.inputs.push_back(t);
        }
        // Patterns first (GELU's Erf form, decomposed LayerNorm): nodes they absorb are skipped.
        find_patterns();
        struct problem {
            std::string first;
            std::string reason;
            int count = 0;
        };
        std::map<std::string, problem> problems;
        std::vector<std::string> order;
        for (int k = 0; k < g.node_size(); ++k) {
            const auto &n = g.node(k);
            if (m_skip.count(k))
                continue;
            m_node_index = k;
            m_node_name = node_label(n, std::size_t(k));
            try {
                if (!n.domain().empty() && n.domain() != "ai.onnx")
                    throw unsupported("operator domain \"" + sim::brief(n.domain()) +
                                      "\" (only the default ONNX domain is read)");
                for (const auto &i : n.input()) {
                    auto it = m_shapes.find(i);
                    if (!i.empty() && it != m_shapes.end())
                        for (auto d : it->second)
                            if (d <= 0)
                                throw unsupported("an empty input \"" + sim::brief(i) + "\" " +
                                                  shape_str(it->second) +
                                                  " (graph tensors have positive dimensions)");
                }
                for (const auto &o : n.output()) {
                    auto it = m_shapes.find(o);
                    if (!o.empty() && it != m_shapes.end())
                        for (auto d : it->second)
                            if (d == 0)
                                throw unsupported("an empty output \"" + sim::brief(o) + "\" " +
                                                  shape_str(it->second) +
                                                  " (graph tensors have positive dimensions)");
                }
                convert(n);
            } catch (const unsupported &e) {
                const std::string key =
                    !e.type.empty() ? e.type
                                    : (n.domain().empty() ? "" : n.domain() + ".") + n.op_type();
                auto &p = problems[key];
                if (p.count++ == 0) {
                    p.first = !e.node.empty() ? e.node : m_node_name;
                    p.reason = e.what();
                    order.push_back(key);
                }
                // Placeholders so that later nodes can still be checked.
                for (int o = 0; o < n.output_size(); ++o)
                    if (!n.output(o).empty() && !m_act.count(n.output(o))) {
                        auto s = m_shapes.find(n.output(o));
                        shape_t sh = s == m_shapes.end() ? shape_t{1} : natural(s->second);
                        for (auto &d : sh)
                            d = std::max<std::int64_t>(d, 1);
                        m_act[n.output(o)] = new_tensor(n.output(o), sh);
                    }
            } catch (const sim::input_error &) {
                throw;
            }
        }
        for (const auto &o : g.output()) {
            try {
                if (m_act.count(o.name()))
                    materialize(o.name());
            } catch (const unsupported &e) {
                auto &p = problems[e.type];
                if (p.count++ == 0) {
                    p.first = e.node;
                    p.reason = e.what();
                    order.push_back(e.type);
                }
            }
        }
        if (!problems.empty()) {
            std::string list;
            for (const auto &key : order) {
                const auto &p = problems[key];
                list += "\n  " + key + " (node \"" + sim::brief(p.first, 60) + "\"" +
                        (p.count > 1 ? " and " + std::to_string(p.count - 1) + " more" : "") +
                        "): " + sim::brief(p.reason, 160);
            }
            fail("graph.node", std::to_string(order.size()) +
                                   " unsupported operator type(s); nothing was imported:" + list);
        }
        std::set<int> outs;
        for (const auto &o : g.output()) {
            materialize(o.name());
            auto it = m_act.find(o.name());
            if (it == m_act.end())
                fail("graph.output", "output \"" + sim::brief(o.name()) +
                                         "\" is a constant or not produced by any node");
            if (outs.insert(it->second).second)
                m_g.outputs.push_back(it->second);
        }
        validate(m_g, m_file);
    }

    void find_patterns();

    std::string m_file;
    onnx_dims m_dims;
    onnx::ModelProto m_model;
    std::int64_t m_opset = 0;
    graph m_g;
    std::unordered_map<std::string, cvalue> m_values;
    std::unordered_map<std::string, shape_t> m_shapes;
    std::unordered_map<std::string, int> m_types;
    std::unordered_map<std::string, const onnx::TensorProto *> m_inits;
    std::set<std::string> m_weight_inputs;            ///< graph inputs read only as weights
    std::unordered_map<std::string, layout> m_layout; ///< values in a transposed layout
    std::unordered_map<std::string, int> m_consumers;
    std::unordered_map<std::string, int> m_act;     ///< ONNX value -> graph tensor
    std::unordered_map<std::string, int> m_weights; ///< initializer -> constant graph tensor
    std::map<std::pair<int, shape_t>, int> m_views;
    std::unordered_map<int, int> m_producer; ///< graph tensor -> op index
    std::set<std::string> m_tensor_names, m_op_names;
    std::set<int> m_skip;                           ///< nodes absorbed by a pattern
    std::unordered_map<int, std::string> m_pattern; ///< node index -> "gelu" | "layernorm"
    std::unordered_map<int, std::vector<std::string>> m_pattern_inputs;         ///< x (gamma, beta)
    std::unordered_map<int, std::array<std::int64_t, 4>> m_unfold;              ///< T, C, k, pad
    std::unordered_map<std::string, std::array<std::int64_t, 4>> m_pending_pad; ///< Pad folded
    std::vector<std::array<std::int64_t, 3>> m_slice_req; ///< (axis, begin, end) per cut
    int m_node_index = 0;
    std::string m_node_name;
};

// ---- Patterns ---------------------------------------------------------------------------------

void importer::find_patterns() {
    const auto &g = m_model.graph();
    std::unordered_map<std::string, int> producer;
    std::unordered_map<std::string, std::vector<int>> users;
    for (int k = 0; k < g.node_size(); ++k) {
        for (const auto &o : g.node(k).output())
            producer[o] = k;
        for (const auto &i : g.node(k).input())
            users[i].push_back(k);
    }
    auto only_user = [&](const std::string &v, const char *type) -> int {
        auto it = users.find(v);
        if (it == users.end() || it->second.size() != 1 || m_consumers[v] != 1)
            return -1;
        return g.node(it->second[0]).op_type() == type ? it->second[0] : -1;
    };
    auto scalar = [&](const std::string &v, double want, double tol) {
        const cvalue *c = value(v);
        return c && c->size() == 1 && std::fabs(c->at(0) - want) <= tol;
    };
    auto other = [](const onnx::NodeProto &n, const std::string &v) -> std::string {
        if (n.input_size() != 2)
            return "";
        return n.input(0) == v ? n.input(1) : n.input(1) == v ? n.input(0) : "";
    };
    // ConvBERT's unfold as the official TF code writes it and tf2onnx exports it: a zero Pad of
    // p tokens at each end of x [.., T, C], k Slices of T tokens starting at 0..k-1, each
    // Unsqueezed on a new last axis, and one Concat on that axis: [.., T, C, k], i.e. the
    // graph's unfold [T, C·k] (column c·k + j = token t + j - p of channel c).
    for (int k = 0; k < g.node_size(); ++k) {
        const auto &pad = g.node(k);
        if (pad.op_type() != "Pad" || !m_shapes.count(pad.input(0)))
            continue;
        const shape_t xs = m_shapes[pad.input(0)];
        if (xs.size() < 2)
            continue;
        shape_t pads = attr_ints(pad, "pads", {});
        if (pad.input_size() > 1 && value(pad.input(1)))
            pads = value(pad.input(1))->i;
        if (pad.input_size() > 2 && !pad.input(2).empty() &&
            !(value(pad.input(2)) && value(pad.input(2))->size() == 1 &&
              value(pad.input(2))->at(0) == 0))
            continue;
        if (pad.input_size() > 3 && !pad.input(3).empty())
            continue;
        const std::size_t r = xs.size();
        if (pads.size() != 2 * r || attr_s(pad, "mode", "constant") != "constant")
            continue;
        const std::int64_t p = pads[r - 2];
        bool ok = p >= 0 && pads[2 * r - 2] == p;
        for (std::size_t a = 0; a < r; ++a)
            ok = ok && (a == r - 2 || (pads[a] == 0 && pads[a + r] == 0));
        const std::int64_t t = xs[r - 2], c = xs[r - 1];
        auto it = users.find(pad.output(0));
        if (!ok || it == users.end() || m_consumers[pad.output(0)] != int(it->second.size()))
            continue;
        const int kk = int(it->second.size());
        std::vector<int> slice_of(kk, -1), unsq_of(kk, -1);
        int concat = -1;
        for (int u : it->second) {
            const auto &sl = g.node(u);
            if (sl.op_type() != "Slice" || sl.input_size() < 3 || !value(sl.input(1)) ||
                !value(sl.input(2))) {
                ok = false;
                break;
            }
            shape_t axes = {std::int64_t(r - 2)};
            if (sl.input_size() > 3 && !sl.input(3).empty()) {
                if (!value(sl.input(3))) {
                    ok = false;
                    break;
                }
                axes = value(sl.input(3))->i;
            }
            const auto &st = value(sl.input(1))->i, &en = value(sl.input(2))->i;
            if (sl.input_size() > 4 && !sl.input(4).empty()) {
                const cvalue *sv = value(sl.input(4));
                if (!sv || std::any_of(sv->i.begin(), sv->i.end(),
                                       [](std::int64_t v) { return v != 1; })) {
                    ok = false;
                    break;
                }
            }
            // The cut of the token axis; any other axis must be kept whole.
            std::int64_t j = -1;
            for (std::size_t q = 0; q < axes.size() && q < st.size() && q < en.size(); ++q) {
                const std::int64_t a = norm_axis(axes[q], r);
                const std::int64_t ext = a == std::int64_t(r - 2) ? t + 2 * p : xs[a];
                const std::int64_t lo = st[q], hi = std::min(en[q], ext);
                if (a == std::int64_t(r - 2) && hi - lo == t)
                    j = lo;
                else if (!(lo == 0 && hi >= ext))
                    j = -2;
            }
            if (j < 0 || j >= kk || slice_of[j] >= 0) {
                ok = false;
                break;
            }
            slice_of[j] = u;
            const int un = only_user(sl.output(0), "Unsqueeze");
            if (un < 0) {
                ok = false;
                break;
            }
            shape_t uax = attr_ints(g.node(un), "axes", {});
            if (g.node(un).input_size() > 1 && value(g.node(un).input(1)))
                uax = value(g.node(un).input(1))->i;
            if (uax.size() != 1 || norm_axis(uax[0], r + 1) != std::int64_t(r)) {
                ok = false;
                break;
            }
            unsq_of[j] = un;
            const int cc = only_user(g.node(un).output(0), "Concat");
            if (cc < 0 || (concat >= 0 && cc != concat)) {
                ok = false;
                break;
            }
            concat = cc;
        }
        if (!ok || concat < 0)
            continue;
        const auto &cn = g.node(concat);
        if (cn.input_size() != kk || norm_axis(attr_i(cn, "axis", 0), r + 1) != std::int64_t(r))
            continue;
        for (int j = 0; j < kk; ++j)
            ok = ok && cn.input(j) == g.node(unsq_of[j]).output(0);
        if (!ok)
            continue;
        m_skip.insert(k);
        for (int j = 0; j < kk; ++j)
            m_skip.insert(slice_of[j]), m_skip.insert(unsq_of[j]);
        m_pattern[concat] = "unfold";
        m_pattern_inputs[concat] = {pad.input(0)};
        m_unfold[concat] = {t, c, kk, p};
    }
    for (int k = 0; k < g.node_size(); ++k) {
        const auto &n = g.node(k);
        // GELU, Erf form: y = x * 0.5 * (1 + erf(x / sqrt 2)), in either multiplication order.
        if (n.op_type() == "Erf" && !m_skip.count(k)) {
            const int d = producer.count(n.input(0)) ? producer[n.input(0)] : -1;
            if (d < 0)
                continue;
            const auto &div = g.node(d);
            std::string x;
            if (div.op_type() == "Div" && scalar(div.input(1), std::sqrt(2.0), 1e-3))
                x = div.input(0);
            else if (div.op_type() == "Mul" && scalar(div.input(1), 1 / std::sqrt(2.0), 1e-3))
                x = div.input(0);
            if (x.empty())
                continue;
            const int a = only_user(n.output(0), "Add");
            if (a < 0 || !scalar(other(g.node(a), n.output(0)), 1.0, 1e-6))
                continue;
            const int m1 = only_user(g.node(a).output(0), "Mul");
            if (m1 < 0)
                continue;
            const std::string o1 = other(g.node(m1), g.node(a).output(0));
            int last = -1;
            if (o1 == x) { // (x * (1 + erf)) * 0.5
                const int m2 = only_user(g.node(m1).output(0), "Mul");
                if (m2 >= 0 && scalar(other(g.node(m2), g.node(m1).output(0)), 0.5, 1e-6))
                    last = m2;
            } else if (producer.count(o1)) { // (x * 0.5) * (1 + erf)
                const auto &h = g.node(producer[o1]);
                if (h.op_type() == "Mul" && other(h, x) != "" && scalar(other(h, x), 0.5, 1e-6) &&
                    m_consumers[o1] == 1) {
                    last = m1;
                    m_skip.insert(producer[o1]);
                }
            } else if (scalar(o1, 0.5, 1e-6)) { // 0.5 * (1 + erf) then * x
                const int m2 = only_user(g.node(m1).output(0), "Mul");
                if (m2 >= 0 && other(g.node(m2), g.node(m1).output(0)) == x)
                    last = m2;
            }
            if (last < 0 || m_consumers[div.output(0)] != 1)
                continue;
            for (int j : {d, k, a, m1, last})
                m_skip.insert(j);
            m_skip.erase(last);
            m_pattern[last] = "gelu";
            m_pattern_inputs[last] = {x};
        }
        // LayerNorm, decomposed: m = ReduceMean(x); d = x - m; v = ReduceMean(d^2 or d*d);
        // y = d / Sqrt(v + eps) (* gamma) (+ beta), over the last axis.
        if (n.op_type() == "ReduceMean" && !m_skip.count(k)) {
            const std::string x = n.input(0);
            auto axes = attr_ints(n, "axes", {});
            if (n.input_size() > 1 && value(n.input(1)))
                axes = value(n.input(1))->i;
            if (axes.size() != 1 || !m_shapes.count(x) ||
                norm_axis(axes[0], m_shapes[x].size()) != std::int64_t(m_shapes[x].size()) - 1)
                continue;
            const int s = only_user(n.output(0), "Sub");
            if (s < 0 || g.node(s).input(0) != x)
                continue;
            const std::string dv = g.node(s).output(0);
            auto it = users.find(dv);
            if (it == users.end() || it->second.size() != 2)
                continue;
            int sq = -1, dvd = -1;
            for (int u : it->second) {
                const auto &un = g.node(u);
                if ((un.op_type() == "Pow" && scalar(un.input(1), 2.0, 1e-6)) ||
                    (un.op_type() == "Mul" && un.input(0) == dv && un.input(1) == dv))
                    sq = u;
                else if (un.op_type() == "Div" && un.input(0) == dv)
                    dvd = u;
            }
            if (sq < 0 || dvd < 0)
                continue;
            const int m2 = only_user(g.node(sq).output(0), "ReduceMean");
            if (m2 < 0)
                continue;
            const int ad = only_user(g.node(m2).output(0), "Add");
            if (ad < 0)
                continue;
            const int sr = only_user(g.node(ad).output(0), "Sqrt");
            if (sr < 0 || g.node(dvd).input(1) != g.node(sr).output(0))
                continue;
            std::vector<int> nodes = {k, s, sq, m2, ad, sr, dvd};
            int last = dvd;
            std::string gamma, beta;
            const int mg = only_user(g.node(dvd).output(0), "Mul");
            if (mg >= 0 && is_const(other(g.node(mg), g.node(dvd).output(0)))) {
                gamma = other(g.node(mg), g.node(dvd).output(0));
                nodes.push_back(mg), last = mg;
                const int ab = only_user(g.node(mg).output(0), "Add");
                if (ab >= 0 && is_const(other(g.node(ab), g.node(mg).output(0)))) {
                    beta = other(g.node(ab), g.node(mg).output(0));
                    nodes.push_back(ab), last = ab;
                }
            }
            if (gamma.empty() || beta.empty())
                continue; // without both affine constants: left to the node-by-node mapping
            if (m_consumers[n.output(0)] != 1)
                continue;
            for (int j : nodes)
                m_skip.insert(j);
            m_skip.erase(last);
            m_pattern[last] = "layernorm";
            m_pattern_inputs[last] = {x, gamma, beta};
        }
    }
}

// ---- Node conversion --------------------------------------------------------------------------

/// Window geometry of Conv / pools: pads [top, left, bottom, right] from pads or auto_pad.
/// A 1-D window (`one_d`, input [N,C,L] as H = 1) takes pads [begin, end] as [0,begin,0,end].
std::array<std::int64_t, 4> window_pads(const onnx::NodeProto &n, std::int64_t h, std::int64_t w,
                                        const shape_t &k, const shape_t &s, const shape_t &d,
                                        bool one_d = false) {
    const std::string ap = attr_s(n, "auto_pad", "NOTSET");
    std::array<std::int64_t, 4> p{0, 0, 0, 0};
    if (ap == "NOTSET" && one_d) {
        shape_t pads = attr_ints(n, "pads", {0, 0});
        if (pads.size() != 2)
            throw unsupported("pads " + shape_str(pads) + ": expected 2 values (1-D window)");
        p = {0, pads[0], 0, pads[1]};
    } else if (ap == "NOTSET") {
        shape_t pads = attr_ints(n, "pads", {0, 0, 0, 0});
        if (pads.size() != 4)
            throw unsupported("pads " + shape_str(pads) + ": expected 4 values (2-D window)");
        p = {pads[0], pads[1], pads[2], pads[3]};
    } else if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
        const std::int64_t in[2] = {h, w};
        for (int a = 0; a < 2; ++a) {
            const std::int64_t out = (in[a] + s[a] - 1) / s[a];
            const std::int64_t total =
                std::max<std::int64_t>(0, (out - 1) * s[a] + (k[a] - 1) * d[a] + 1 - in[a]);
            const std::int64_t small = total / 2, big = total - small;
            p[a] = ap == "SAME_UPPER" ? small : big;
            p[a + 2] = ap == "SAME_UPPER" ? big : small;
        }
    } else if (ap != "VALID") {
        throw unsupported("auto_pad \"" + sim::brief(ap) + "\"");
    }
    for (auto x : p)
        if (x < 0)
            throw unsupported("negative pads");
    return p;
}

shape_t ints_or(const onnx::NodeProto &n, const char *name, std::size_t rank, std::int64_t dflt) {
    shape_t v = attr_ints(n, name, shape_t(rank, dflt));
    if (v.size() != rank)
        throw unsupported(std::string(name) + " " + shape_str(v) + ": expected " +
                          std::to_string(rank) + " values");
    for (auto x : v)
        if (x < 1 || x > (std::int64_t(1) << 32))
            throw unsupported(std::string(name) + " " + shape_str(v) + ": expected values >= 1");
    return v;
}

/// ConvTranspose -> conv_transpose2d (graph.h), every 2-D form. The graph's pads crop the full
/// output (in-1)·s + (k-1)·d + 1 + output_padding, as ONNX's explicit pads do; output_shape and
/// auto_pad SAME_* become pads by ONNX's total_padding rule (pads are then ignored), and a
/// negative total_padding (an output_shape past the full output) becomes output_padding.
/// A 1-D ConvTranspose (`one_d`: [N,C,L], ConvTranspose1d) is the 2-D one with H = 1: its
/// pads [b,e], output_padding [o] and output_shape [L] become [0,b,0,e], [0,o] and [1,L].
void importer::convert_conv_transpose(const onnx::NodeProto &n, const std::string &name, bool one_d,
                                      const shape_t &k, const shape_t &s, const shape_t &d,
                                      std::int64_t groups) {
    const shape_t &xs0 = oshape(n.input(0)), &ws0 = oshape(n.input(1)), &os0 = oshape(n.output(0));
    const shape_t xs = one_d ? shape_t{xs0[0], xs0[1], 1, xs0[2]} : xs0;
    const shape_t ws = one_d ? shape_t{ws0[0], ws0[1], 1, ws0[2]} : ws0;
    const shape_t os = one_d && os0.size() == 3 ? shape_t{os0[1], 1, os0[2]} : natural(os0);
    const std::int64_t cin = xs[1];
    shape_t outpad = attr_ints(n, "output_padding", one_d ? shape_t{0} : shape_t{0, 0});
    if (outpad.size() != (one_d ? 1u : 2u))
        throw unsupported("output_padding " + shape_str(outpad) + ": expected " +
                          (one_d ? "1 value" : "2 values"));
    if (one_d)
        outpad = {0, outpad[0]};
    for (int a = 0; a < 2; ++a)
        if (outpad[a] < 0 || outpad[a] >= std::max(s[a], d[a]))
            throw unsupported("output_padding " + shape_str(outpad) +
                              ": expected values >= 0 and < max(stride, dilation)");
    const std::string ap = attr_s(n, "auto_pad", "NOTSET");
    if (ap != "NOTSET" && ap != "VALID" && ap != "SAME_UPPER" && ap != "SAME_LOWER")
        throw unsupported("auto_pad \"" + sim::brief(ap) + "\"");
    shape_t pads = attr_ints(n, "pads", one_d ? shape_t{0, 0} : shape_t{0, 0, 0, 0});
    if (pads.size() != (one_d ? 2u : 4u))
        throw unsupported(
            "pads " + shape_str(pads) +
            (one_d ? ": expected 2 values (1-D window)" : ": expected 4 values (2-D window)"));
    if (one_d)
        pads = {0, pads[0], 0, pads[1]};
    if (ap == "VALID")
        pads = {0, 0, 0, 0};
    shape_t want; // output_shape (H, W) that sets the pads, if any
    if (const auto *a = find_attr(n, "output_shape")) {
        want.assign(a->ints().begin(), a->ints().end());
        if (one_d && (want.size() == 1 || want.size() == 3)) // [L] or [N, C, L]
            want = {1, want.back()};
        else if (want.size() == 4) // the full [N, C, H, W] form
            want = {want[2], want[3]};
        if (want.size() != 2 || want[0] < 1 || want[1] < 1 || want[0] > max_tensor_elements ||
            want[1] > max_tensor_elements)
            throw unsupported("output_shape " + shape_str(want) +
                              ": expected 2 values (H, W) in [1, 2^32]");
    } else if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
        for (int a = 0; a < 2; ++a)
            if (__int128(xs[2 + a]) * s[a] > max_tensor_elements)
                throw unsupported("an output extent of more than 2^32");
        want = {xs[2] * s[0], xs[3] * s[1]};
    }
    if (cin % groups)
        throw unsupported("group " + std::to_string(groups) +
                          " does not divide C = " + std::to_string(cin));
    // The full output (in-1)·s + (k-1)·d + 1 before cropping; every factor may be up to 2^32
    // in a damaged file, so checked in 128 bits against the graph's tensor limit.
    std::int64_t full[2];
    for (int a = 0; a < 2; ++a) {
        const __int128 f = __int128(xs[2 + a] - 1) * s[a] + __int128(k[a] - 1) * d[a] + 1;
        if (xs[2 + a] < 1 || f > max_tensor_elements)
            throw unsupported("an output extent of more than 2^32");
        full[a] = std::int64_t(f);
    }
    if (!want.empty()) {
        for (int a = 0; a < 2; ++a) {
            const std::int64_t total = full[a] + outpad[a] - want[a];
            if (total < 0) {
                // The requested extent is past the full output: the rows a stride leaves.
                outpad[a] -= total;
                if (outpad[a] >= std::max(s[a], d[a]))
                    throw unsupported("output_shape " + shape_str(want) +
                                      " larger than the full output by max(stride, dilation) "
                                      "or more");
                pads[a] = pads[a + 2] = 0;
                continue;
            }
            const std::int64_t small = total / 2, big = total - small;
            pads[a] = ap == "SAME_UPPER" ? small : big;
            pads[a + 2] = ap == "SAME_UPPER" ? big : small;
        }
    }
    for (auto v : pads)
        if (v < 0 || v > max_tensor_elements)
            throw unsupported("pads " + shape_str(pads) + ": expected values in [0, 2^32]");
    if (ws[0] != cin)
        throw unsupported("a weight " + shape_str(ws) +
                          " whose dimension 0 is not C = " + std::to_string(cin));
    if (ws[1] < 1 || __int128(ws[1]) * groups > max_tensor_elements)
        throw unsupported("a weight " + shape_str(ws) + " of more than 2^32 output channels");
    const std::int64_t cout = ws[1] * groups;
    shape_t mine = {cout, 0, 0};
    for (int a = 0; a < 2; ++a)
        mine[1 + a] = full[a] + outpad[a] - pads[a] - pads[a + 2];
    if (os.size() != 3 || os != mine)
        throw unsupported("the inferred output " + shape_str(os0) +
                          " differs from ONNX's ConvTranspose formula: [" + std::to_string(cout) +
                          "," + std::to_string(mine[1]) + "," + std::to_string(mine[2]) + "]");
    std::vector<int> ins = {act(n.input(0), {cin, xs[2], xs[3]}), weight(n.input(1), ws)};
    if (n.input_size() > 2 && !n.input(2).empty())
        ins.push_back(weight(n.input(2), {cout}));
    std::map<std::string, attr_value> a = {{"kernel", k},
                                           {"stride", s},
                                           {"pad", pads},
                                           {"groups", groups},
                                           {"activation", std::string("none")},
                                           {"batchnorm", std::int64_t{0}}};
    if (d != shape_t{1, 1})
        a["dilation"] = d;
    if (outpad != shape_t{0, 0})
        a["output_padding"] = outpad;
    emit(name, "conv_transpose2d", ins, output(n, 0, mine), a);
}

void importer::convert(const onnx::NodeProto &n) {
    const std::string &ty = n.op_type();
    const std::string name = m_node_name;
    auto in = [&](int k) -> const std::string & {
        if (k >= n.input_size() || n.input(k).empty())
            throw unsupported("missing input " + std::to_string(k));
        return n.input(k);
    };
    auto has_in = [&](int k) { return k < n.input_size() && !n.input(k).empty(); };
    auto out_shape = [&](int k) -> const shape_t & { return oshape(n.output(k)); };

    if (m_pattern.count(m_node_index)) {
        const auto &ins = m_pattern_inputs[m_node_index];
        const shape_t &xs = oshape(ins[0]);
        if (m_pattern[m_node_index] == "unfold") {
            const auto &u = m_unfold[m_node_index];
            emit(name, "unfold", {act(ins[0], {u[0], u[1]})}, output(n, 0, {u[0], u[1] * u[2]}),
                 {{"kernel", u[2]}, {"pad", u[3]}});
            return;
        }
        if (m_pattern[m_node_index] == "gelu") {
            const int x = act(ins[0]);
            emit(name, "gelu", {x}, output(n, 0, m_g.tensors[x].shape));
        } else {
            const std::int64_t d = xs.back(), rows = product(xs) / d;
            if (product(oshape(ins[1])) != d || product(oshape(ins[2])) != d)
                throw unsupported("LayerNorm pattern with gamma/beta not of the last axis");
            emit(name, "layernorm",
                 {act(ins[0], {rows, d}), weight(ins[1], {d}), weight(ins[2], {d})},
                 output(n, 0, {rows, d}));
        }
        return;
    }

    // Pure views: the graph tensor stays, only the ONNX shape changes.
    if (ty == "Reshape" || ty == "Flatten" || ty == "Squeeze" || ty == "Unsqueeze" ||
        ty == "Identity" || ty == "Cast" || (ty == "Dropout")) {
        if (ty == "Dropout" && n.output_size() > 1 && !n.output(1).empty() &&
            m_consumers[n.output(1)] > 0)
            throw unsupported("Dropout whose mask output is used");
        if (is_const(in(0)))
            throw unsupported("a " + ty + " of a constant that is not small enough to fold");
        oshape(n.output(0));
        if ((ty == "Identity" || ty == "Cast" || ty == "Dropout") && m_layout.count(in(0))) {
            alias(n, 0, raw_act(in(0))); // same shape: the same memory order
            m_layout[n.output(0)] = m_layout.at(in(0));
            return;
        }
        alias(n, 0, act(in(0)));
        return;
    }

    if (ty == "Conv" || ty == "ConvTranspose") {
        const shape_t &xs4 = oshape(in(0)), &ws4 = oshape(in(1));
        // 1-D ([N,C,L], Conv1d): the 2-D operator with H = 1, kernel [1,k], stride [1,s], ...
        const bool one_d = xs4.size() == 3 && ws4.size() == 3;
        const shape_t xs = one_d ? shape_t{xs4[0], xs4[1], 1, xs4[2]} : xs4;
        const shape_t ws = one_d ? shape_t{ws4[0], ws4[1], 1, ws4[2]} : ws4;
        if (xs.size() != 4)
            throw unsupported("only 1-D and 2-D convolutions (input [N,C,L] or [N,C,H,W]) are "
                              "mapped, got " +
                              shape_str(xs));
        if (xs[0] != 1)
            throw unsupported("batch " + std::to_string(xs[0]) + " (the graph is batch 1)");
        if (!is_const(in(1)))
            throw unsupported("a weight that is not a constant initializer");
        if (has_in(2) && !is_const(in(2)))
            throw unsupported("a bias that is not a constant initializer");
        if (ws.size() != 4)
            throw unsupported("a weight of shape " + shape_str(ws) + " (expected rank 4)");
        const std::int64_t groups = attr_i(n, "group", 1);
        if (groups < 1)
            throw unsupported("group " + std::to_string(groups));
        const shape_t k = {ws[2], ws[3]};
        shape_t s, d;
        if (one_d) {
            s = {1, ints_or(n, "strides", 1, 1)[0]}, d = {1, ints_or(n, "dilations", 1, 1)[0]};
        } else {
            s = ints_or(n, "strides", 2, 1), d = ints_or(n, "dilations", 2, 1);
        }
        shape_t os = natural(out_shape(0));
        if (one_d)
            os = {out_shape(0)[1], 1, out_shape(0)[2]};
        const std::int64_t cin = xs[1];
        if (ty == "ConvTranspose")
            return convert_conv_transpose(n, name, one_d, k, s, d, groups);
        auto p = window_pads(n, xs[2], xs[3], k, s, d, one_d);
        if (auto it = m_pending_pad.find(in(0)); it != m_pending_pad.end())
            for (int j = 0; j < 4; ++j)
                p[j] += it->second[j];
        std::vector<int> ins = {act(in(0), {cin, xs[2], xs[3]}), weight(in(1), ws)};
        if (has_in(2))
            ins.push_back(weight(in(2), {ws[0]}));
        std::map<std::string, attr_value> a = {{"kernel", k},
                                               {"stride", s},
                                               {"pad", shape_t{p[0], p[1], p[2], p[3]}},
                                               {"groups", groups},
                                               {"activation", std::string("none")},
                                               {"batchnorm", std::int64_t{0}}};
        if (d != shape_t{1, 1})
            a["dilation"] = d; // absent when 1: traces of undilated models stay as they were
        emit(name, "conv2d", ins, output(n, 0, os), a);
        return;
    }

    if (ty == "BatchNormalization") {
        if (n.output_size() > 1 && attr_i(n, "training_mode", 0))
            throw unsupported("training_mode = 1");
        op *p = sole_producer(in(0), {"conv2d", "conv_transpose2d", "fc"});
        if (p && p->attr_int("batchnorm", 0) == 0 && p->attr_str("activation", "none") == "none") {
            p->attrs["batchnorm"] = std::int64_t{1};
            alias(n, 0, act(in(0)));
            return;
        }
        // Alone (after a Concat, a pool, an activation): y = γ'·x + β' per channel, a broadcast
        // mul by the scale and an add of the bias (their C + C elements are its 2·C
        // parameters; the running mean and variance fold into them and are not counted).
        const shape_t &xs = oshape(in(0));
        if (xs.size() < 2)
            throw unsupported("an input of rank " + std::to_string(xs.size()) +
                              " (expected [N,C,...])");
        const std::int64_t c = xs[1];
        if (product(oshape(in(1))) != c || product(oshape(in(2))) != c)
            throw unsupported("a scale or bias that is not of C = " + std::to_string(c) +
                              " elements");
        const shape_t nat = natural(xs);
        const int x = act(in(0), nat);
        shape_t cs(xs.size(), 1);
        cs[1] = c;
        const shape_t bs = product(nat) == c ? nat : broadcast_shape(nat, xs, cs);
        const int scaled = new_tensor(n.output(0) + ".scaled", nat);
        emit(name + ".scale", "mul", {x, weight(in(1), bs)}, scaled);
        emit(name, "add", {scaled, weight(in(2), bs)}, output(n, 0, nat));
        return;
    }

    if (ty == "Gemm") {
        const shape_t &as = oshape(in(0)), &bs = oshape(in(1));
        if (as.size() != 2 || bs.size() != 2)
            throw unsupported("Gemm operands of rank other than 2");
        if (attr_i(n, "transA", 0))
            throw unsupported("transA = 1");
        const bool tb = attr_i(n, "transB", 0) == 1;
        const std::int64_t m = as[0], kk = as[1], nn = tb ? bs[0] : bs[1];
        if (!is_const(in(1))) {
            if (has_in(2))
                throw unsupported("Gemm with a non-constant B and a C operand");
            emit(name, "matmul",
                 {act(in(0), {m, kk}), act(in(1), tb ? shape_t{nn, kk} : shape_t{kk, nn})},
                 output(n, 0, {m, nn}), {{"transpose_b", std::int64_t{tb ? 1 : 0}}});
            return;
        }
        // A single row that is a token tensor's ([1, D], BERT's pooler) stays a linear; a vision
        // feature (a pooled [C,1,1]) is an fc.
        const bool row = m == 1 && m_act.count(in(0)) && !m_layout.count(in(0)) &&
                         m_g.tensors[m_act.at(in(0))].shape.size() == 2;
        const bool as_fc = m == 1 && !row;
        std::vector<int> ins = {as_fc ? act(in(0)) : act(in(0), {m, kk}), weight(in(1), {nn, kk})};
        if (has_in(2)) {
            if (!is_const(in(2)) || product(oshape(in(2))) != nn)
                throw unsupported("a C operand that is not a constant bias of N elements");
            ins.push_back(weight(in(2), {nn}));
        }
        if (as_fc)
            emit(name, "fc", ins, output(n, 0, {nn}),
                 {{"activation", std::string("none")}, {"batchnorm", std::int64_t{0}}});
        else
            emit(name, "linear", ins, output(n, 0, {m, nn}),
                 {{"groups", std::int64_t{1}}, {"activation", std::string("none")}});
        return;
    }

    if (ty == "MatMul" && (m_layout.count(in(0)) || m_layout.count(in(1)))) {
        // Multi-head attention: per head h, A [M,K] x B [K,N], with A stored [M, H, K] (the
        // projection's [T, H·d]) and B stored [N, H, K] (K^T of a [T, H·d] projection) or
        // [K, H, N] (V): the graph's heads-interleaved matmul, output stored [M, H, N].
        const shape_t &as = oshape(in(0)), &bs = oshape(in(1));
        const auto oa = order_of(in(0)), ob = order_of(in(1));
        auto sorted = [](std::vector<std::int64_t> v) {
            std::sort(v.begin(), v.end());
            return v;
        };
        const auto na = sorted(oa), nb = sorted(ob);
        const shape_t &os = out_shape(0);
        std::vector<std::int64_t> no;
        for (std::size_t q = 0; q < os.size(); ++q)
            if (os[q] != 1)
                no.push_back(std::int64_t(q));
        if (na.size() == 3 && nb.size() == 3 && no.size() == 3 &&
            oa == std::vector<std::int64_t>{na[1], na[0], na[2]} && !is_const(in(1))) {
            const std::int64_t h = as[na[0]], m = as[na[1]], k = as[na[2]];
            const bool tb = ob == std::vector<std::int64_t>{nb[2], nb[0], nb[1]};
            const bool plain = ob == std::vector<std::int64_t>{nb[1], nb[0], nb[2]};
            if (bs[nb[0]] == h && bs[nb[1]] == k && (tb || plain)) {
                const std::int64_t nn = bs[nb[2]];
                const int a = raw_act(in(0)), b = raw_act(in(1));
                auto view = [&](int t, const shape_t &want) {
                    if (m_g.tensors[t].shape == want)
                        return t;
                    const int v = new_tensor(m_g.tensors[t].name + ".view", want);
                    emit(m_g.tensors[t].name + ".view", "reshape", {t}, v, {{"shape", want}});
                    return v;
                };
                emit(name, "matmul",
                     {view(a, {m, h * k}), view(b, tb ? shape_t{nn, h * k} : shape_t{k, h * nn})},
                     output(n, 0, {m, h * nn}),
                     {{"heads", h}, {"transpose_b", std::int64_t{tb ? 1 : 0}}});
                m_layout[n.output(0)] = {{no[1], no[0], no[2]}, name, {}, tb};
                return;
            }
        }
        // Anything else reads its operands as plain tensors (below).
    }
    if (ty == "MatMul") {
        shape_t as = oshape(in(0)), bs = oshape(in(1));
        if (is_const(in(0)))
            throw unsupported("a constant first operand");
        if (as.empty() || bs.empty())
            throw unsupported("a scalar operand");
        if (as.size() == 1)
            as.insert(as.begin(), 1);
        const std::int64_t kk = as.back(), rows = product(as) / kk;
        if (is_const(in(1))) {
            if (bs.size() != 2)
                throw unsupported("a constant second operand of rank " + std::to_string(bs.size()) +
                                  " (expected [K,N])");
            const std::int64_t nn = bs[1];
            if (rows == 1)
                emit(name, "fc", {act(in(0)), weight(in(1), {nn, kk})}, output(n, 0, {nn}),
                     {{"activation", std::string("none")}, {"batchnorm", std::int64_t{0}}});
            else
                emit(name, "linear", {act(in(0), {rows, kk}), weight(in(1), {nn, kk})},
                     output(n, 0, {rows, nn}),
                     {{"groups", std::int64_t{1}}, {"activation", std::string("none")}});
            return;
        }
        if (bs.size() == 1)
            bs.push_back(1);
        // Batched: equal leading dimensions (a leading 1 dropped from both), no broadcasting.
        while (as.size() > 2 && as[0] == 1)
            as.erase(as.begin());
        while (bs.size() > 2 && bs[0] == 1)
            bs.erase(bs.begin());
        if (as.size() != bs.size() || !std::equal(as.begin(), as.end() - 2, bs.begin()))
            throw unsupported("batched MatMul whose operands' leading dimensions differ (" +
                              shape_str(oshape(in(0))) + " x " + shape_str(oshape(in(1))) +
                              "): the graph's matmul does not broadcast");
        shape_t os = as;
        os.back() = bs.back();
        emit(name, "matmul", {act(in(0), as), act(in(1), bs)}, output(n, 0, os));
        return;
    }

    if (ty == "Add" || ty == "Sub" || ty == "Mul" || ty == "Div") {
        const bool ca = is_const(in(0)), cb = is_const(in(1));
        const shape_t &os = out_shape(0);
        const std::int64_t ne = product(os);
        if (ca && cb)
            throw unsupported("two constant operands too large to fold");
        // An attention mask added to the scores (Q·Kᵀ of the multi-head pattern, scaled or not):
        // a key-padding mask [T] / [1,1,1,T], a per-query row [T,1] or a causal [T,T], constant
        // or computed, the same for every head. Folded into the softmax, as the generators
        // fold it (docs/attention-ops.md): no operator, the scores keep their layout.
        if (ty == "Add" || ty == "Sub")
            for (int k : {0, 1}) {
                const std::string &sc = in(k), &mask = in(1 - k);
                auto it = m_layout.find(sc);
                if (it == m_layout.end() || !it->second.scores || product(oshape(sc)) != ne ||
                    (ty == "Sub" && k == 1))
                    continue;
                const shape_t &ms = oshape(mask);
                bool ok = ms.size() <= os.size() && product(ms) < ne;
                for (std::size_t a = 0; ok && a < ms.size(); ++a) {
                    const std::size_t oa = a + os.size() - ms.size();
                    ok = ms[a] == 1 || (oa + 2 >= os.size() && ms[a] == os[oa]);
                }
                if (!ok)
                    throw unsupported("a mask " + shape_str(ms) + " added to attention scores " +
                                      shape_str(os) +
                                      ": only masks of the last two axes (per key, per query, "
                                      "[T,T]), the same for every head, fold into the softmax");
                alias(n, 0, raw_act(sc));
                m_layout[n.output(0)] = it->second;
                return;
            }
        // 1 - x: a scalar constant minuend is a negation and an offset, folded like a scalar.
        if (ca && ty == "Sub" && product(oshape(in(0))) == 1) {
            alias(n, 0, raw_act(in(1)));
            if (m_layout.count(in(1)))
                m_layout[n.output(0)] = m_layout.at(in(1));
            return;
        }
        // A broadcast constant minuend or dividend (c - x, c / x): swapped like a computed one
        // (Sub costs an add, Div a multiply), never folded into a producer (c / x is no scale).
        const bool const_first = ca && (ty == "Sub" || ty == "Div");
        const std::string &x = ca ? in(1) : in(0), &c = ca ? in(0) : in(1);
        const bool additive = ty == "Add" || ty == "Sub";
        const char *gty = additive ? "add" : "mul";
        if (!ca && !cb) {
            const bool full0 = product(oshape(in(0))) == ne, full1 = product(oshape(in(1))) == ne;
            if (full0 && full1) {
                const int a = act(in(0));
                const shape_t s = m_g.tensors[a].shape;
                emit(name, gty, {a, act(in(1), s)}, output(n, 0, s));
                return;
            }
            if (!full0 && !full1) {
                // Both broadcast ([C,1,1] + [1,H,W] -> [C,H,W]): the graph's two-sided form.
                const shape_t s = natural(os);
                const int a = act(in(0), broadcast_shape(s, os, oshape(in(0))));
                const int b = act(in(1), broadcast_shape(s, os, oshape(in(1))));
                emit(name, gty, {a, b}, output(n, 0, s));
                return;
            }
            // One operand broadcasts: it is the graph's b. Sub and Div cost as add and mul, so a
            // broadcast minuend or dividend is swapped too.
            const std::string &big = full0 ? in(0) : in(1), &small = full0 ? in(1) : in(0);
            const int a = act(big, natural(os)); // e.g. [C, H·W] after a transpose: [C,H,W]
            const shape_t s = m_g.tensors[a].shape;
            emit(name, gty, {a, act(small, broadcast_shape(s, os, oshape(small)))},
                 output(n, 0, s));
            return;
        }
        const std::int64_t ce = product(oshape(c));
        if (product(oshape(x)) != ne) {
            // x broadcasts too (x [C,1,1] and a constant [1,H,W], or a full-size constant).
            const shape_t s = natural(os);
            const int a = act(x, broadcast_shape(s, os, oshape(x)));
            emit(name, gty, {a, weight(c, broadcast_shape(s, os, oshape(c)))}, output(n, 0, s));
            return;
        }
        if (ce == 1) {
            // A scalar constant: a scale or an offset, folded into the int8 requantisation
            // (attention's 1/sqrt(d) too, whatever the layout of the scores).
            alias(n, 0, raw_act(x));
            if (m_layout.count(x))
                m_layout[n.output(0)] = m_layout.at(x);
            return;
        }
        if (ce == ne) {
            const int a = act(x);
            const shape_t s = m_g.tensors[a].shape;
            emit(name, gty, {a, weight(c, s)}, output(n, 0, s));
            return;
        }
        // A per-channel (conv) or per-column (fc, linear) constant: a bias or a scale of the
        // producer, folded into it.
        const shape_t &xs = oshape(x), &cs = oshape(c);
        op *p = sole_producer(x, {"conv2d", "conv_transpose2d", "fc", "linear"});
        bool per_channel = false;
        if (p) {
            const bool conv = p->type == "conv2d" || p->type == "conv_transpose2d";
            const std::int64_t nch =
                m_g.tensors[p->outputs[0]]
                    .shape[conv ? 0 : m_g.tensors[p->outputs[0]].shape.size() - 1];
            if (ce == nch) {
                // The constant's non-1 axis must be the channel axis of x.
                std::size_t axis = 0;
                int nontrivial = 0;
                const std::size_t off = xs.size() - cs.size();
                for (std::size_t a = 0; a < cs.size(); ++a)
                    if (cs[a] != 1)
                        axis = a + off, ++nontrivial;
                const std::size_t want = conv ? xs.size() - 3 : xs.size() - 1;
                per_channel = nontrivial == 1 && axis == want;
            }
        }
        // Not foldable (no such producer, a second bias, a scale after an activation): a
        // broadcast add or mul with a constant b (ConvNeXt's layer scale).
        const bool foldable =
            per_channel && !(const_first && ty == "Div") &&
            (additive ? p->inputs.size() <= 2 && p->attr_str("activation", "none") == "none" &&
                            !p->attr_int("batchnorm", 0)
                      : p->attr_str("activation", "none") == "none");
        if (!foldable) {
            const int a = act(x, natural(os));
            const shape_t s = m_g.tensors[a].shape;
            emit(name, gty, {a, weight(c, broadcast_shape(s, os, cs))}, output(n, 0, s));
            return;
        }
        if (additive)
            p->inputs.push_back(weight(c, {ce}));
        // A scale folds into the weights (its values would change them, not their shape).
        alias(n, 0, act(x));
        return;
    }

    if (ty == "Relu" || ty == "Clip") {
        std::string act_name = "relu";
        if (ty == "Clip") {
            double lo = -INFINITY, hi = INFINITY;
            if (m_opset < 11) {
                lo = attr_f(n, "min", -INFINITY), hi = attr_f(n, "max", INFINITY);
            } else {
                if (has_in(1)) {
                    const cvalue *v = value(in(1));
                    if (!v || v->size() != 1)
                        throw unsupported("a min that is not a constant scalar");
                    lo = v->at(0);
                }
                if (has_in(2)) {
                    const cvalue *v = value(in(2));
                    if (!v || v->size() != 1)
                        throw unsupported("a max that is not a constant scalar");
                    hi = v->at(0);
                }
            }
            if (lo == 0 && hi == 6)
                act_name = "relu6";
            else if (lo == 0 && hi > 3.0e38)
                act_name = "relu";
            else
                throw unsupported(
                    "Clip is mapped for [0, 6] (ReLU6) and [0, inf) (ReLU) only, got [" +
                    std::to_string(lo) + ", " + std::to_string(hi) + "]");
        }
        if (op *p = sole_producer(in(0), {"conv2d", "conv_transpose2d", "fc", "linear"});
            p && p->attr_str("activation", "none") == "none" &&
            !(p->type == "linear" && act_name == "relu6")) {
            p->attrs["activation"] = act_name;
            alias(n, 0, act(in(0)));
            return;
        }
        const int x = act(in(0));
        emit(name, act_name, {x}, output(n, 0, m_g.tensors[x].shape));
        return;
    }

    if (ty == "Sigmoid" || ty == "HardSigmoid" || ty == "Gelu") {
        // HardSigmoid = clip(alpha·x + beta, 0, 1): a requantisation and a clip, i.e. ReLU6's
        // cost; Gelu (opset 20, or a custom export) is the graph's gelu.
        const int x = act(in(0));
        const char *g = ty == "Sigmoid" ? "sigmoid" : ty == "Gelu" ? "gelu" : "relu6";
        emit(name, g, {x}, output(n, 0, m_g.tensors[x].shape));
        return;
    }

    if (ty == "HardSwish") {
        // x · hardsigmoid(x): a relu6 of the scaled input, then a multiply by x.
        const int x = act(in(0));
        const shape_t s = m_g.tensors[x].shape;
        const int h = new_tensor(n.output(0) + ".hsig", s);
        emit(name + ".hsig", "relu6", {x}, h);
        emit(name, "mul", {x, h}, output(n, 0, s));
        return;
    }

    if (ty == "PRelu" || ty == "LeakyRelu") {
        const shape_t &xs = oshape(in(0));
        const shape_t nat = natural(xs);
        const int x = act(in(0), nat);
        const std::int64_t c = nat[0];
        int slope = -1;
        if (ty == "PRelu") {
            if (!is_const(in(1)))
                throw unsupported("a slope that is not a constant");
            const shape_t &ss = oshape(in(1));
            const std::int64_t se = product(ss);
            // The slope must vary along the graph's channel axis only (ONNX axis 1 of NCHW).
            bool ok = se == 1;
            if (!ok && se == c) {
                const std::size_t off = xs.size() - ss.size();
                const std::size_t chan = xs.size() - nat.size();
                int nontrivial = 0;
                std::size_t axis = 0;
                for (std::size_t a = 0; a < ss.size(); ++a)
                    if (ss[a] != 1)
                        ++nontrivial, axis = a + off;
                ok = nontrivial == 1 && axis == chan;
            }
            if (!ok)
                throw unsupported("a slope " + shape_str(ss) + " that is not per channel of x " +
                                  shape_str(xs));
            slope = se == c ? weight(in(1), {c})
                            : new_constant(in(1), {c}); // a shared slope, repeated per channel
        } else {
            slope = new_constant(n.output(0) + ".alpha", {c});
        }
        emit(name, "prelu", {x, slope}, output(n, 0, nat));
        return;
    }

    if (ty == "Softmax" && m_layout.count(in(0)) && m_opset >= 13) {
        // Over the last axis, which is also last in memory (attention's scores stored
        // [T, H, T]): rows of that extent, whatever the order of the others.
        const shape_t &xs = oshape(in(0));
        const auto o = order_of(in(0));
        const std::int64_t last = std::int64_t(xs.size()) - 1;
        if (norm_axis(attr_i(n, "axis", -1), xs.size()) == last && !o.empty() && o.back() == last) {
            const std::int64_t cols = xs.back(), rows = product(xs) / cols;
            const int x = raw_act(in(0));
            const shape_t &rs = m_g.tensors[x].shape;
            if (rs.size() == 2 && rs[1] % cols == 0) {
                // The scores matmul's [T, H·T] itself, softmax per run of T columns (as the
                // generators write attention, which the compiler fuses).
                emit(name, "softmax", {x}, output(n, 0, rs), {{"group", cols}});
                m_layout[n.output(0)] = m_layout.at(in(0));
                return;
            }
            int xv = x;
            if (m_g.tensors[x].shape != shape_t{rows, cols}) {
                xv = new_tensor(m_g.tensors[x].name + ".view", {rows, cols});
                emit(m_g.tensors[x].name + ".view", "reshape", {x}, xv,
                     {{"shape", shape_t{rows, cols}}});
            }
            emit(name, "softmax", {xv}, output(n, 0, {rows, cols}), {{"group", cols}});
            m_layout[n.output(0)] = m_layout.at(in(0));
            return;
        }
    }
    if (ty == "Softmax" || ty == "LayerNormalization") {
        const shape_t &xs = oshape(in(0));
        std::int64_t axis =
            norm_axis(attr_i(n, "axis", ty == "Softmax" && m_opset < 13 ? 1 : -1), xs.size());
        if (axis < 0)
            throw unsupported("axis out of range");
        std::int64_t cols = 1;
        for (std::size_t a = axis; a < xs.size(); ++a)
            cols *= xs[a];
        const bool coerced = ty == "Softmax" && m_opset < 13;
        if (!coerced && axis != std::int64_t(xs.size()) - 1) {
            // Softmax over a non-last axis whose later axes are all 1 is still over a row.
            for (std::size_t a = axis + 1; a < xs.size(); ++a)
                if (xs[a] != 1)
                    throw unsupported("normalisation over axis " + std::to_string(axis) + " of " +
                                      shape_str(xs) + ", not the last: the graph normalises rows");
        }
        const std::int64_t rows = product(xs) / cols;
        if (ty == "Softmax") {
            emit(name, "softmax", {act(in(0), {rows, cols})}, output(n, 0, {rows, cols}),
                 {{"group", cols}});
            return;
        }
        if (!has_in(2))
            throw unsupported("LayerNormalization without a bias B (the graph's layernorm has "
                              "gamma and beta)");
        if (product(oshape(in(1))) != cols || product(oshape(in(2))) != cols)
            throw unsupported("scale or bias not of the normalised extent");
        for (int o = 1; o < n.output_size(); ++o)
            if (!n.output(o).empty() && m_consumers[n.output(o)] > 0)
                throw unsupported("the Mean or InvStdDev output is used");
        emit(name, "layernorm",
             {act(in(0), {rows, cols}), weight(in(1), {cols}), weight(in(2), {cols})},
             output(n, 0, {rows, cols}));
        return;
    }

    if (ty == "MaxPool" || ty == "AveragePool" || ty == "GlobalAveragePool" ||
        ty == "GlobalMaxPool") {
        const shape_t &xs4 = oshape(in(0));
        // 1-D ([1,C,L], MaxPool1d/AvgPool1d): the 2-D pool with H = 1, kernel [1,k], ...
        const bool one_d = xs4.size() == 3;
        const shape_t xs = one_d ? shape_t{xs4[0], xs4[1], 1, xs4[2]} : xs4;
        if (xs.size() != 4 || xs[0] != 1)
            throw unsupported("only 1-D and 2-D pooling of batch 1 ([1,C,L], [1,C,H,W]) is "
                              "mapped, got " +
                              shape_str(xs4));
        if (n.output_size() > 1 && !n.output(1).empty() && m_consumers[n.output(1)] > 0)
            throw unsupported("the Indices output of MaxPool is used");
        const int x = act(in(0), {xs[1], xs[2], xs[3]});
        if (ty == "GlobalAveragePool") {
            emit(name, "global_avgpool", {x}, output(n, 0, {xs[1], 1, 1}));
            return;
        }
        if (ty == "GlobalMaxPool") {
            emit(name, "maxpool", {x}, output(n, 0, {xs[1], 1, 1}),
                 {{"kernel", shape_t{xs[2], xs[3]}}, {"stride", shape_t{1, 1}}});
            return;
        }
        shape_t k = attr_ints(n, "kernel_shape", {});
        if (k.size() != (one_d ? 1u : 2u) || k[0] < 1 || k.back() < 1)
            throw unsupported("kernel_shape " + shape_str(k) + ": expected " +
                              (one_d ? "1 value" : "2 values") + " >= 1");
        shape_t s, d;
        if (one_d) {
            k = {1, k[0]};
            s = {1, ints_or(n, "strides", 1, 1)[0]}, d = {1, ints_or(n, "dilations", 1, 1)[0]};
        } else {
            s = ints_or(n, "strides", 2, 1), d = ints_or(n, "dilations", 2, 1);
        }
        auto p = window_pads(n, xs[2], xs[3], k, s, d, one_d);
        if (auto it = m_pending_pad.find(in(0)); it != m_pending_pad.end()) {
            if (ty == "MaxPool")
                throw unsupported("a zero Pad before a MaxPool");
            for (int j = 0; j < 4; ++j)
                p[j] += it->second[j];
        }
        // ceil_mode: extend the bottom/right padding until the ONNX output extent is reached.
        const shape_t &os4 = out_shape(0);
        const shape_t os = one_d ? shape_t{os4[0], os4[1], 1, os4[2]} : os4;
        for (int a = 0; a < 2; ++a) {
            const std::int64_t in_e = xs[2 + a], want = os[2 + a];
            const __int128 ext128 = __int128(k[a] - 1) * d[a] + 1; // the dilated window
            if (ext128 > max_tensor_elements)
                throw unsupported("a window extent (kernel_shape - 1)·dilations + 1 above 2^32");
            const std::int64_t ext = std::int64_t(ext128);
            const std::int64_t have = (in_e + p[a] + p[a + 2] - ext) / s[a] + 1;
            if (have < want)
                p[a + 2] += (want - 1) * s[a] + ext - (in_e + p[a] + p[a + 2]);
        }
        std::map<std::string, attr_value> a = {
            {"kernel", k}, {"stride", s}, {"pad", shape_t{p[0], p[1], p[2], p[3]}}};
        if (d != shape_t{1, 1})
            a["dilation"] = d;
        emit(name, ty == "MaxPool" ? "maxpool" : "avgpool", {x},
             output(n, 0, {os[1], os[2], os[3]}), a);
        return;
    }

    if (ty == "Pad") {
        const shape_t xs = oshape(in(0));
        shape_t pads;
        if (m_opset < 11)
            pads = attr_ints(n, "pads", {});
        else if (const cvalue *v = value(in(1)))
            pads = v->i;
        else
            throw unsupported("pads that are not constant");
        if (has_in(3))
            throw unsupported("the axes input");
        const std::string mode = attr_s(n, "mode", "constant");
        double fill = m_opset < 11 ? attr_f(n, "value", 0) : 0;
        if (has_in(2)) {
            const cvalue *v = value(in(2));
            if (!v || v->size() != 1)
                throw unsupported("a constant_value that is not a constant scalar");
            fill = v->at(0);
        }
        if (mode != "constant" && mode != "edge" && mode != "reflect")
            throw unsupported("mode \"" + sim::brief(mode) +
                              "\" (the graph's pad takes constant, edge and reflect)");
        const std::size_t r = xs.size();
        if (pads.size() != 2 * r)
            throw unsupported("pads " + shape_str(pads) + ": expected " + std::to_string(2 * r) +
                              " values (begin and end of every axis)");
        for (auto p : pads)
            if (p < 0)
                throw unsupported("a negative Pad (a crop) " + shape_str(pads));
        // A zero Pad of H and W of [N,C,H,W] whose every reader is a Conv or AveragePool is
        // folded into their pads (no data moves); any other Pad is the graph's pad.
        // Also a zero Pad of L of [N,C,L] read by 1-D Convs or AveragePools (AvgPool1d's
        // padding, as PyTorch exports it).
        bool fold = mode == "constant" && fill == 0 &&
                    ((r == 4 && pads[0] == 0 && pads[4] == 0 && pads[1] == 0 && pads[5] == 0) ||
                     (r == 3 && pads[0] == 0 && pads[3] == 0 && pads[1] == 0 && pads[4] == 0));
        const auto &g = m_model.graph();
        for (const auto &u : g.node())
            for (const auto &i : u.input())
                if (i == n.output(0) && u.op_type() != "Conv" && u.op_type() != "AveragePool")
                    fold = false;
        for (const auto &o : g.output())
            if (o.name() == n.output(0))
                fold = false;
        if (fold) {
            m_pending_pad[n.output(0)] =
                r == 4 ? std::array<std::int64_t, 4>{pads[2], pads[3], pads[6], pads[7]}
                       : std::array<std::int64_t, 4>{0, pads[2], 0, pads[5]};
            m_shapes[n.output(0)] = xs; // the consumer's window sees the unpadded input + pads
            alias(n, 0, act(in(0)));
            return;
        }
        const shape_t nat = natural(xs);
        const std::size_t drop = r - nat.size();
        if (drop && (pads[0] != 0 || pads[r] != 0))
            throw unsupported("a Pad of the batch axis");
        shape_t gp;
        for (std::size_t a = drop; a < r; ++a)
            gp.push_back(pads[a]);
        for (std::size_t a = drop; a < r; ++a)
            gp.push_back(pads[a + r]);
        if (mode == "reflect")
            for (std::size_t a = drop; a < r; ++a)
                if (pads[a] > xs[a] - 1 || pads[a + r] > xs[a] - 1)
                    throw unsupported("a reflect Pad " + shape_str(pads) +
                                      " wider than the input extent - 1 on axis " +
                                      std::to_string(a) + " of " + shape_str(xs));
        std::map<std::string, attr_value> attrs = {{"pads", gp}};
        if (mode != "constant")
            attrs["mode"] = mode;
        emit(name, "pad", {act(in(0), nat)}, output(n, 0, natural(out_shape(0))), attrs);
        return;
    }

    if (ty == "Concat") {
        const shape_t &os = out_shape(0);
        std::int64_t axis = norm_axis(attr_i(n, "axis", 0), os.size());
        if (axis < 0)
            throw unsupported("axis out of range");
        const shape_t nat = natural(os);
        const std::size_t drop = os.size() - nat.size();
        if (std::int64_t(drop) > axis)
            throw unsupported("concatenation along the batch axis");
        std::vector<int> ins;
        for (int k = 0; k < n.input_size(); ++k) {
            if (n.input(k).empty())
                continue;
            shape_t s = oshape(n.input(k));
            if (s.size() != os.size())
                throw unsupported("inputs of different ranks");
            s.erase(s.begin(), s.begin() + drop);
            ins.push_back(act(n.input(k), s));
        }
        if (ins.size() == 1) {
            alias(n, 0, ins[0]);
            return;
        }
        if (ins.size() > 64)
            throw unsupported("more than 64 inputs");
        emit(name, "concat", ins, output(n, 0, nat), {{"axis", axis - std::int64_t(drop)}});
        return;
    }

    if (ty == "Split" || ty == "Slice" || ty == "Gather") {
        const shape_t &xs = oshape(in(0));
        if (ty == "Gather") {
            const std::int64_t axis = norm_axis(attr_i(n, "axis", 0), xs.size());
            if (axis < 0)
                throw unsupported("axis out of range");
            if (is_const(in(0)) && is_const(in(1)) && xs.size() == 2 && axis == 0) {
                // Rows 0..T-1 of a table (position embeddings: Gather by a constant arange):
                // the graph's embedding with sequential = 1, read with the network's token ids
                // (an integer input of T elements) as its ids operand.
                const cvalue *iv = value(in(1));
                bool arange = iv && iv->size() >= 1 && iv->size() <= xs[0];
                for (std::int64_t j = 0; arange && j < iv->size(); ++j)
                    arange = std::int64_t(iv->at(std::size_t(j))) == j;
                int ids = -1;
                for (int t : m_g.inputs)
                    if (arange && m_g.tensors[t].type == dtype::int32 &&
                        m_g.tensors[t].shape == shape_t{iv->size()})
                        ids = t;
                if (ids < 0)
                    throw unsupported("a Gather of constant rows of a constant table that is not "
                                      "rows 0..T-1 read beside token ids of T elements (a "
                                      "position embedding)");
                emit(name, "embedding", {ids, weight(in(0), xs)}, output(n, 0, {iv->size(), xs[1]}),
                     {{"sequential", std::int64_t{1}}});
                return;
            }
            if (is_const(in(0))) {
                if (is_const(in(1)) || xs.size() != 2 || axis != 0)
                    throw unsupported("a Gather from a constant that is not a row lookup of a "
                                      "[V,E] table by computed indices (an embedding)");
                const std::int64_t ni = product(oshape(in(1)));
                const int ids = act(in(1), {ni});
                m_g.tensors[ids].type = dtype::int32;
                emit(name, "embedding", {ids, weight(in(0), xs)}, output(n, 0, {ni, xs[1]}),
                     {{"sequential", std::int64_t{0}}});
                return;
            }
            const cvalue *iv = value(in(1));
            if (!iv || iv->size() < 1)
                throw unsupported("Gather from a computed tensor by computed indices");
            std::int64_t first = std::int64_t(iv->at(0));
            if (first < 0)
                first += xs[axis];
            for (std::int64_t j = 1; j < iv->size(); ++j) {
                std::int64_t v = std::int64_t(iv->at(j));
                if (v < 0)
                    v += xs[axis];
                if (v != first + j)
                    throw unsupported("Gather of indices that are not consecutive");
            }
            m_slice_req = {{axis, first, first + iv->size()}};
        } else if (ty == "Slice") {
            shape_t starts, ends, axes, steps;
            if (m_opset < 10) {
                starts = attr_ints(n, "starts", {}), ends = attr_ints(n, "ends", {});
                axes = attr_ints(n, "axes", {});
            } else {
                for (int k = 1; k <= 4; ++k)
                    if (has_in(k) && !value(in(k)))
                        throw unsupported("starts, ends, axes or steps that are not constant");
                starts = value(in(1))->i, ends = value(in(2))->i;
                if (has_in(3))
                    axes = value(in(3))->i;
                if (has_in(4))
                    steps = value(in(4))->i;
            }
            if (axes.empty())
                for (std::size_t k = 0; k < starts.size(); ++k)
                    axes.push_back(std::int64_t(k));
            if (starts.size() != axes.size() || ends.size() != axes.size() ||
                (!steps.empty() && steps.size() != axes.size()))
                throw unsupported("starts, ends, axes and steps of different lengths");
            m_slice_req.clear();
            for (std::size_t k = 0; k < axes.size(); ++k) {
                const std::int64_t a = norm_axis(axes[k], xs.size());
                if (a < 0)
                    throw unsupported("axis out of range");
                if (k < steps.size() && steps[k] != 1)
                    throw unsupported("steps other than 1 (strided or reversed slices)");
                const std::int64_t ext = xs[a];
                std::int64_t lo = starts[k], hi = ends[k];
                if (lo < 0)
                    lo += ext;
                if (hi < 0)
                    hi += ext;
                lo = std::clamp<std::int64_t>(lo, 0, ext);
                hi = std::clamp<std::int64_t>(hi, 0, ext);
                if (hi <= lo)
                    throw unsupported("an empty slice");
                m_slice_req.push_back({a, lo, hi});
            }
        } else {
            const std::int64_t axis = norm_axis(attr_i(n, "axis", 0), xs.size());
            if (axis < 0)
                throw unsupported("axis out of range");
            std::int64_t begin = 0;
            for (int o = 0; o < n.output_size(); ++o) {
                const shape_t &osh = out_shape(o);
                if (osh.size() != xs.size() || begin + osh[axis] > xs[axis])
                    throw unsupported("outputs " + shape_str(osh) + " that do not split " +
                                      shape_str(xs));
                const std::int64_t len = osh[axis];
                m_slice_req = {{axis, begin, begin + len}};
                slice_to(n, o, xs, name + (n.output_size() > 1 ? "." + std::to_string(o) : ""));
                begin += len;
            }
            return;
        }
        slice_to(n, 0, xs, name);
        if (ty == "Gather" && !m_act.count(n.output(0)))
            throw unsupported("internal: gather not mapped");
        return;
    }

    if (ty == "Transpose") {
        const shape_t &xs = oshape(in(0));
        if (is_const(in(0)))
            throw unsupported("a Transpose of a constant that is neither a weight nor folded");
        shape_t perm = attr_ints(n, "perm", {});
        if (perm.empty())
            for (std::size_t a = xs.size(); a-- > 0;)
                perm.push_back(std::int64_t(a));
        if (perm.size() != xs.size())
            throw unsupported("perm " + shape_str(perm) + " of rank other than the input's");
        std::vector<std::int64_t> inv(perm.size(), -1);
        for (std::size_t i = 0; i < perm.size(); ++i) {
            if (perm[i] < 0 || perm[i] >= std::int64_t(perm.size()) ||
                inv[std::size_t(perm[i])] >= 0)
                throw unsupported("perm " + shape_str(perm) + " is not a permutation");
            inv[std::size_t(perm[i])] = std::int64_t(i);
        }
        // No data moves here: the output is the input in another memory order, made a plain
        // tensor (a graph transpose, or refused) only where a reader needs one.
        std::vector<std::int64_t> order;
        for (auto a : order_of(in(0)))
            order.push_back(inv[std::size_t(a)]);
        alias(n, 0, raw_act(in(0)));
        if (!std::is_sorted(order.begin(), order.end()))
            m_layout[n.output(0)] = {order, name, perm};
        return;
    }

    if (ty == "Resize" || ty == "Upsample") {
        const shape_t &xs = oshape(in(0)), &os = out_shape(0);
        const std::string mode = attr_s(n, "mode", "nearest");
        if (mode != "nearest" && mode != "linear" && mode != "cubic")
            throw unsupported("mode \"" + sim::brief(mode) +
                              "\": only nearest, linear and cubic are mapped");
        if (xs.size() != 4 || os.size() != 4 || xs[0] != 1 || os[0] != 1 || os[1] != xs[1])
            throw unsupported("only a resize of H and W of [1,C,H,W] is mapped, " + shape_str(xs) +
                              " -> " + shape_str(os));
        const std::int64_t c = xs[1], h = xs[2], w = xs[3];
        for (int a = 0; a < 2; ++a)
            if (os[2 + a] > resize_max_factor * xs[2 + a])
                throw unsupported("a scale above " + std::to_string(resize_max_factor) + ", " +
                                  shape_str(xs) + " -> " + shape_str(os));
        const bool whole = os[2] % h == 0 && os[3] % w == 0;
        const std::int64_t fh = os[2] / h, fw = os[3] / w;
        if (mode != "nearest" || !whole) {
            // The graph's resize operator: 1 (nearest), 4 (linear) or 16 (cubic) taps per
            // output element on the vector unit, any output size (down, fractional).
            // coordinate_transformation_mode, nearest_mode and cubic_coeff_a only move where
            // the taps fall or weigh them, not their count, nor the rows a tile reads (up to
            // one row at an edge), so they are ignored.
            emit(name, "resize", {act(in(0), {c, h, w})}, output(n, 0, {c, os[2], os[3]}),
                 {{"size", shape_t{os[2], os[3]}}, {"mode", mode}});
            return;
        }
        int cur = act(in(0), {c, h, w});
        // Copies along a new unit axis: [CHW,1] x fw -> [C,H,W·fw]; then [CH,1,W·fw] x fh.
        if (fw > 1) {
            const int v = act(in(0), {c * h * w, 1});
            const int t = new_tensor(n.output(0) + ".w", {c * h * w, fw});
            emit(name + ".w", "concat", std::vector<int>(fw, v), t, {{"axis", std::int64_t{1}}});
            cur = t;
        }
        if (fh > 1) {
            const int v = new_tensor(n.output(0) + ".hview", {c * h, 1, w * fw});
            emit(name + ".hview", "reshape", {cur}, v, {{"shape", shape_t{c * h, 1, w * fw}}});
            const int t = new_tensor(n.output(0) + ".h", {c * h, fh, w * fw});
            emit(name + ".h", "concat", std::vector<int>(fh, v), t, {{"axis", std::int64_t{1}}});
            cur = t;
        }
        alias(n, 0, cur);
        return;
    }

    if (ty == "ReduceMean") {
        // The mean over H and W of [1,C,H,W] (x.mean([2, 3]) in PyTorch) is a global pool.
        const shape_t &xs = oshape(in(0));
        shape_t axes = attr_ints(n, "axes", {});
        if (has_in(1) && value(in(1)))
            axes = value(in(1))->i;
        for (auto &a : axes)
            a = norm_axis(a, xs.size());
        std::sort(axes.begin(), axes.end());
        if (xs.size() == 4 && xs[0] == 1 && axes == shape_t{2, 3}) {
            emit(name, "global_avgpool", {act(in(0), {xs[1], xs[2], xs[3]})},
                 output(n, 0, {xs[1], 1, 1}));
            return;
        }
        throw unsupported("a ReduceMean that is neither the mean over H and W of [1,C,H,W] (a "
                          "global average pool) nor part of the LayerNorm pattern");
    }
    if (contains(pattern_types, ty))
        throw unsupported("read only as part of the GELU (Erf) or LayerNorm pattern, and this "
                          "node is not part of one");
    if (contains(folded_types, ty))
        throw unsupported("read only when its inputs are constants (folded); this one computes "
                          "on a tensor");
    throw unsupported("not an operator the importer maps (see docs/workloads.md)");
}

} // namespace

const std::vector<std::string> &onnx_supported_ops() {
    return mapped_types;
}
const std::vector<std::string> &onnx_pattern_ops() {
    return pattern_types;
}
const std::vector<std::string> &onnx_folded_ops() {
    return folded_types;
}

graph import_onnx_bytes(const std::string &bytes, const std::string &file, const onnx_dims &dims) {
    importer imp(file, dims);
    return imp.run(bytes);
}

graph import_onnx(const std::string &path, const onnx_dims &dims) {
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(st))
        throw sim::input_error(path, "$", "cannot open the ONNX file: no such file");
    if (!std::filesystem::is_regular_file(st))
        throw sim::input_error(path, "$",
                               "expected an ONNX file, got a directory or a special file");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || size > max_onnx_bytes)
        throw sim::input_error(path, "$", "the file is larger than 2 GiB (protobuf's limit)");
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw sim::input_error(path, "$", "cannot open the ONNX file for reading");
    std::string bytes(static_cast<std::size_t>(size), '\0');
    f.read(bytes.data(), static_cast<std::streamsize>(size));
    if (!f)
        throw sim::input_error(path, "$", "cannot read the ONNX file");
    return import_onnx_bytes(bytes, path, dims);
}

bool is_onnx_spec(const std::string &spec) {
    const std::string ext = ".onnx";
    if (spec.size() >= ext.size() && spec.compare(spec.size() - ext.size(), ext.size(), ext) == 0)
        return true;
    return spec.find(ext + ":") != std::string::npos;
}

graph build_onnx_workload(const std::string &spec) {
    const std::string ext = ".onnx";
    std::string path = spec, rest;
    if (!(spec.size() >= ext.size() &&
          spec.compare(spec.size() - ext.size(), ext.size(), ext) == 0)) {
        const auto at = spec.rfind(ext + ":");
        path = spec.substr(0, at + ext.size());
        rest = spec.substr(at + ext.size() + 1);
    }
    onnx_dims dims;
    std::size_t start = 0;
    while (!rest.empty()) {
        const auto comma = rest.find(',', start);
        const std::string item =
            rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const auto eq = item.find('=');
        const std::string key = eq == std::string::npos ? item : item.substr(0, eq);
        const std::string text = eq == std::string::npos ? "" : item.substr(eq + 1);
        std::int64_t v = 0;
        std::size_t used = 0;
        try {
            v = std::stoll(text, &used);
        } catch (const std::exception &) {
            used = 0;
        }
        if (eq == std::string::npos || key.empty() || used == 0 || used != text.size() || v < 1 ||
            v > (std::int64_t(1) << 20))
            throw sim::input_error("--workload", "onnx." + sim::brief(key),
                                   "expected FILE.onnx:batch=N,NAME=VALUE with integers from 1 "
                                   "to 1048576, got \"" +
                                       sim::brief(item) + "\"");
        if (dims.count(key))
            throw sim::input_error("--workload", "onnx." + sim::brief(key), "given twice");
        dims[key] = v;
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    graph g = import_onnx(path, dims);
    const std::int64_t batch = dims.count("batch") ? dims.at("batch") : 1;
    if (batch > 1) {
        g = batch_graph(g, std::uint32_t(batch), path);
    }
    return g;
}

} // namespace workloads

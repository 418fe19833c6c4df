#include "workloads/graph.h"

#include "sim/errors.h"
#include "sim/params.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <unordered_map>

namespace workloads {

int dtype_bytes(dtype t) {
    switch (t) {
    case dtype::int8:
        return 1;
    case dtype::int16:
        return 2;
    case dtype::fp16:
        return 2;
    case dtype::int32:
        return 4;
    case dtype::fp32:
        return 4;
    }
    return 1;
}

const char *dtype_name(dtype t) {
    switch (t) {
    case dtype::int8:
        return "int8";
    case dtype::int16:
        return "int16";
    case dtype::fp16:
        return "fp16";
    case dtype::int32:
        return "int32";
    case dtype::fp32:
        return "fp32";
    }
    return "int8";
}

dtype parse_dtype(const std::string &name) {
    for (dtype t : {dtype::int8, dtype::int16, dtype::fp16, dtype::int32, dtype::fp32})
        if (name == dtype_name(t))
            return t;
    throw std::invalid_argument("unknown dtype \"" + sim::brief(name) +
                                "\", expected int8, int16, fp16, int32 or fp32");
}

namespace {

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

/// a·b, or INT64_MAX when it does not fit (or either is negative: never a valid size).
std::int64_t sat_mul(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &r))
        return int64_max;
    return r;
}

std::int64_t sat_add(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r))
        return int64_max;
    return r;
}

} // namespace

std::int64_t tensor::elements() const {
    std::int64_t n = 1;
    for (auto d : shape)
        n = sat_mul(n, d);
    return n;
}

std::int64_t op::attr_int(const std::string &key, std::int64_t dflt) const {
    auto it = attrs.find(key);
    if (it == attrs.end())
        return dflt;
    if (auto p = std::get_if<std::int64_t>(&it->second))
        return *p;
    return dflt;
}

std::vector<std::int64_t> op::attr_ints(const std::string &key,
                                        const std::vector<std::int64_t> &dflt) const {
    auto it = attrs.find(key);
    if (it == attrs.end())
        return dflt;
    if (auto p = std::get_if<std::vector<std::int64_t>>(&it->second))
        return *p;
    if (auto p = std::get_if<std::int64_t>(&it->second))
        return {*p};
    return dflt;
}

std::string op::attr_str(const std::string &key, const std::string &dflt) const {
    auto it = attrs.find(key);
    if (it == attrs.end())
        return dflt;
    if (auto p = std::get_if<std::string>(&it->second))
        return *p;
    return dflt;
}

int graph::add_tensor(tensor t) {
    tensors.push_back(std::move(t));
    return static_cast<int>(tensors.size()) - 1;
}

std::int64_t graph::op_macs(const op &o) const {
    auto out_elems = [&]() { return o.outputs.empty() ? 0 : tensors[o.outputs[0]].elements(); };
    if (o.type == "conv2d") {
        // Hout·Wout·Cout·(Cin/groups)·kh·kw = output elements · (Cin/groups)·kh·kw
        const auto &x = tensors[o.inputs[0]];
        auto k = o.attr_ints("kernel", {1, 1});
        std::int64_t kh = k[0], kw = k.size() > 1 ? k[1] : k[0];
        std::int64_t groups = std::max<std::int64_t>(1, o.attr_int("groups", 1));
        return sat_mul(sat_mul(sat_mul(out_elems(), x.shape[0] / groups), kh), kw);
    }
    if (o.type == "conv_transpose2d") {
        // The scatter form: every input pixel times every kernel tap, Hin·Win·Cin·(Cout/g)·kh·kw
        // = x elements · w[1]·kh·kw (w [Cin, Cout/groups, kh, kw]).
        const auto &x = tensors[o.inputs[0]];
        const auto &w = tensors[o.inputs[1]];
        return sat_mul(x.elements(), w.elements() / std::max<std::int64_t>(1, w.shape[0]));
    }
    if (o.type == "fc") {
        const auto &x = tensors[o.inputs[0]];
        return sat_mul(x.elements(), out_elems());
    }
    if (o.type == "matmul") {
        const auto &a = tensors[o.inputs[0]];
        // out [M, heads·N] (or [.., M, N]), a [M, heads·K]: MACs = out elements · K.
        return sat_mul(out_elems(),
                       a.shape.back() / std::max<std::int64_t>(1, o.attr_int("heads", 1)));
    }
    if (o.type == "linear") {
        // out [T, N], w [N, K/groups]: T·N·K/groups.
        return sat_mul(out_elems(), tensors[o.inputs[1]].shape[1]);
    }
    if (o.type == "depthwise_conv1d" || o.type == "dynamic_conv1d") {
        // out [T_out, C]: k MACs per output element.
        return sat_mul(out_elems(), o.attr_int("kernel", 1));
    }
    return 0;
}

std::int64_t graph::total_macs() const {
    std::int64_t n = 0;
    for (const auto &o : ops)
        n = sat_add(n, op_macs(o));
    return n;
}

std::int64_t graph::total_params() const {
    std::int64_t n = 0;
    for (const auto &t : tensors)
        if (t.constant)
            n = sat_add(n, t.elements());
    for (const auto &o : ops)
        if (o.attr_int("batchnorm", 0) == 1 && !o.outputs.empty())
            n = sat_add(n, sat_mul(2, tensors[o.outputs[0]].shape[0]));
    return n;
}

// ---- Operator rules --------------------------------------------------------------------------

std::string shape_str(const std::vector<std::int64_t> &shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

int find_tensor(const graph &g, const std::string &name) {
    for (std::size_t i = 0; i < g.tensors.size(); ++i)
        if (g.tensors[i].name == name)
            return static_cast<int>(i);
    return -1;
}

namespace {

using shape_t = std::vector<std::int64_t>;
constexpr std::int64_t int_max = std::numeric_limits<std::int64_t>::max();

[[noreturn]] void fail(const std::string &where, const std::string &what) {
    throw op_error(where, what);
}

std::string input_path(std::size_t i) {
    return "inputs[" + std::to_string(i) + "]";
}

const tensor &input(const graph &g, const op &o, std::size_t i) {
    return g.tensors[o.inputs[i]];
}

const shape_t &input_rank(const graph &g, const op &o, std::size_t i, std::size_t rank,
                          const char *layout) {
    const auto &t = input(g, o, i);
    if (t.shape.size() != rank)
        fail(input_path(i), std::string("expected ") + layout + ", got \"" + sim::brief(t.name) +
                                "\" " + shape_str(t.shape));
    return t.shape;
}

const attr_value *find_attr(const op &o, const char *key) {
    auto it = o.attrs.find(key);
    return it == o.attrs.end() ? nullptr : &it->second;
}

/// An integer list attribute of exactly `len` entries, each >= lo; `dflt` when absent (an empty
/// `dflt` makes the attribute required).
shape_t ints_attr(const op &o, const char *key, const shape_t &dflt, std::size_t len,
                  std::int64_t lo) {
    const std::string where = std::string("attrs.") + key;
    const attr_value *v = find_attr(o, key);
    if (!v) {
        if (dflt.empty())
            fail(where, "missing required attribute");
        return dflt;
    }
    const auto *p = std::get_if<shape_t>(v);
    if (!p)
        fail(where, "expected a list of integers");
    if (p->size() != len)
        fail(where, "expected " + std::to_string(len) + " integers, got " + shape_str(*p));
    for (std::size_t i = 0; i < p->size(); ++i)
        if ((*p)[i] < lo)
            fail(where + "[" + std::to_string(i) + "]",
                 "expected an integer >= " + std::to_string(lo) + ", got " +
                     std::to_string((*p)[i]));
    return *p;
}

/// An integer attribute in [lo, hi]; `dflt` when absent (required when `required`).
std::int64_t int_attr(const op &o, const char *key, std::int64_t dflt, std::int64_t lo,
                      std::int64_t hi, bool required = false) {
    const std::string where = std::string("attrs.") + key;
    const attr_value *v = find_attr(o, key);
    if (!v) {
        if (required)
            fail(where, "missing required attribute");
        return dflt;
    }
    const auto *p = std::get_if<std::int64_t>(v);
    if (!p)
        fail(where, "expected an integer");
    if (*p < lo || *p > hi)
        fail(where, "expected an integer in [" + std::to_string(lo) + ", " +
                        (hi == int_max ? std::string("inf") : std::to_string(hi)) + "], got " +
                        std::to_string(*p));
    return *p;
}

/// Activations of conv2d and fc (applied after the folded BatchNorm).
const std::vector<std::string> &conv_activations() {
    static const std::vector<std::string> names = {"none", "relu", "relu6", "prelu", "sigmoid"};
    return names;
}

/// Activations of linear (applied after the bias).
const std::vector<std::string> &linear_activations() {
    static const std::vector<std::string> names = {"none", "relu", "gelu"};
    return names;
}

void check_activation(const op &o, const std::vector<std::string> &names) {
    const attr_value *v = find_attr(o, "activation");
    if (!v)
        return;
    const auto *p = std::get_if<std::string>(v);
    if (!p)
        fail("attrs.activation", "expected a string");
    if (std::find(names.begin(), names.end(), *p) == names.end()) {
        std::string all;
        for (std::size_t i = 0; i < names.size(); ++i)
            all += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
        std::string near = sim::nearest(*p, names);
        fail("attrs.activation", "unknown activation \"" + sim::brief(*p) + "\", expected " + all +
                                     (near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
    }
}

/// Output extent of a window of `k` taps `d` apart (extent (k-1)·d+1) with stride `s` over `n`
/// padded by `p0 + p1`.
std::int64_t window_out(std::int64_t n, std::int64_t p0, std::int64_t p1, std::int64_t k,
                        std::int64_t d, std::int64_t s, const char *what) {
    const std::int64_t ext = sat_add(sat_mul(k - 1, d), 1); // k, d <= 2^32 each: may saturate
    if (n + p0 + p1 < ext)
        fail("attrs.kernel", std::string("kernel ") + std::to_string(k) +
                                 (d > 1 ? " with dilation " + std::to_string(d) + " (extent " +
                                              std::to_string(ext) + ")"
                                        : std::string()) +
                                 " is larger than the padded " + what + " " +
                                 std::to_string(n + p0 + p1));
    return (n + p0 + p1 - ext) / s + 1;
}

/// Checks shared by conv2d and conv_transpose2d: groups divide both channel counts.
void check_groups(std::int64_t cin, std::int64_t cout, std::int64_t groups) {
    if (cin % groups)
        fail("attrs.groups",
             "groups " + std::to_string(groups) + " does not divide Cin " + std::to_string(cin));
    if (cout % groups)
        fail("attrs.groups",
             "groups " + std::to_string(groups) + " does not divide Cout " + std::to_string(cout));
}

/// w's kernel dimensions equal attrs.kernel; the optional bias has Cout elements.
void check_kernel_bias(const graph &g, const op &o, std::int64_t cout, const shape_t &w,
                       const shape_t &k) {
    if (w[2] != k[0] || w[3] != k[1])
        fail(input_path(1), "w " + shape_str(w) +
                                ": kernel dimensions do not agree with attrs.kernel " +
                                shape_str(k));
    if (o.inputs.size() == 3 && input(g, o, 2).shape != shape_t{cout})
        fail(input_path(2), "expected bias of shape [" + std::to_string(cout) + "], got " +
                                shape_str(input(g, o, 2).shape));
}

shape_t infer_conv2d(const graph &g, const op &o) {
    const auto &x = input_rank(g, o, 0, 3, "x of rank 3 [C,H,W]");
    const auto &w = input_rank(g, o, 1, 4, "w of rank 4 [Cout,Cin/groups,kh,kw]");
    auto k = ints_attr(o, "kernel", {}, 2, 1);
    auto s = ints_attr(o, "stride", {1, 1}, 2, 1);
    auto p = ints_attr(o, "pad", {0, 0, 0, 0}, 4, 0);
    auto d = ints_attr(o, "dilation", {1, 1}, 2, 1);
    std::int64_t groups = int_attr(o, "groups", 1, 1, int_max);
    check_activation(o, conv_activations());
    int_attr(o, "batchnorm", 0, 0, 1);
    const std::int64_t cin = x[0], cout = w[0];
    check_groups(cin, cout, groups);
    if (w[1] != cin / groups)
        fail(input_path(1), "w " + shape_str(w) + ": expected dimension 1 = Cin/groups = " +
                                std::to_string(cin / groups));
    check_kernel_bias(g, o, cout, w, k);
    return {cout, window_out(x[1], p[0], p[2], k[0], d[0], s[0], "height"),
            window_out(x[2], p[1], p[3], k[1], d[1], s[1], "width")};
}

/// ONNX ConvTranspose: every input pixel scatters its kernel taps (d apart) at s·position; the
/// pads crop the full output, output_padding extends it at the bottom and right.
///   out = (in - 1)·s + (k - 1)·d + 1 - pad_begin - pad_end + output_padding
shape_t infer_conv_transpose2d(const graph &g, const op &o) {
    const auto &x = input_rank(g, o, 0, 3, "x of rank 3 [C,H,W]");
    const auto &w = input_rank(g, o, 1, 4, "w of rank 4 [Cin,Cout/groups,kh,kw]");
    auto k = ints_attr(o, "kernel", {}, 2, 1);
    auto s = ints_attr(o, "stride", {1, 1}, 2, 1);
    auto p = ints_attr(o, "pad", {0, 0, 0, 0}, 4, 0);
    auto d = ints_attr(o, "dilation", {1, 1}, 2, 1);
    auto op_ = ints_attr(o, "output_padding", {0, 0}, 2, 0);
    std::int64_t groups = int_attr(o, "groups", 1, 1, int_max);
    check_activation(o, conv_activations());
    int_attr(o, "batchnorm", 0, 0, 1);
    const std::int64_t cin = x[0];
    if (w[0] != cin)
        fail(input_path(1),
             "w " + shape_str(w) + ": expected dimension 0 = Cin = " + std::to_string(cin));
    const std::int64_t cout = sat_mul(w[1], groups);
    check_groups(cin, cout, groups);
    check_kernel_bias(g, o, cout, w, k);
    shape_t out{cout, 0, 0};
    for (int a = 0; a < 2; ++a) {
        // ONNX: output_padding < stride or < dilation (it only adds rows a stride leaves).
        if (op_[a] >= std::max(s[a], d[a]))
            fail("attrs.output_padding[" + std::to_string(a) + "]",
                 "expected an integer < max(stride, dilation) = " +
                     std::to_string(std::max(s[a], d[a])) + ", got " + std::to_string(op_[a]));
        // Every factor is <= 2^32 (attribute and tensor limits): the products may saturate,
        // then the extent is over the tensor limit and refused.
        const std::int64_t full =
            sat_add(sat_add(sat_mul(x[1 + a] - 1, s[a]), sat_mul(k[a] - 1, d[a])), 1 + op_[a]);
        if (full > max_tensor_elements)
            fail("attrs.stride", std::string("the transposed convolution's full output ") +
                                     (a ? "width" : "height") + " is larger than 2^32");
        const std::int64_t n = full - p[a] - p[a + 2];
        if (n < 1)
            fail("attrs.pad", "pads " + shape_str(p) + " crop the whole " +
                                  (a ? "width " : "height ") + std::to_string(full) +
                                  " of the transposed convolution's output");
        out[1 + a] = n;
    }
    return out;
}

shape_t infer_fc(const graph &g, const op &o) {
    const std::int64_t in = input(g, o, 0).elements();
    const auto &w = input_rank(g, o, 1, 2, "w of rank 2 [out,in]");
    check_activation(o, conv_activations());
    int_attr(o, "batchnorm", 0, 0, 1);
    if (w[1] != in)
        fail(input_path(1), "w " + shape_str(w) +
                                ": expected dimension 1 = elements of x = " + std::to_string(in));
    if (o.inputs.size() == 3 && input(g, o, 2).shape != shape_t{w[0]})
        fail(input_path(2), "expected bias of shape [" + std::to_string(w[0]) + "], got " +
                                shape_str(input(g, o, 2).shape));
    return {w[0]};
}

shape_t infer_matmul(const graph &g, const op &o) {
    const auto &a = input(g, o, 0).shape;
    const auto &b = input(g, o, 1).shape;
    if (a.size() < 2)
        fail(input_path(0), "expected a of rank >= 2 [M,heads·K] or [..,M,K], got " + shape_str(a));
    if (b.size() != a.size())
        fail(input_path(1),
             "expected b of the same rank as a " + shape_str(a) + ", got " + shape_str(b));
    const std::int64_t heads = int_attr(o, "heads", 1, 1, int_max);
    const bool transpose_b = int_attr(o, "transpose_b", 0, 0, 1) == 1;
    if (a.size() > 2) {
        // The older leading-batch form [..,M,K]·[..,K,N]: one head, b not transposed.
        if (heads != 1)
            fail("attrs.heads", "expected 1 for operands of rank >= 3 (leading batch dimensions), "
                                "got " +
                                    std::to_string(heads));
        if (transpose_b)
            fail("attrs.transpose_b", "expected 0 for operands of rank >= 3 (leading batch "
                                      "dimensions), got 1");
        for (std::size_t i = 0; i + 2 < a.size(); ++i)
            if (a[i] != b[i])
                fail(input_path(1),
                     "batch dimensions of b " + shape_str(b) + " differ from a " + shape_str(a));
        if (b[b.size() - 2] != a.back())
            fail(input_path(1), "expected b [..,K,N] with K = " + std::to_string(a.back()) +
                                    ", got " + shape_str(b));
        shape_t out = a;
        out.back() = b.back();
        return out;
    }
    // Rank 2, heads interleaved along the columns: head h of a is columns [h·K, (h+1)·K).
    if (a[1] % heads)
        fail("attrs.heads", "heads " + std::to_string(heads) + " does not divide the " +
                                std::to_string(a[1]) + " columns of a " + shape_str(a));
    const std::int64_t k = a[1] / heads;
    std::int64_t n = 0;
    if (transpose_b) {
        if (b[1] != a[1])
            fail(input_path(1), "expected b [N,heads·K] with heads·K = " + std::to_string(a[1]) +
                                    " (transpose_b = 1, K = " + std::to_string(k) + "), got " +
                                    shape_str(b));
        n = b[0];
    } else {
        if (b[0] != k)
            fail(input_path(1), "expected b [K,heads·N] with K = " + std::to_string(k) +
                                    " (columns of a / heads " + std::to_string(heads) + "), got " +
                                    shape_str(b));
        if (b[1] % heads)
            fail(input_path(1), "expected b [K,heads·N]: its " + std::to_string(b[1]) +
                                    " columns are not a multiple of heads " +
                                    std::to_string(heads));
        n = b[1] / heads;
    }
    return {a[0], heads * n};
}

shape_t infer_binary(const graph &g, const op &o) {
    const auto &a = input(g, o, 0).shape;
    const auto &b = input(g, o, 1).shape;
    const bool partial = find_attr(o, "channel_begin") || find_attr(o, "channel_end");
    if (!partial) {
        if (a == b)
            return a;
        // NumPy broadcasting of a and b to the output (same rank): on every axis the extents
        // are equal or one of them is 1. The usual form keeps a's shape (b a scalar, [C,1,1]
        // of [C,H,W], [1,D] of [T,D], [1,H,W], [T,1], ...); both may broadcast ([C,1,1] and
        // [1,H,W] give [C,H,W]). The lowering reads each operand once per tile, at its size.
        if (b.size() != a.size())
            fail(input_path(1), "expected b of a's rank " + std::to_string(a.size()) +
                                    " (NumPy broadcasting, axes of extent 1 where it "
                                    "broadcasts), got " +
                                    shape_str(b));
        shape_t out = a;
        for (std::size_t i = 0; i < b.size(); ++i) {
            if (a[i] == b[i] || b[i] == 1)
                continue;
            if (a[i] != 1)
                fail(input_path(1), "expected a shape that broadcasts with a " + shape_str(a) +
                                        " (on every axis equal extents or one of them 1), "
                                        "got " +
                                        shape_str(b));
            out[i] = b[i];
        }
        return out;
    }
    if (a.size() == 2)
        fail(find_attr(o, "channel_begin") ? "attrs.channel_begin" : "attrs.channel_end",
             "the partial shortcut takes [C,..] tensors, not the rank-2 token tensor a " +
                 shape_str(a));
    const std::int64_t c = a[0];
    std::int64_t begin = int_attr(o, "channel_begin", 0, 0, int_max);
    std::int64_t end = int_attr(o, "channel_end", c, 1, int_max);
    if (begin >= c)
        fail("attrs.channel_begin",
             "expected < C = " + std::to_string(c) + " of a, got " + std::to_string(begin));
    if (end > c)
        fail("attrs.channel_end",
             "expected <= C = " + std::to_string(c) + " of a, got " + std::to_string(end));
    if (end <= begin)
        fail("attrs.channel_end",
             "expected > channel_begin " + std::to_string(begin) + ", got " + std::to_string(end));
    shape_t want = a;
    want[0] = end - begin;
    if (b != want)
        fail(input_path(1), "expected b " + shape_str(want) +
                                " (a with C = channel_end - channel_begin), got " + shape_str(b));
    return a;
}

shape_t infer_same(const graph &g, const op &o) {
    return input(g, o, 0).shape;
}

shape_t infer_prelu(const graph &g, const op &o) {
    const auto &x = input(g, o, 0).shape;
    if (input(g, o, 1).shape != shape_t{x[0]})
        fail(input_path(1), "expected slope of shape [" + std::to_string(x[0]) + "], got " +
                                shape_str(input(g, o, 1).shape));
    return x;
}

shape_t infer_pool(const graph &g, const op &o) {
    const auto &x = input_rank(g, o, 0, 3, "x of rank 3 [C,H,W]");
    auto k = ints_attr(o, "kernel", {}, 2, 1);
    auto s = ints_attr(o, "stride", {1, 1}, 2, 1);
    auto p = ints_attr(o, "pad", {0, 0, 0, 0}, 4, 0);
    auto d = ints_attr(o, "dilation", {1, 1}, 2, 1);
    return {x[0], window_out(x[1], p[0], p[2], k[0], d[0], s[0], "height"),
            window_out(x[2], p[1], p[3], k[1], d[1], s[1], "width")};
}

shape_t infer_global_avgpool(const graph &g, const op &o) {
    const auto &x = input_rank(g, o, 0, 3, "x of rank 3 [C,H,W]");
    return {x[0], 1, 1};
}

shape_t infer_resize(const graph &g, const op &o) {
    const auto &x = input_rank(g, o, 0, 3, "x of rank 3 [C,H,W]");
    const shape_t size = ints_attr(o, "size", {}, 2, 1);
    if (const attr_value *v = find_attr(o, "mode")) {
        const auto *m = std::get_if<std::string>(v);
        if (!m)
            fail("attrs.mode", "expected a string");
        if (*m != "linear" && *m != "nearest" && *m != "cubic")
            fail("attrs.mode", "expected \"nearest\", \"linear\" (bilinear) or \"cubic\" "
                               "(bicubic), got \"" +
                                   sim::brief(*m) + "\"");
    }
    for (std::size_t d = 0; d < 2; ++d)
        if (size[d] > resize_max_factor * x[d + 1])
            fail("attrs.size[" + std::to_string(d) + "]",
                 std::string("expected at most ") + std::to_string(resize_max_factor) +
                     " times the input " + (d ? "width " : "height ") + std::to_string(x[d + 1]) +
                     ", got " + std::to_string(size[d]));
    return {x[0], size[0], size[1]};
}

shape_t infer_concat(const graph &g, const op &o) {
    const auto &a = input(g, o, 0).shape;
    std::int64_t axis = int_attr(o, "axis", 0, 0, static_cast<std::int64_t>(a.size()) - 1);
    shape_t out = a;
    for (std::size_t i = 1; i < o.inputs.size(); ++i) {
        const auto &b = input(g, o, i).shape;
        bool ok = b.size() == a.size();
        for (std::size_t d = 0; ok && d < a.size(); ++d)
            if (static_cast<std::int64_t>(d) != axis && a[d] != b[d])
                ok = false;
        if (!ok)
            fail(input_path(i), "expected the shape of inputs[0] " + shape_str(a) +
                                    " except on axis " + std::to_string(axis) + ", got " +
                                    shape_str(b));
        out[axis] += b[axis];
    }
    return out;
}

shape_t infer_slice(const graph &g, const op &o) {
    const auto &x = input(g, o, 0).shape;
    std::int64_t axis = int_attr(o, "axis", 0, 0, static_cast<std::int64_t>(x.size()) - 1);
    std::int64_t begin = int_attr(o, "begin", 0, 0, x[axis] - 1, true);
    std::int64_t end = int_attr(o, "end", 0, begin + 1, x[axis], true);
    shape_t out = x;
    out[axis] = end - begin;
    return out;
}

shape_t infer_flatten(const graph &g, const op &o) {
    return {input(g, o, 0).elements()};
}

shape_t infer_reshape(const graph &g, const op &o) {
    const attr_value *v = find_attr(o, "shape");
    if (!v)
        fail("attrs.shape", "missing required attribute");
    const auto *p = std::get_if<shape_t>(v);
    if (!p || p->empty())
        fail("attrs.shape", "expected a non-empty list of integers");
    std::int64_t n = 1;
    for (std::size_t i = 0; i < p->size(); ++i) {
        if ((*p)[i] < 1)
            fail("attrs.shape[" + std::to_string(i) + "]",
                 "expected a positive integer, got " + std::to_string((*p)[i]));
        n = sat_mul(n, (*p)[i]);
    }
    if (n != input(g, o, 0).elements())
        fail("attrs.shape", shape_str(*p) + " has " + std::to_string(n) + " elements, the input " +
                                std::to_string(input(g, o, 0).elements()));
    return *p;
}

// ---- Token (rank-2 [T,D]) operators: docs/attention-ops.md ----------------------------------

/// An optional bias, input `i`, of shape [n].
void check_bias(const graph &g, const op &o, std::size_t i, std::int64_t n) {
    if (o.inputs.size() > i && input(g, o, i).shape != shape_t{n})
        fail(input_path(i), "expected bias of shape [" + std::to_string(n) + "], got " +
                                shape_str(input(g, o, i).shape));
}

shape_t infer_linear(const graph &g, const op &o) {
    const auto &x = input_rank(g, o, 0, 2, "x of rank 2 [T,K]");
    const auto &w = input_rank(g, o, 1, 2, "w of rank 2 [N,K/groups]");
    const std::int64_t groups = int_attr(o, "groups", 1, 1, int_max);
    check_activation(o, linear_activations());
    const std::int64_t k = x[1], n = w[0];
    if (k % groups)
        fail("attrs.groups", "groups " + std::to_string(groups) + " does not divide K " +
                                 std::to_string(k) + " (the columns of x)");
    if (n % groups)
        fail("attrs.groups", "groups " + std::to_string(groups) + " does not divide N " +
                                 std::to_string(n) + " (the rows of w)");
    if (w[1] != k / groups)
        fail(input_path(1), "w " + shape_str(w) + ": expected dimension 1 = K/groups = " +
                                std::to_string(k / groups));
    check_bias(g, o, 2, n);
    return {x[0], n};
}

/// The `pad` of the token-window operators. Its default (k-1)/2 keeps T tokens only for an odd
/// k, so an even k must give its padding explicitly.
std::int64_t token_pad(const op &o, std::int64_t k) {
    if (!find_attr(o, "pad") && k % 2 == 0)
        fail("attrs.kernel", "kernel " + std::to_string(k) +
                                 " is even: the default pad (k-1)/2 needs an odd kernel; give "
                                 "attrs.pad explicitly");
    return int_attr(o, "pad", (k - 1) / 2, 0, int_max);
}

shape_t infer_depthwise_conv1d(const graph &g, const op &o) {
    const auto &x = input_rank(g, o, 0, 2, "x of rank 2 [T,C]");
    const auto &w = input_rank(g, o, 1, 2, "w of rank 2 [C,k]");
    const std::int64_t k = int_attr(o, "kernel", 0, 1, int_max, true);
    const std::int64_t pad = token_pad(o, k);
    if (w != shape_t{x[1], k})
        fail(input_path(1), "expected w [C,k] = " + shape_str({x[1], k}) + ", got " + shape_str(w));
    check_bias(g, o, 2, x[1]);
    return {window_out(x[0], pad, pad, k, 1, 1, "token count"), x[1]};
}

shape_t infer_unfold(const graph &g, const op &o) {
    const auto &x = input_rank(g, o, 0, 2, "x of rank 2 [T,C]");
    const std::int64_t k = int_attr(o, "kernel", 0, 1, int_max, true);
    token_pad(o, k);
    return {x[0], sat_mul(x[1], k)};
}

shape_t infer_dynamic_conv1d(const graph &g, const op &o) {
    const auto &x = input_rank(g, o, 0, 2, "x of rank 2 [T,C·k] (unfolded)");
    const auto &kern = input_rank(g, o, 1, 2, "kernels of rank 2 [T,heads·k]");
    const std::int64_t k = int_attr(o, "kernel", 0, 1, int_max, true);
    const std::int64_t heads = int_attr(o, "heads", 1, 1, int_max);
    if (x[1] % k)
        fail(input_path(0), "expected x [T,C·k] (unfolded): its " + std::to_string(x[1]) +
                                " columns are not a multiple of kernel " + std::to_string(k));
    const std::int64_t c = x[1] / k;
    if (c % heads)
        fail("attrs.heads", "heads " + std::to_string(heads) + " does not divide C = " +
                                std::to_string(c) + " (columns of x / kernel)");
    if (kern != shape_t{x[0], sat_mul(heads, k)})
        fail(input_path(1), "expected kernels [T,heads·k] = " +
                                shape_str({x[0], sat_mul(heads, k)}) + ", got " + shape_str(kern));
    return {x[0], c};
}

shape_t infer_softmax(const graph &g, const op &o) {
    const auto &x = input_rank(g, o, 0, 2, "x of rank 2 [M,N]");
    const std::int64_t group = int_attr(o, "group", x[1], 1, int_max);
    if (x[1] % group)
        fail("attrs.group", "group " + std::to_string(group) + " does not divide the " +
                                std::to_string(x[1]) + " columns of x");
    return x;
}

shape_t infer_layernorm(const graph &g, const op &o) {
    const auto &x = input_rank(g, o, 0, 2, "x of rank 2 [T,D]");
    for (std::size_t i = 1; i <= 2; ++i)
        if (input(g, o, i).shape != shape_t{x[1]})
            fail(input_path(i), std::string("expected ") + (i == 1 ? "gamma" : "beta") +
                                    " of shape [" + std::to_string(x[1]) + "], got " +
                                    shape_str(input(g, o, i).shape));
    return x;
}

shape_t infer_embedding(const graph &g, const op &o) {
    const tensor &ids = input(g, o, 0);
    if (ids.shape.size() != 1 || ids.type != dtype::int32)
        fail(input_path(0), "expected ids of rank 1 [T] and dtype int32, got \"" +
                                sim::brief(ids.name) + "\" " + dtype_name(ids.type) + " " +
                                shape_str(ids.shape));
    const auto &table = input_rank(g, o, 1, 2, "table of rank 2 [V,E]");
    if (!input(g, o, 1).constant)
        fail(input_path(1), "expected a constant table, \"" + sim::brief(input(g, o, 1).name) +
                                "\" is not constant");
    if (int_attr(o, "sequential", 0, 0, 1) == 1 && ids.shape[0] > table[0])
        fail(input_path(1),
             "sequential = 1 reads rows 0..T-1 with T = " + std::to_string(ids.shape[0]) +
                 ", the table has " + std::to_string(table[0]) + " rows");
    return {ids.shape[0], table[1]};
}

/// The permutation of a transpose of rank `rank`: attrs.perm, or the axes reversed.
shape_t transpose_perm(const op &o, std::size_t rank) {
    shape_t perm;
    if (const attr_value *v = find_attr(o, "perm")) {
        const auto *p = std::get_if<shape_t>(v);
        if (!p)
            fail("attrs.perm", "expected a list of integers");
        perm = *p;
        if (perm.size() != rank)
            fail("attrs.perm", "expected " + std::to_string(rank) + " axes (the rank of x), got " +
                                   shape_str(perm));
        std::vector<bool> seen(rank, false);
        for (std::size_t i = 0; i < rank; ++i) {
            if (perm[i] < 0 || perm[i] >= std::int64_t(rank) || seen[std::size_t(perm[i])])
                fail("attrs.perm[" + std::to_string(i) + "]",
                     shape_str(perm) + " is not a permutation of 0.." + std::to_string(rank - 1));
            seen[std::size_t(perm[i])] = true;
        }
        return perm;
    }
    for (std::size_t a = rank; a-- > 0;)
        perm.push_back(std::int64_t(a));
    return perm;
}

shape_t infer_transpose(const graph &g, const op &o) {
    const auto &x = input(g, o, 0).shape;
    const shape_t perm = transpose_perm(o, x.size());
    shape_t out;
    for (auto a : perm)
        out.push_back(x[std::size_t(a)]);
    return out;
}

shape_t infer_pad(const graph &g, const op &o) {
    const auto &x = input(g, o, 0).shape;
    const std::size_t r = x.size();
    const shape_t pads = ints_attr(o, "pads", {}, 2 * r, 0);
    std::string mode = "constant";
    if (const attr_value *v = find_attr(o, "mode")) {
        const auto *m = std::get_if<std::string>(v);
        if (!m)
            fail("attrs.mode", "expected a string");
        mode = *m;
        if (mode != "constant" && mode != "edge" && mode != "reflect") {
            std::string near = sim::nearest(mode, {"constant", "edge", "reflect"});
            fail("attrs.mode", "expected constant, edge or reflect, got \"" + sim::brief(mode) +
                                   "\"" +
                                   (near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
        }
    }
    shape_t out = x;
    for (std::size_t a = 0; a < r; ++a) {
        // Reflection mirrors inside the tensor without repeating the edge: at most extent - 1.
        if (mode == "reflect")
            for (std::size_t k : {a, a + r})
                if (pads[k] > x[a] - 1)
                    fail("attrs.pads[" + std::to_string(k) + "]",
                         "reflect padding of axis " + std::to_string(a) + " (extent " +
                             std::to_string(x[a]) + ") must be at most " +
                             std::to_string(x[a] - 1) + ", got " + std::to_string(pads[k]));
        out[a] = sat_add(sat_add(x[a], pads[a]), pads[a + r]);
    }
    return out;
}

const attr_rule a_kernel{"kernel", attr_kind::integers, "[kh, kw], required, each >= 1"};
const attr_rule a_stride{"stride", attr_kind::integers, "[sh, sw], each >= 1; default [1, 1]"};
const attr_rule a_pad{"pad", attr_kind::integers,
                      "[top, left, bottom, right], each >= 0; default [0, 0, 0, 0]"};
const attr_rule a_dilation{"dilation", attr_kind::integers,
                           "[dh, dw], each >= 1: the window's taps are dh rows and dw columns "
                           "apart (extent (k-1)·d+1, still kh·kw taps); default [1, 1]"};
const attr_rule a_act{"activation", attr_kind::string,
                      "none | relu | relu6 | prelu | sigmoid, applied after the (folded) "
                      "BatchNorm; default none"};
const attr_rule a_bn{"batchnorm", attr_kind::integer,
                     "0 | 1: a BatchNorm is folded into the operator (counts 2·Cout parameters); "
                     "default 0"};
const attr_rule a_cbegin{"channel_begin", attr_kind::integer,
                         "first channel of a combined with b; default 0"};
const attr_rule a_cend{"channel_end", attr_kind::integer,
                       "one past the last channel of a combined with b; default C of a"};
const attr_rule a_linear_act{"activation", attr_kind::string,
                             "none | relu | gelu, applied after the bias; default none"};
const attr_rule a_token_kernel{"kernel", attr_kind::integer, "k >= 1 (tokens), required"};
const attr_rule a_token_pad{"pad", attr_kind::integer,
                            "tokens of zero padding at each end, >= 0; default (k-1)/2, which "
                            "needs an odd k"};
const char *const binary_rule =
    "without channel attributes a and b have the same rank and broadcast NumPy-style: on every "
    "axis equal extents or one of them 1 (b a scalar, [C,1,1], [1,H,W] over [C,H,W], [1,D] "
    "or [T,1] over [T,D]; both may broadcast: [C,1,1] and [1,H,W] give [C,H,W]); with them 0 "
    "<= channel_begin < channel_end <= C and b is a with C = channel_end - channel_begin (only "
    "those channels of a are combined, the others pass through; [C,..] tensors only, not rank "
    "2); output = the broadcast shape (shape of a when only b broadcasts)";

} // namespace

const std::vector<op_rule> &op_rules() {
    static const std::vector<op_rule> rules = {
        {"conv2d",
         2,
         3,
         "x [C,H,W], w [Cout,C/groups,kh,kw](, b [Cout])",
         {a_kernel,
          a_stride,
          a_pad,
          a_dilation,
          {"groups", attr_kind::integer, ">= 1, divides C and Cout; default 1"},
          a_act,
          a_bn},
         "[Cout, (H+top+bottom-ekh)/sh+1, (W+left+right-ekw)/sw+1] with the dilated extent "
         "ek = (k-1)·d+1 (integer division)",
         infer_conv2d},
        {"conv_transpose2d",
         2,
         3,
         "x [C,H,W], w [C,Cout/groups,kh,kw](, b [Cout])",
         {a_kernel,
          a_stride,
          a_pad,
          a_dilation,
          {"output_padding", attr_kind::integers,
           "[oh, ow], each >= 0 and < max(stride, dilation) of its axis: rows/columns added at "
           "the bottom/right; default [0, 0]"},
          {"groups", attr_kind::integer, ">= 1, divides C and Cout; default 1"},
          a_act,
          a_bn},
         "[Cout, (H-1)·sh+(kh-1)·dh+1-top-bottom+oh, (W-1)·sw+(kw-1)·dw+1-left-right+ow] "
         "(ONNX ConvTranspose)",
         infer_conv_transpose2d},
        {"fc",
         2,
         3,
         "x (any shape, flattened to in = its elements), w [out,in](, b [out])",
         {a_act, a_bn},
         "[out]",
         infer_fc},
        {"matmul",
         2,
         2,
         "a [M,heads·K], b [K,heads·N] or, with transpose_b, [N,heads·K]; or rank >= 3: "
         "a [..,M,K], b [..,K,N] (leading batch dimensions equal, heads 1)",
         {{"heads", attr_kind::integer,
           ">= 1, divides the columns of a; heads interleaved along the columns; default 1 (the "
           "only value for rank >= 3)"},
          {"transpose_b", attr_kind::integer,
           "0 | 1: b is [N,heads·K] and each head multiplies by its transpose; rank 2 only; "
           "default 0"}},
         "[M,heads·N]; rank >= 3: [..,M,N]",
         infer_matmul},
        {"add", 2, 2, "a, b", {a_cbegin, a_cend}, binary_rule, infer_binary},
        {"mul", 2, 2, "a, b", {a_cbegin, a_cend}, binary_rule, infer_binary},
        {"relu", 1, 1, "x", {}, "shape of x", infer_same},
        {"relu6", 1, 1, "x", {}, "shape of x", infer_same},
        {"sigmoid", 1, 1, "x", {}, "shape of x", infer_same},
        {"prelu", 2, 2, "x [C,..], slope [C]", {}, "shape of x", infer_prelu},
        {"maxpool",
         1,
         1,
         "x [C,H,W]",
         {a_kernel, a_stride, a_pad, a_dilation},
         "[C, (H+top+bottom-ekh)/sh+1, (W+left+right-ekw)/sw+1], ek = (k-1)·d+1",
         infer_pool},
        {"avgpool",
         1,
         1,
         "x [C,H,W]",
         {a_kernel, a_stride, a_pad, a_dilation},
         "[C, (H+top+bottom-ekh)/sh+1, (W+left+right-ekw)/sw+1], ek = (k-1)·d+1",
         infer_pool},
        {"global_avgpool", 1, 1, "x [C,H,W]", {}, "[C,1,1]", infer_global_avgpool},
        {"resize",
         1,
         1,
         "x [C,H,W]",
         {{"size", attr_kind::integers,
           "[Hout, Wout], required, each >= 1 and at most 64 times H and W: up, down or "
           "fractional scales"},
          {"mode", attr_kind::string,
           "nearest (1 tap per output element), linear (bilinear: 4 taps) or cubic (bicubic: "
           "16 taps); default linear"}},
         "[C, Hout, Wout]",
         infer_resize},
        {"concat",
         2,
         64,
         "x0, x1, ... (equal except on axis)",
         {{"axis", attr_kind::integer, "0 <= axis < rank; default 0"}},
         "shape of x0 with the axis extents summed",
         infer_concat},
        {"slice",
         1,
         1,
         "x",
         {{"axis", attr_kind::integer, "0 <= axis < rank; default 0"},
          {"begin", attr_kind::integer, "required, 0 <= begin < extent of axis"},
          {"end", attr_kind::integer, "required, begin < end <= extent of axis"}},
         "shape of x with extent end - begin on axis",
         infer_slice},
        {"flatten", 1, 1, "x", {}, "[elements of x]", infer_flatten},
        {"reshape",
         1,
         1,
         "x",
         {{"shape", attr_kind::integers, "required, positive dims, same element count as x"}},
         "attrs.shape",
         infer_reshape},
        {"linear",
         2,
         3,
         "x [T,K], w [N,K/groups](, b [N])",
         {{"groups", attr_kind::integer,
           ">= 1, divides K and N: group i maps columns i·K/groups.. of x to outputs "
           "i·N/groups..; default 1"},
          a_linear_act},
         "[T,N]",
         infer_linear},
        {"depthwise_conv1d",
         2,
         3,
         "x [T,C], w [C,k](, b [C])",
         {a_token_kernel, a_token_pad},
         "[T+2·pad-k+1, C]",
         infer_depthwise_conv1d},
        {"unfold",
         1,
         1,
         "x [T,C]",
         {a_token_kernel, a_token_pad},
         "[T, C·k]: column c·k+j of row t is x[t+j-pad][c], 0 outside",
         infer_unfold},
        {"dynamic_conv1d",
         2,
         2,
         "x [T,C·k] (unfolded), kernels [T,heads·k]",
         {{"kernel", attr_kind::integer, "k >= 1, required"},
          {"heads", attr_kind::integer,
           ">= 1, divides C; channel c uses kernel head c/(C/heads); default 1"}},
         "[T,C]: y[t][c] = sum_j x[t][c·k+j]·kernels[t][head(c)·k+j]",
         infer_dynamic_conv1d},
        {"softmax",
         1,
         1,
         "x [M,N]",
         {{"group", attr_kind::integer,
           ">= 1, divides N: softmax over each run of group consecutive columns; default N"}},
         "shape of x",
         infer_softmax},
        {"layernorm", 3, 3, "x [T,D], gamma [D], beta [D]", {}, "shape of x", infer_layernorm},
        {"gelu", 1, 1, "x", {}, "shape of x", infer_same},
        {"embedding",
         2,
         2,
         "ids [T] (int32), table [V,E] (constant)",
         {{"sequential", attr_kind::integer,
           "0 | 1: 0 reads the rows ids selects, 1 rows 0..T-1 (position embeddings, T <= V); "
           "default 0"}},
         "[T,E]",
         infer_embedding},
        {"transpose",
         1,
         1,
         "x (any rank)",
         {{"perm", attr_kind::integers,
           "a permutation of the axes 0..rank-1: output axis i is input axis perm[i]; default "
           "the axes reversed ([1,0]: [M,N] -> [N,M])"}},
         "[x[perm[0]], x[perm[1]], ...]",
         infer_transpose},
        {"pad",
         1,
         1,
         "x (any rank)",
         {{"pads", attr_kind::integers,
           "required, 2·rank values >= 0: the begin of every axis, then the end of every axis "
           "(ONNX order)"},
          {"mode", attr_kind::string,
           "constant (zeros) | edge (the edge element repeated) | reflect (mirrored, pads at "
           "most extent - 1); default constant"}},
         "x with extent begin + extent + end on every axis",
         infer_pad},
    };
    return rules;
}

const op_rule *find_op_rule(const std::string &type) {
    for (const auto &r : op_rules())
        if (type == r.type)
            return &r;
    return nullptr;
}

std::vector<std::string> op_type_names() {
    std::vector<std::string> names;
    for (const auto &r : op_rules())
        names.emplace_back(r.type);
    return names;
}

std::vector<std::int64_t> infer_output_shape(const graph &g, const op &o) {
    const op_rule *rule = find_op_rule(o.type);
    if (!rule) {
        std::string near = sim::nearest(o.type, op_type_names());
        fail("type", "unknown operator type \"" + sim::brief(o.type) + "\"" +
                         (near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
    }
    const int n = static_cast<int>(o.inputs.size());
    if (n < rule->min_inputs || n > rule->max_inputs)
        fail("inputs",
             std::string("expected ") + rule->inputs + " (" + std::to_string(rule->min_inputs) +
                 (rule->max_inputs != rule->min_inputs ? " to " + std::to_string(rule->max_inputs)
                                                       : std::string()) +
                 " inputs), got " + std::to_string(n));
    for (const auto &[key, value] : o.attrs) {
        const attr_rule *ar = nullptr;
        std::vector<std::string> names;
        for (const auto &a : rule->attrs) {
            names.emplace_back(a.name);
            if (key == a.name)
                ar = &a;
        }
        if (!ar) {
            std::string near = sim::nearest(key, names);
            std::string all;
            for (auto &a : names)
                all += (all.empty() ? "" : ", ") + a;
            fail("attrs." + key, "unknown attribute for " + std::string(rule->type) +
                                     (near.empty() ? (all.empty() ? " (it takes none)"
                                                                  : ", expected one of: " + all)
                                                   : " (did you mean \"" + near + "\"?)"));
        }
        bool kind_ok =
            (ar->kind == attr_kind::integer && std::holds_alternative<std::int64_t>(value)) ||
            (ar->kind == attr_kind::integers && std::holds_alternative<shape_t>(value)) ||
            (ar->kind == attr_kind::string && std::holds_alternative<std::string>(value));
        if (!kind_ok)
            fail("attrs." + key, ar->kind == attr_kind::integer    ? "expected an integer"
                                 : ar->kind == attr_kind::integers ? "expected a list of integers"
                                                                   : "expected a string");
        // No attribute (a kernel, a pad, a count) exceeds the largest tensor, so the shape
        // arithmetic of the rules cannot overflow.
        auto bounded = [&](std::int64_t v, const std::string &where) {
            if (v > max_tensor_elements || v < -max_tensor_elements)
                fail(where, "expected a magnitude of at most 2^32 (the largest tensor), got " +
                                std::to_string(v));
        };
        if (const auto *v = std::get_if<std::int64_t>(&value))
            bounded(*v, "attrs." + key);
        if (const auto *v = std::get_if<shape_t>(&value))
            for (std::size_t i = 0; i < v->size(); ++i)
                bounded((*v)[i], "attrs." + key + "[" + std::to_string(i) + "]");
    }
    return rule->infer(g, o);
}

void validate(const graph &g, const std::string &file) {
    const int nt = static_cast<int>(g.tensors.size());
    auto idx = [](const char *list, std::size_t i) {
        return std::string(list) + "[" + std::to_string(i) + "]";
    };
    std::unordered_map<std::string, int> names;
    for (int i = 0; i < nt; ++i) {
        const auto &t = g.tensors[i];
        const std::string at = idx("tensors", i);
        if (t.name.empty())
            throw sim::input_error(file, at + ".name", "expected a non-empty name");
        auto [it, fresh] = names.emplace(t.name, i);
        if (!fresh)
            throw sim::input_error(file, at + ".name",
                                   "duplicate tensor name \"" + sim::brief(t.name) +
                                       "\" (first at " + idx("tensors", it->second) + ")");
        if (t.shape.empty())
            throw sim::input_error(file, at + ".shape", "expected at least one dimension");
        for (std::size_t d = 0; d < t.shape.size(); ++d)
            if (t.shape[d] < 1)
                throw sim::input_error(file, at + ".shape[" + std::to_string(d) + "]",
                                       "expected a positive dimension, got " +
                                           std::to_string(t.shape[d]));
        const std::int64_t n = t.elements();
        if (n > max_tensor_elements)
            throw sim::input_error(
                file, at + ".shape",
                "tensor \"" + sim::brief(t.name) + "\" " + sim::brief(shape_str(t.shape)) +
                    " has " +
                    (n == int64_max ? std::string("2^63 - 1 or more") : std::to_string(n)) +
                    " elements, more than the limit of 2^32 = " +
                    std::to_string(max_tensor_elements) +
                    " per tensor (docs/workloads.md \"Limits\")");
    }
    // producer[t]: -2 network input, -1 not (yet) produced, else the producing op.
    std::vector<int> producer(nt, -1);
    for (std::size_t k = 0; k < g.inputs.size(); ++k) {
        int t = g.inputs[k];
        if (t < 0 || t >= nt)
            throw sim::input_error(file, idx("inputs", k), "no such tensor");
        if (g.tensors[t].constant)
            throw sim::input_error(file, idx("inputs", k),
                                   "tensor \"" + sim::brief(g.tensors[t].name) +
                                       "\" is constant, a network input must not be");
        if (producer[t] == -2)
            throw sim::input_error(file, idx("inputs", k),
                                   "tensor \"" + sim::brief(g.tensors[t].name) +
                                       "\" is listed twice");
        producer[t] = -2;
    }
    std::unordered_map<std::string, int> op_names;
    for (std::size_t i = 0; i < g.ops.size(); ++i) {
        const op &o = g.ops[i];
        const std::string at = idx("ops", i);
        if (o.name.empty())
            throw sim::input_error(file, at + ".name", "expected a non-empty name");
        auto [it, fresh] = op_names.emplace(o.name, static_cast<int>(i));
        if (!fresh)
            throw sim::input_error(file, at + ".name",
                                   "duplicate operator name \"" + sim::brief(o.name) +
                                       "\" (first at " + idx("ops", it->second) + ")");
        for (std::size_t j = 0; j < o.inputs.size(); ++j) {
            int t = o.inputs[j];
            if (t < 0 || t >= nt)
                throw sim::input_error(file, at + "." + idx("inputs", j), "no such tensor");
            if (!g.tensors[t].constant && producer[t] == -1)
                throw sim::input_error(file, at + "." + idx("inputs", j),
                                       "tensor \"" + sim::brief(g.tensors[t].name) +
                                           "\" is used before it is produced (operators must be "
                                           "in topological order)");
        }
        if (o.outputs.size() != 1)
            throw sim::input_error(file, at + ".outputs",
                                   "expected exactly one output tensor, got " +
                                       std::to_string(o.outputs.size()));
        const int out = o.outputs[0];
        const std::string out_at = at + ".outputs[0]";
        if (out < 0 || out >= nt)
            throw sim::input_error(file, out_at, "no such tensor");
        const auto &ot = g.tensors[out];
        if (ot.constant)
            throw sim::input_error(file, out_at,
                                   "tensor \"" + sim::brief(ot.name) +
                                       "\" is constant and cannot be produced");
        if (producer[out] == -2)
            throw sim::input_error(file, out_at,
                                   "tensor \"" + sim::brief(ot.name) +
                                       "\" is a network input and cannot be produced");
        if (producer[out] >= 0)
            throw sim::input_error(file, out_at,
                                   "tensor \"" + sim::brief(ot.name) +
                                       "\" is produced twice (first by " +
                                       idx("ops", producer[out]) + ")");
        shape_t want;
        try {
            want = infer_output_shape(g, o);
        } catch (const op_error &e) {
            throw sim::input_error(file, at + "." + e.where,
                                   sim::brief(o.type) + " \"" + sim::brief(o.name) +
                                       "\": " + e.what());
        }
        if (ot.shape != want)
            throw sim::input_error(
                file, out_at,
                sim::brief(o.type) + " \"" + sim::brief(o.name) + "\": output \"" +
                    sim::brief(ot.name) + "\" has shape " + shape_str(ot.shape) +
                    ", which does not agree with the inputs: expected " + shape_str(want));
        producer[out] = static_cast<int>(i);
        const std::int64_t macs = g.op_macs(o);
        if (macs > max_op_macs)
            throw sim::input_error(
                file, at,
                sim::brief(o.type) + " \"" + sim::brief(o.name) + "\" has " +
                    (macs == int64_max ? std::string("2^63 - 1 or more") : std::to_string(macs)) +
                    " MACs, more than the limit of 2^40 = " + std::to_string(max_op_macs) +
                    " per operator (docs/workloads.md \"Limits\")");
    }
    if (const std::int64_t macs = g.total_macs(); macs > max_graph_macs)
        throw sim::input_error(
            file, "ops",
            "the operators have " + std::to_string(macs) +
                " MACs together, more than the limit of 2^42 = " + std::to_string(max_graph_macs) +
                " per workload (docs/workloads.md \"Limits\")");
    std::int64_t elements = 0;
    for (const auto &t : g.tensors)
        elements = sat_add(elements, t.elements());
    if (elements > max_graph_elements)
        throw sim::input_error(file, "tensors",
                               "the tensors have " + std::to_string(elements) +
                                   " elements together, more than the limit of 2^36 = " +
                                   std::to_string(max_graph_elements) +
                                   " per workload (docs/workloads.md \"Limits\")");
    std::vector<bool> listed(nt, false);
    for (std::size_t k = 0; k < g.outputs.size(); ++k) {
        int t = g.outputs[k];
        if (t < 0 || t >= nt)
            throw sim::input_error(file, idx("outputs", k), "no such tensor");
        if (producer[t] == -1)
            throw sim::input_error(file, idx("outputs", k),
                                   "tensor \"" + sim::brief(g.tensors[t].name) +
                                       "\" is neither a network input nor produced by an operator");
        if (listed[t])
            throw sim::input_error(file, idx("outputs", k),
                                   "tensor \"" + sim::brief(g.tensors[t].name) +
                                       "\" is listed twice");
        listed[t] = true;
    }
}

} // namespace workloads

#include "workloads/generators.h"

#include "workloads/onnx_import.h"

#include "sim/errors.h"
#include "sim/params.h"
#include "workloads/scalesim_topology.h"
#include "workloads/trace.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace workloads {

std::int64_t make_divisible(double v, std::int64_t divisor) {
    // Python: max(divisor, int(v + divisor / 2) // divisor * divisor), then +divisor if < 0.9·v.
    std::int64_t n =
        static_cast<std::int64_t>(v + static_cast<double>(divisor) / 2) / divisor * divisor;
    if (n < divisor)
        n = divisor;
    if (static_cast<double>(n) < 0.9 * v)
        n += divisor;
    return n;
}

namespace {

using shape_t = std::vector<std::int64_t>;

/// Appends operators whose output shape comes from the operator rules themselves, so the
/// generators and the trace validator cannot disagree.
class builder {
public:
    explicit builder(std::string name) { m_g.name = std::move(name); }

    int input(const std::string &name, shape_t shape, dtype type = dtype::int8) {
        int t = m_g.add_tensor({name, std::move(shape), type, false});
        m_g.inputs.push_back(t);
        return t;
    }
    void output(int t) { m_g.outputs.push_back(t); }
    /// Rows (tokens) and columns (features) of a [T, D] tensor.
    std::int64_t rows(int x) const { return m_g.tensors[x].shape[0]; }
    /// Channels of a [C, H, W] map and its shape.
    std::int64_t channels(int x) const { return m_g.tensors[x].shape[0]; }
    const shape_t &shape(int x) const { return m_g.tensors[x].shape; }
    std::int64_t cols(int x) const { return m_g.tensors[x].shape[1]; }
    int constant(const std::string &name, shape_t shape) {
        return m_g.add_tensor({name, std::move(shape), dtype::int8, true});
    }

    /// k×k conv, pad k/2, BN folded, no bias tensor; groups == 0 means depthwise.
    int conv(const std::string &name, int x, std::int64_t cout, std::int64_t k, std::int64_t s,
             bool depthwise, const char *activation) {
        const std::int64_t cin = m_g.tensors[x].shape[0];
        const std::int64_t groups = depthwise ? cin : 1;
        int w = constant(name + ".w", {cout, cin / groups, k, k});
        const std::int64_t p = k / 2;
        return emit(name, "conv2d", {x, w},
                    {{"kernel", shape_t{k, k}},
                     {"stride", shape_t{s, s}},
                     {"pad", shape_t{p, p, p, p}},
                     {"groups", groups},
                     {"activation", std::string(activation)},
                     {"batchnorm", std::int64_t{1}}});
    }

    /// k×k conv of `groups` groups with padding `pad`, BN folded, no bias tensor.
    int conv_grouped(const std::string &name, int x, std::int64_t cout, std::int64_t k,
                     std::int64_t s, std::int64_t groups, std::int64_t pad) {
        const std::int64_t cin = m_g.tensors[x].shape[0];
        int w = constant(name + ".w", {cout, cin / groups, k, k});
        return emit(name, "conv2d", {x, w},
                    {{"kernel", shape_t{k, k}},
                     {"stride", shape_t{s, s}},
                     {"pad", shape_t{pad, pad, pad, pad}},
                     {"groups", groups},
                     {"activation", std::string("none")},
                     {"batchnorm", std::int64_t{1}}});
    }

    /// PReLU with its per-channel slopes "<name>.slope" [C] (C parameters).
    int prelu(const std::string &name, int x) {
        return emit(name, "prelu", {x, constant(name + ".slope", {m_g.tensors[x].shape[0]})}, {});
    }

    /// Identity shortcut of a block: out = y, with y's first `c` channels += x's first `c`.
    int shortcut(const std::string &prefix, int y, int x, std::int64_t c) {
        const std::int64_t C = m_g.tensors[x].shape[0];
        if (c >= C)
            return emit(prefix + ".add", "add", {y, x}, {});
        int part = emit(prefix + ".skip", "slice", {x},
                        {{"axis", std::int64_t{0}}, {"begin", std::int64_t{0}}, {"end", c}});
        return emit(prefix + ".add", "add", {y, part},
                    {{"channel_begin", std::int64_t{0}}, {"channel_end", c}});
    }

    /// Global average pool, then FC with bias to `classes` logits (the network output).
    void classifier(int x, std::int64_t classes) {
        int pooled = emit("head.pool", "global_avgpool", {x}, {});
        const std::int64_t in = m_g.tensors[pooled].elements();
        int w = constant("head.fc.w", {classes, in});
        int b = constant("head.fc.b", {classes});
        int out = emit("head.fc", "fc", {pooled, w, b}, {}, "logits");
        m_g.outputs.push_back(out);
    }

    /// Linear layer with bias on [T, K]: weights "<name>.w" [n, K/groups], "<name>.b" [n].
    int linear(const std::string &name, int x, std::int64_t n, std::int64_t groups = 1,
               const std::string &out_name = "") {
        int w = constant(name + ".w", {n, cols(x) / groups});
        int b = constant(name + ".b", {n});
        return emit(name, "linear", {x, w, b},
                    {{"groups", groups}, {"activation", std::string("none")}}, out_name);
    }

    /// LayerNorm over the columns, "<name>.gamma" and "<name>.beta" [D].
    int layernorm(const std::string &name, int x) {
        int gamma = constant(name + ".gamma", {cols(x)});
        int beta = constant(name + ".beta", {cols(x)});
        return emit(name, "layernorm", {x, gamma, beta}, {});
    }

    /// Embedding lookup from the table "<name>.table" [rows, width].
    int embedding(const std::string &name, int ids, std::int64_t rows, std::int64_t width,
                  bool sequential) {
        int table = constant(name + ".table", {rows, width});
        return emit(name, "embedding", {ids, table},
                    {{"sequential", std::int64_t{sequential ? 1 : 0}}});
    }

    /// Scaled dot-product attention of `heads` heads interleaved along the columns of q, k, v
    /// [T, heads·H]: scores Q·Kᵀ [T, heads·T] (the 1/√H scale and the mask folded into the
    /// softmax), softmax per head, context P·V [T, heads·H].
    int attention(const std::string &prefix, int q, int k, int v, std::int64_t heads) {
        int s = emit(prefix + "scores", "matmul", {q, k},
                     {{"heads", heads}, {"transpose_b", std::int64_t{1}}});
        s = emit(prefix + "softmax", "softmax", {s}, {{"group", rows(k)}});
        return emit(prefix + "context", "matmul", {s, v},
                    {{"heads", heads}, {"transpose_b", std::int64_t{0}}});
    }

    int emit(const std::string &name, const char *type, std::vector<int> inputs,
             std::map<std::string, attr_value> attrs, const std::string &out_name = "") {
        op o;
        o.name = name;
        o.type = type;
        o.inputs = std::move(inputs);
        o.attrs = std::move(attrs);
        shape_t shape = infer_output_shape(m_g, o);
        int out = m_g.add_tensor({out_name.empty() ? name : out_name, shape, dtype::int8, false});
        o.outputs = {out};
        m_g.ops.push_back(std::move(o));
        return out;
    }

    graph finish() {
        validate(m_g, "<built-in>");
        return std::move(m_g);
    }

private:
    graph m_g;
};

std::string number_text(double v) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v); // shortest text that reads back exactly
    return std::string(buf, r.ptr);
}

double number(const gen_values &v, const char *name) {
    return std::get<double>(v.at(name));
}

std::int64_t integer(const gen_values &v, const char *name) {
    return static_cast<std::int64_t>(std::get<double>(v.at(name)));
}

const std::string &word(const gen_values &v, const char *name) {
    return std::get<std::string>(v.at(name));
}

std::string value_text(const gen_value &v) {
    if (const auto *w = std::get_if<std::string>(&v))
        return *w;
    return number_text(std::get<double>(v));
}

std::string canonical(const generator &gen, const gen_values &values) {
    std::string s = gen.name;
    char sep = ':';
    for (const auto &p : gen.params) {
        s += sep + p.name + "=" + value_text(values.at(p.name));
        sep = ',';
    }
    return s;
}

const generator &find_generator(const std::string &name);

std::string join(const std::vector<std::string> &words, const char *sep) {
    std::string s;
    for (const auto &w : words)
        s += (s.empty() ? "" : sep) + w;
    return s;
}

/// A choice value must be one of the declared words; errors name "<generator>.<param>".
void check_choice(const generator &gen, const gen_param &p, const std::string &v,
                  const std::string &file) {
    if (std::find(p.choices.begin(), p.choices.end(), v) != p.choices.end())
        return;
    std::string near = sim::nearest(v, p.choices);
    throw sim::input_error(file, gen.name + "." + p.name,
                           "unknown value \"" + sim::brief(v) +
                               "\", expected one of: " + join(p.choices, ", ") +
                               (near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
}

/// Range and integrality of one parameter value; errors name "<generator>.<param>".
void check_value(const generator &gen, const gen_param &p, double v, const std::string &file,
                 const std::string &text) {
    const bool is_int = p.type == gen_param::kind::integer;
    const std::string range = p.range_text();
    if (!std::isfinite(v) || (is_int && v != std::floor(v)))
        throw sim::input_error(file, gen.name + "." + p.name,
                               std::string(is_int ? "expected an integer" : "expected a number") +
                                   " in " + range + ", got \"" + sim::brief(text) + "\"");
    if (v < p.min || v > p.max)
        throw sim::input_error(file, gen.name + "." + p.name,
                               "expected a value in " + range + ", got " + sim::brief(text));
}

/// Checks every value of a direct build_* call (or of a parsed spec again) against its
/// declaration; errors name `file`.
void check_values(const generator &gen, const gen_values &values, const std::string &file) {
    for (const auto &p : gen.params) {
        const gen_value &v = values.at(p.name);
        if (p.type == gen_param::kind::choice)
            check_choice(gen, p, std::get<std::string>(v), file);
        else
            check_value(gen, p, std::get<double>(v), file, value_text(v));
    }
}

/// The canonical name of a direct build_* call, after checking every value.
std::string checked_name(const std::string &name, const gen_values &values,
                         const std::string &file = "<built-in>") {
    const generator &gen = find_generator(name);
    check_values(gen, values, file);
    return canonical(gen, values);
}

[[noreturn]] void bad_param(const std::string &gen, const char *param, const std::string &file,
                            const std::string &what) {
    throw sim::input_error(file, gen + "." + param, what);
}

gen_param number_param(const char *name, gen_param::kind type, double dflt, double min, double max,
                       const char *description) {
    gen_param p;
    p.name = name;
    p.type = type;
    p.default_value = dflt;
    p.min = min;
    p.max = max;
    p.description = description;
    return p;
}

gen_param choice_param(const char *name, std::vector<std::string> choices, const char *dflt,
                       const char *description) {
    gen_param p;
    p.name = name;
    p.type = gen_param::kind::choice;
    p.default_value = p.min = p.max = 0;
    p.description = description;
    p.choices = std::move(choices);
    p.default_choice = dflt;
    return p;
}

} // namespace

std::string gen_param::default_text() const {
    return type == kind::choice ? default_choice : number_text(default_value);
}

std::string gen_param::range_text() const {
    if (type == kind::choice)
        return "{" + join(choices, "|") + "}";
    return "[" + number_text(min) + ", " + number_text(max) + "]";
}

namespace {

/// MobileNeXt's stem and 20 sandglass blocks on x. With `taps` (SSDLite), the outputs of block 12's
/// and block 19's PWE + ReLU6 are recorded there, and block 19's last DW2 is left out (the
/// detector's 1280-channel map is taken before it).
int mobilenext_body(builder &b, int x, double width, std::int64_t identity_div,
                    std::vector<int> *taps) {
    // Sandglass rows (t = reduction ratio, c, n, s), mnext.py.
    struct row {
        std::int64_t t, c, n, s;
    };
    const row rows[] = {{2, 96, 1, 2},  {6, 144, 1, 1}, {6, 192, 3, 2}, {6, 288, 3, 2},
                        {6, 384, 4, 1}, {6, 576, 4, 2}, {6, 960, 3, 1}, {6, 1280, 1, 1}};
    std::int64_t cin = make_divisible(32 * width, 8);
    x = b.conv("stem.conv", x, cin, 3, 2, false, "relu6");
    int index = 0;
    for (const row &r : rows) {
        // The final 1280 is the classifier width: kept at 1280 when width < 1.
        std::int64_t cout = r.c == 1280 ? make_divisible(1280 * std::max(1.0, width), 8)
                                        : make_divisible(static_cast<double>(r.c) * width, 8);
        for (std::int64_t i = 0; i < r.n; ++i, ++index) {
            const std::int64_t s = i == 0 ? r.s : 1;
            const bool keep_3x3 = r.n == 1 && r.s == 1 && i == 0;
            std::int64_t hidden = cin / r.t;
            if (static_cast<double>(hidden) < static_cast<double>(cout) / 6.0)
                hidden = make_divisible(std::ceil(static_cast<double>(cout) / 6.0), 16);
            const std::string p = "b" + std::to_string(index);
            const int in = x;
            // Variants A-D of the official SGBlock (docs/workloads.md).
            const bool variant_a = r.t == 2;
            const bool variant_b = !variant_a && cin != cout && s == 1 && !keep_3x3;
            const bool variant_c = !variant_a && cin != cout && s == 2 && !keep_3x3;
            const bool dw1 = variant_a || (!variant_b && !variant_c);
            const bool dw2 = !variant_b;
            if (dw1)
                x = b.conv(p + ".dw1", x, cin, 3, 1, true, "relu6");
            x = b.conv(p + ".pwr", x, hidden, 1, 1, false, "none");
            x = b.conv(p + ".pwe", x, cout, 1, 1, false, "relu6");
            if (taps && (index == 12 || index == 19))
                taps->push_back(x);
            if (taps && index == 19)
                return x;
            if (dw2)
                x = b.conv(p + ".dw2", x, cout, 3, s, true, "none");
            const bool identity =
                !variant_a && !variant_b && !variant_c && !keep_3x3 && cin == cout && s == 1;
            if (identity)
                x = b.shortcut(p, x, in, std::max<std::int64_t>(1, cout / identity_div));
            cin = cout;
        }
    }
    return x;
}

/// MobileNetV2's stem, 17 inverted residual blocks and 1×1 head conv on x. With `taps`
/// (SSDLite), block 13's expansion output (1×1 + ReLU6, before its stride-2 depthwise) and the
/// head conv's output are recorded there.
int mobilenetv2_body(builder &b, int x, double width, std::vector<int> *taps) {
    struct row {
        std::int64_t t, c, n, s;
    };
    const row rows[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                        {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    std::int64_t cin = make_divisible(32 * width, 8);
    x = b.conv("stem.conv", x, cin, 3, 2, false, "relu6");
    int index = 0;
    for (const row &r : rows) {
        const std::int64_t cout = make_divisible(static_cast<double>(r.c) * width, 8);
        for (std::int64_t i = 0; i < r.n; ++i, ++index) {
            const std::int64_t s = i == 0 ? r.s : 1;
            const std::string p = "b" + std::to_string(index);
            const int in = x;
            if (r.t != 1)
                x = b.conv(p + ".exp", x, cin * r.t, 1, 1, false, "relu6");
            if (taps && index == 13)
                taps->push_back(x);
            x = b.conv(p + ".dw", x, cin * r.t, 3, s, true, "relu6");
            x = b.conv(p + ".proj", x, cout, 1, 1, false, "none");
            if (s == 1 && cin == cout)
                x = b.shortcut(p, x, in, cout);
            cin = cout;
        }
    }
    x = b.conv("head.conv", x, make_divisible(1280 * std::max(1.0, width), 8), 1, 1, false,
               "relu6");
    if (taps)
        taps->push_back(x);
    return x;
}

} // namespace

graph build_mobilenext(double width, std::int64_t resolution, std::int64_t identity_div) {
    gen_values v{{"width", width},
                 {"resolution", static_cast<double>(resolution)},
                 {"identity_div", static_cast<double>(identity_div)}};
    builder b(checked_name("mobilenext", v));
    int x = b.input("input", {3, resolution, resolution});
    x = mobilenext_body(b, x, width, identity_div, nullptr);
    b.classifier(x, 1000);
    return b.finish();
}

graph build_mobilenetv2(double width, std::int64_t resolution) {
    gen_values v{{"width", width}, {"resolution", static_cast<double>(resolution)}};
    builder b(checked_name("mobilenetv2", v));
    int x = b.input("input", {3, resolution, resolution});
    x = mobilenetv2_body(b, x, width, nullptr);
    b.classifier(x, 1000);
    return b.finish();
}

// ---- SSDLite-320 (networks.md §5.3) ---------------------------------------------------------

namespace {

void check_stride(const std::string &gen, const char *param, std::int64_t value,
                  std::int64_t stride, const std::string &file) {
    if (value % stride != 0)
        bad_param(gen, param, file,
                  std::to_string(value) + " is not a multiple of the network's total stride " +
                      std::to_string(stride) + " (its last feature map would drop pixels)");
}

/// A head on one feature map: SeparableConv (depthwise 3×3 + BN + ReLU6, then 1×1 with bias) to
/// `anchors`·`per_anchor` channels, or a plain 1×1 conv with bias on the last (1×1) map; then the
/// [anchors·K, H, W] map as [H·W·anchors, K] rows (reshape, transpose, reshape).
int ssd_head(builder &b, const std::string &p, int x, std::int64_t anchors, std::int64_t per_anchor,
             bool plain) {
    const std::int64_t c = b.channels(x);
    if (!plain)
        x = b.conv(p + ".dw", x, c, 3, 1, true, "relu6");
    const std::int64_t out = anchors * per_anchor;
    int w = b.constant(p + ".pw.w", {out, c, 1, 1});
    int bias = b.constant(p + ".pw.b", {out});
    x = b.emit(p + ".pw", "conv2d", {x, w, bias},
               {{"kernel", shape_t{1, 1}},
                {"stride", shape_t{1, 1}},
                {"pad", shape_t{0, 0, 0, 0}},
                {"activation", std::string("none")}});
    const auto &sh = b.shape(x);
    const std::int64_t hw = sh[1] * sh[2];
    x = b.emit(p + ".flat", "reshape", {x}, {{"shape", shape_t{out, hw}}});
    x = b.emit(p + ".hwc", "transpose", {x}, {});
    return b.emit(p + ".rows", "reshape", {x}, {{"shape", shape_t{hw * anchors, per_anchor}}});
}

} // namespace

graph ssdlite_graph(const gen_values &v, const std::string &file) {
    const generator &gen = find_generator("ssdlite");
    check_values(gen, v, file);
    const std::string &backbone = word(v, "backbone");
    const bool coco = word(v, "config") == "coco";
    std::int64_t classes = integer(v, "classes");
    if (classes == 0)
        classes = coco ? 81 : 21;
    if (classes < 2)
        bad_param("ssdlite", "classes", file,
                  std::to_string(classes) +
                      " classes: expected at least 2 (background and one "
                      "object class), or 0 for the config's (21 VOC, 81 COCO)");
    const std::int64_t res = integer(v, "resolution");
    check_stride("ssdlite", "resolution", res, 32, file);
    builder b(canonical(gen, v));
    int x = b.input("input", {3, res, res});
    std::vector<int> maps;
    // Backbone without its classifier; the two taps are the first two feature maps.
    const std::int64_t identity_div = integer(v, "identity_div");
    if (backbone != "mobilenext" && identity_div != 1)
        bad_param("ssdlite", "identity_div", file,
                  "applies to the mobilenext backbone only (MobileNetV2 has no partial shortcut)");
    if (backbone == "mobilenext")
        x = mobilenext_body(b, x, number(v, "width"), identity_div, &maps);
    else
        x = mobilenetv2_body(b, x, number(v, "width"), &maps);
    // Four extra layers, each halving the map: MobileNeXt's are DW 3×3/2 + BN + ReLU6, PW -> h
    // (BN, linear), PW -> Cout + BN + ReLU6 (houqb/ssdlite-pytorch-mobilenext); MobileNetV2's
    // are inverted residuals (1×1 -> h + ReLU6, DW 3×3/2 + ReLU6, 1×1 -> Cout linear).
    struct extra {
        std::int64_t h, cout;
    };
    const extra next_extras[4] = {{256, 512}, {128, 256}, {128, 256}, {128, 128}};
    const extra v2_extras[4] = {{256, 512}, {128, 256}, {128, 256}, {64, 64}};
    for (int i = 0; i < 4; ++i) {
        const std::string p = "extras." + std::to_string(i);
        const std::int64_t c = b.channels(x);
        if (backbone == "mobilenext") {
            x = b.conv(p + ".dw", x, c, 3, 2, true, "relu6");
            x = b.conv(p + ".pw1", x, next_extras[i].h, 1, 1, false, "none");
            x = b.conv(p + ".pw2", x, next_extras[i].cout, 1, 1, false, "relu6");
        } else {
            x = b.conv(p + ".exp", x, v2_extras[i].h, 1, 1, false, "relu6");
            x = b.conv(p + ".dw", x, v2_extras[i].h, 3, 2, true, "relu6");
            x = b.conv(p + ".proj", x, v2_extras[i].cout, 1, 1, false, "none");
        }
        maps.push_back(x);
    }
    // Heads on the six maps: 6 anchors per location (COCO: 4 on the last, 1×1, map).
    std::vector<int> scores, boxes;
    for (std::size_t m = 0; m < maps.size(); ++m) {
        const bool last = m + 1 == maps.size();
        const std::int64_t anchors = coco && last ? 4 : 6;
        const std::string p = "head" + std::to_string(m);
        scores.push_back(ssd_head(b, p + ".cls", maps[m], anchors, classes, last));
        boxes.push_back(ssd_head(b, p + ".box", maps[m], anchors, 4, last));
    }
    // All anchors of all maps, in order: [anchors, classes] scores and [anchors, 4] box offsets
    // (box decoding and NMS run on the host CPU: README "What is simplified").
    b.output(b.emit("scores", "concat", scores, {{"axis", std::int64_t{0}}}));
    b.output(b.emit("boxes", "concat", boxes, {{"axis", std::int64_t{0}}}));
    return b.finish();
}

// ---- ResNet-50: the ImageNet classifier and the Re-ID strong baseline ------------------------

namespace {

/// One bottleneck of torchvision's ResNet (v1.5: the stride sits on the 3×3 conv2 and on the
/// 1×1 downsample): 1×1 w + BN + ReLU, 3×3 stride s + BN + ReLU, 1×1 4w + BN, + shortcut (the
/// first block of a stage: 1×1 stride-s conv + BN), ReLU.
int bottleneck(builder &b, const std::string &p, int x, std::int64_t w, std::int64_t s,
               bool downsample) {
    const int in = x;
    x = b.conv(p + ".conv1", x, w, 1, 1, false, "relu");
    x = b.conv(p + ".conv2", x, w, 3, s, false, "relu");
    x = b.conv(p + ".conv3", x, 4 * w, 1, 1, false, "none");
    const int shortcut =
        downsample ? b.conv(p + ".downsample", in, 4 * w, 1, s, false, "none") : in;
    x = b.emit(p + ".add", "add", {x, shortcut}, {});
    return b.emit(p + ".relu", "relu", {x}, {});
}

/// ResNet-50's stem, max-pool and four stages (3, 4, 6, 3 bottlenecks of width 64 ... 512);
/// `last_stride` is layer4's stride. The Re-ID baseline's stem has no ReLU (its resnet.py).
int resnet50_trunk(builder &b, int x, bool stem_relu, std::int64_t last_stride) {
    x = b.conv("conv1", x, 64, 7, 2, false, stem_relu ? "relu" : "none");
    x = b.emit(
        "maxpool", "maxpool", {x},
        {{"kernel", shape_t{3, 3}}, {"stride", shape_t{2, 2}}, {"pad", shape_t{1, 1, 1, 1}}});
    struct stage {
        std::int64_t w, n, s;
    };
    const stage stages[] = {{64, 3, 1}, {128, 4, 2}, {256, 6, 2}, {512, 3, last_stride}};
    for (int i = 0; i < 4; ++i)
        for (std::int64_t j = 0; j < stages[i].n; ++j)
            x = bottleneck(b, "layer" + std::to_string(i + 1) + "." + std::to_string(j), x,
                           stages[i].w, j == 0 ? stages[i].s : 1, j == 0);
    return x;
}

} // namespace

graph resnet50_graph(const gen_values &v, const std::string &file) {
    const generator &gen = find_generator("resnet50");
    check_values(gen, v, file);
    const std::int64_t res = integer(v, "resolution");
    check_stride("resnet50", "resolution", res, 32, file);
    builder b(canonical(gen, v));
    int x = b.input("input", {3, res, res});
    x = resnet50_trunk(b, x, true, 2);
    b.classifier(x, 1000);
    return b.finish();
}

graph reid_graph(const gen_values &v, const std::string &file) {
    const generator &gen = find_generator("reid");
    check_values(gen, v, file);
    const std::int64_t h = integer(v, "height"), w = integer(v, "width"),
                       last_stride = integer(v, "last_stride");
    const std::int64_t total = last_stride == 1 ? 16 : 32;
    check_stride("reid", "height", h, total, file);
    check_stride("reid", "width", w, total, file);
    builder b(canonical(gen, v));
    int x = b.input("input", {3, h, w});
    x = resnet50_trunk(b, x, false, last_stride);
    // Global average pool, then the BNNeck: BatchNorm1d over the 2048 features at inference, a
    // per-feature scale and shift (its weight and bias: 2·2048 parameters). The embedding after
    // the neck is the output (NECK_FEAT = 'after'); the ID classifier is training-only.
    x = b.emit("neck.pool", "global_avgpool", {x}, {});
    const std::int64_t c = 4 * 512;
    x = b.emit("neck.bn.scale", "mul", {x, b.constant("neck.bn.weight", {c, 1, 1})}, {});
    x = b.emit("neck.bn.shift", "add", {x, b.constant("neck.bn.bias", {c, 1, 1})}, {}, "embedding");
    b.output(x);
    return b.finish();
}

// ---- MobileFaceNet (networks.md §5.2) --------------------------------------------------------

namespace {

/// InsightFace's ConvBlock: conv + BN + PReLU.
int conv_block(builder &b, const std::string &name, int x, std::int64_t cout, std::int64_t k,
               std::int64_t s, std::int64_t groups, std::int64_t pad) {
    return b.prelu(name + ".prelu", b.conv_grouped(name, x, cout, k, s, groups, pad));
}

/// InsightFace's DepthWise block (the paper's bottleneck): 1×1 -> g + PReLU, depthwise 3×3
/// stride s + PReLU, 1×1 -> cout linear; plus the input when `residual`.
int mfn_block(builder &b, const std::string &p, int x, std::int64_t cout, std::int64_t g,
              std::int64_t s, bool residual) {
    const int in = x;
    x = conv_block(b, p + ".expand", x, g, 1, 1, 1, 0);
    x = conv_block(b, p + ".dw", x, g, 3, s, g, 1);
    x = b.conv_grouped(p + ".project", x, cout, 1, 1, 1, 0);
    return residual ? b.emit(p + ".add", "add", {x, in}, {}) : x;
}

} // namespace

graph mobilefacenet_graph(const gen_values &v, const std::string &file) {
    const generator &gen = find_generator("mobilefacenet");
    check_values(gen, v, file);
    const std::int64_t sc = integer(v, "scale");
    std::int64_t emb = integer(v, "embedding");
    if (emb == 0)
        emb = sc == 1 ? 128 : 512;
    builder b(canonical(gen, v));
    int x = b.input("input", {3, 112, 112});
    // deepinsight/insightface arcface_torch/backbones/mobilefacenet.py with blocks (1, 4, 6, 2):
    // `scale` widens the stem and the blocks' in/out channels (64, 128 -> 64·s, 128·s), not the
    // expansions (128, 256, 512) nor conv2_dw's 64 groups (grouped, not depthwise, at s = 2).
    x = conv_block(b, "conv1", x, 64 * sc, 3, 2, 1, 1);
    x = conv_block(b, "conv2_dw", x, 64 * sc, 3, 1, 64, 1);
    x = mfn_block(b, "b1", x, 64 * sc, 128, 2, false);
    for (int j = 0; j < 4; ++j)
        x = mfn_block(b, "b2." + std::to_string(j), x, 64 * sc, 128, 1, true);
    x = mfn_block(b, "b3", x, 128 * sc, 256, 2, false);
    for (int j = 0; j < 6; ++j)
        x = mfn_block(b, "b4." + std::to_string(j), x, 128 * sc, 256, 1, true);
    x = mfn_block(b, "b5", x, 128 * sc, 512, 2, false);
    for (int j = 0; j < 2; ++j)
        x = mfn_block(b, "b6." + std::to_string(j), x, 128 * sc, 256, 1, true);
    x = conv_block(b, "conv_sep", x, 512, 1, 1, 1, 0);
    // GDC: linear global depthwise 7×7 (no padding) + BN, then Linear(512, emb, no bias) +
    // BatchNorm1d (an fc with a folded BN).
    x = b.conv_grouped("gdc.dw", x, 512, 7, 1, 512, 0);
    int w = b.constant("gdc.linear.w", {emb, 512});
    x = b.emit("gdc.linear", "fc", {x, w}, {{"batchnorm", std::int64_t{1}}}, "embedding");
    b.output(x);
    return b.finish();
}

// ---- Transformers: ConvBERT, BERT, ViT -----------------------------------------------------

namespace {

// Text embeddings of the BERT family (google-research/bert, ConvBERT modeling.py).
constexpr std::int64_t vocab_size = 30522;
constexpr std::int64_t max_positions = 512;
constexpr std::int64_t type_vocab_size = 2;

struct convbert_preset {
    const char *name;
    std::int64_t d, heads, ffn, embedding, ffn_groups, layers;
};
// networks.md §4.1: configure_pretraining.py and the released YituTech/conv-bert-* configs.
const std::vector<convbert_preset> convbert_presets = {
    {"small", 256, 4, 1024, 128, 1, 12},
    {"medium-small", 384, 8, 1536, 128, 2, 12},
    {"base", 768, 12, 3072, 768, 1, 12},
};

struct encoder_preset {
    const char *name;
    std::int64_t d, heads, ffn, layers;
};
// google-research/bert README: BERT-Base L12/H768/A12; BERT-Small L4/H512/A8 of the 24 compact
// models (Turc et al. 2019, "Well-Read Students Learn Better"); FFN 4·H.
const std::vector<encoder_preset> bert_presets = {
    {"small", 512, 8, 2048, 4},
    {"base", 768, 12, 3072, 12},
};
// ViT-B/16 (Dosovitskiy et al., ICLR 2021, Table 1); DeiT-Ti and DeiT-S (Touvron et al., ICML
// 2021, Table 1).
const std::vector<encoder_preset> vit_presets = {
    {"vit-b16", 768, 12, 3072, 12},
    {"deit-tiny", 192, 3, 768, 12},
    {"deit-small", 384, 6, 1536, 12},
};
constexpr std::int64_t vit_patch = 16;
constexpr std::int64_t vit_classes = 1000;

template <class P> std::vector<std::string> preset_names(const std::vector<P> &presets) {
    std::vector<std::string> names;
    for (const auto &p : presets)
        names.emplace_back(p.name);
    return names;
}

/// The preset named `name`; the value was checked against the declared choices.
template <class P> const P &find_preset(const std::vector<P> &presets, const std::string &name) {
    for (const auto &p : presets)
        if (name == p.name)
            return p;
    throw std::logic_error("unchecked preset " + name);
}

/// `layers` 0 means the preset's.
std::int64_t resolve(std::int64_t value, std::int64_t preset_value) {
    return value == 0 ? preset_value : value;
}

/// Word + position + token-type embeddings, LayerNorm, and the E -> d projection when E != d
/// ("embeddings_project"). Inputs: token ids and token-type ids [T], int32.
int text_embeddings(builder &b, std::int64_t seq, std::int64_t e, std::int64_t d) {
    int ids = b.input("input_ids", {seq}, dtype::int32);
    int types = b.input("token_type_ids", {seq}, dtype::int32);
    int word = b.embedding("embeddings.word", ids, vocab_size, e, false);
    int pos = b.embedding("embeddings.position", ids, max_positions, e, true);
    int type = b.embedding("embeddings.token_type", types, type_vocab_size, e, false);
    int x = b.emit("embeddings.add_position", "add", {word, pos}, {});
    x = b.emit("embeddings.add_token_type", "add", {x, type}, {});
    x = b.layernorm("embeddings.norm", x);
    if (e != d)
        x = b.linear("embeddings.project", x, d);
    return x;
}

/// Post-norm feed-forward block of BERT and ConvBERT: in (d -> ffn, `groups`), GELU, out
/// (ffn -> d, `groups`: group i reads only the outputs of group i, no shuffle), + x, LayerNorm.
int post_norm_ffn(builder &b, const std::string &prefix, int x, std::int64_t ffn,
                  std::int64_t groups) {
    int h = b.linear(prefix + "in", x, ffn, groups);
    h = b.emit(prefix + "gelu", "gelu", {h}, {});
    h = b.linear(prefix + "out", h, b.cols(x), groups);
    h = b.emit(prefix + "residual", "add", {h, x}, {});
    return b.layernorm(prefix + "norm", h);
}

/// One ConvBERT layer (networks.md §4.2): `heads` = N' self-attention heads of `head_size`
/// beside N' dynamic-convolution heads, A = N'·head_size.
int convbert_layer(builder &b, const std::string &name, int x, std::int64_t heads,
                   std::int64_t head_size, std::int64_t kernel, std::int64_t ffn,
                   std::int64_t groups) {
    const std::string at = name + ".attn.";
    const std::int64_t a = heads * head_size, d = b.cols(x);
    int q = b.linear(at + "query", x, a);
    int k = b.linear(at + "key", x, a);
    int v = b.linear(at + "value", x, a);
    // Span-aware key: a separable conv1d over the tokens of the layer input X (not of K):
    // depthwise k taps without bias, then pointwise d -> A with bias.
    int w = b.constant(at + "key_conv_dw.w", {d, kernel});
    int ks = b.emit(at + "key_conv_dw", "depthwise_conv1d", {x, w},
                    {{"kernel", kernel}, {"pad", (kernel - 1) / 2}});
    ks = b.linear(at + "key_conv_pw", ks, a);
    int kern = b.emit(at + "q_ks", "mul", {q, ks}, {});
    kern = b.linear(at + "kernel_gen", kern, heads * kernel);
    kern = b.emit(at + "kernel_softmax", "softmax", {kern}, {{"group", kernel}});
    // The dynamic convolution runs on its own projection of X (conv_attn_point), not on V,
    // and ignores the attention mask.
    int cv = b.linear(at + "conv_value", x, a);
    cv = b.emit(at + "unfold", "unfold", {cv}, {{"kernel", kernel}, {"pad", (kernel - 1) / 2}});
    cv = b.emit(at + "dynamic_conv", "dynamic_conv1d", {cv, kern},
                {{"kernel", kernel}, {"heads", heads}});
    int ctx = b.attention(at, q, k, v, heads);
    int o = b.emit(at + "concat", "concat", {ctx, cv}, {{"axis", std::int64_t{1}}});
    o = b.linear(at + "output", o, d);
    o = b.emit(at + "residual", "add", {o, x}, {});
    o = b.layernorm(at + "norm", o);
    return post_norm_ffn(b, name + ".ffn.", o, ffn, groups);
}

/// The `heads` parameter (0: the preset's), which must divide the hidden size d.
std::int64_t resolve_heads(const generator &gen, const gen_values &v, std::int64_t preset_heads,
                           std::int64_t d, const std::string &preset, const std::string &file) {
    const std::int64_t heads = resolve(integer(v, "heads"), preset_heads);
    if (d % heads)
        bad_param(gen.name, "heads", file,
                  "heads " + std::to_string(heads) + " does not divide the hidden size " +
                      std::to_string(d) + " of preset " + preset + " (head size d/heads)");
    return heads;
}

graph convbert_graph(gen_values v, const std::string &file) {
    const generator &gen = find_generator("convbert");
    check_values(gen, v, file);
    const convbert_preset &p = find_preset(convbert_presets, word(v, "preset"));
    const std::int64_t seq = integer(v, "seq"), ratio = integer(v, "head_ratio"),
                       kernel = integer(v, "kernel");
    const std::int64_t groups = resolve(integer(v, "ffn_groups"), p.ffn_groups);
    const std::int64_t layers = resolve(integer(v, "layers"), p.layers);
    const std::int64_t n_heads = resolve_heads(gen, v, p.heads, p.d, p.name, file);
    if (n_heads % ratio)
        bad_param(gen.name, "head_ratio", file,
                  "head_ratio " + std::to_string(ratio) + " does not divide the " +
                      std::to_string(n_heads) + " heads of preset " + p.name +
                      " (N/head_ratio self-attention heads)");
    if (kernel % 2 == 0)
        bad_param(gen.name, "kernel", file,
                  "expected an odd kernel ((k-1)/2 tokens of zero padding on each side keep T "
                  "tokens), got " +
                      std::to_string(kernel));
    if (p.d % groups || p.ffn % groups)
        bad_param(gen.name, "ffn_groups", file,
                  "ffn_groups " + std::to_string(groups) + " does not divide both the hidden " +
                      "size " + std::to_string(p.d) + " and the FFN size " + std::to_string(p.ffn) +
                      " of preset " + p.name);
    v["ffn_groups"] = static_cast<double>(groups);
    v["layers"] = static_cast<double>(layers);
    v["heads"] = static_cast<double>(n_heads);
    builder b(canonical(gen, v));
    const std::int64_t heads = n_heads / ratio, head_size = p.d / n_heads;
    int x = integer(v, "embeddings") ? text_embeddings(b, seq, p.embedding, p.d)
                                     : b.input("input", {seq, p.d});
    for (std::int64_t i = 0; i < layers; ++i)
        x = convbert_layer(b, "layer" + std::to_string(i), x, heads, head_size, kernel, p.ffn,
                           groups);
    b.output(x);
    return b.finish();
}

graph bert_graph(gen_values v, const std::string &file) {
    const generator &gen = find_generator("bert");
    check_values(gen, v, file);
    const encoder_preset &p = find_preset(bert_presets, word(v, "preset"));
    const std::int64_t seq = integer(v, "seq");
    const std::int64_t layers = resolve(integer(v, "layers"), p.layers);
    const std::int64_t heads = resolve_heads(gen, v, p.heads, p.d, p.name, file);
    v["layers"] = static_cast<double>(layers);
    v["heads"] = static_cast<double>(heads);
    builder b(canonical(gen, v));
    int x =
        integer(v, "embeddings") ? text_embeddings(b, seq, p.d, p.d) : b.input("input", {seq, p.d});
    for (std::int64_t i = 0; i < layers; ++i) {
        const std::string at = "layer" + std::to_string(i) + ".attn.";
        int q = b.linear(at + "query", x, p.d);
        int k = b.linear(at + "key", x, p.d);
        int val = b.linear(at + "value", x, p.d);
        int o = b.attention(at, q, k, val, heads);
        o = b.linear(at + "output", o, p.d);
        o = b.emit(at + "residual", "add", {o, x}, {});
        o = b.layernorm(at + "norm", o);
        x = post_norm_ffn(b, "layer" + std::to_string(i) + ".ffn.", o, p.ffn, 1);
    }
    // Pooler: dense d -> d on the first ([CLS]) token; its tanh is not an operator type (a
    // d-element vector function, no MACs) and is left out.
    int cls =
        b.emit("head.cls", "slice", {x},
               {{"axis", std::int64_t{0}}, {"begin", std::int64_t{0}}, {"end", std::int64_t{1}}});
    int pooled = b.linear("head.pooler", cls, p.d);
    b.output(x);
    b.output(pooled);
    return b.finish();
}

graph vit_graph(gen_values v, const std::string &file) {
    const generator &gen = find_generator("vit");
    check_values(gen, v, file);
    const encoder_preset &p = find_preset(vit_presets, word(v, "preset"));
    const std::int64_t res = integer(v, "resolution");
    if (res % vit_patch)
        bad_param(gen.name, "resolution", file,
                  "expected a multiple of the patch size 16, got " + std::to_string(res));
    const std::int64_t layers = resolve(integer(v, "layers"), p.layers);
    v["layers"] = static_cast<double>(layers);
    builder b(canonical(gen, v));
    const std::int64_t d = p.d, patches = (res / vit_patch) * (res / vit_patch);
    // Patch embedding: a 16x16 stride-16 conv with bias, [d, H/16, W/16] -> tokens [N, d].
    int x = b.input("input", {3, res, res});
    int w = b.constant("embeddings.patch.w", {d, 3, vit_patch, vit_patch});
    int bias = b.constant("embeddings.patch.b", {d});
    x = b.emit("embeddings.patch", "conv2d", {x, w, bias},
               {{"kernel", shape_t{vit_patch, vit_patch}},
                {"stride", shape_t{vit_patch, vit_patch}},
                {"pad", shape_t{0, 0, 0, 0}},
                {"groups", std::int64_t{1}},
                {"activation", std::string("none")},
                {"batchnorm", std::int64_t{0}}});
    x = b.emit("embeddings.flatten", "reshape", {x}, {{"shape", shape_t{d, patches}}});
    x = b.emit("embeddings.transpose", "transpose", {x}, {});
    int cls = b.constant("embeddings.cls_token", {1, d});
    x = b.emit("embeddings.cls", "concat", {cls, x}, {{"axis", std::int64_t{0}}});
    int pos = b.constant("embeddings.position_embedding", {patches + 1, d});
    x = b.emit("embeddings.position", "add", {x, pos}, {});
    for (std::int64_t i = 0; i < layers; ++i) {
        // Pre-norm: x + attn(norm1(x)), then x + mlp(norm2(x)).
        const std::string name = "layer" + std::to_string(i);
        int h = b.layernorm(name + ".norm1", x);
        int q = b.linear(name + ".attn.query", h, d);
        int k = b.linear(name + ".attn.key", h, d);
        int val = b.linear(name + ".attn.value", h, d);
        h = b.attention(name + ".attn.", q, k, val, p.heads);
        h = b.linear(name + ".attn.proj", h, d);
        x = b.emit(name + ".attn.residual", "add", {h, x}, {});
        h = b.layernorm(name + ".norm2", x);
        h = b.linear(name + ".mlp.fc1", h, p.ffn);
        h = b.emit(name + ".mlp.gelu", "gelu", {h}, {});
        h = b.linear(name + ".mlp.fc2", h, d);
        x = b.emit(name + ".mlp.residual", "add", {h, x}, {});
    }
    x = b.layernorm("head.norm", x);
    x = b.emit("head.cls", "slice", {x},
               {{"axis", std::int64_t{0}}, {"begin", std::int64_t{0}}, {"end", std::int64_t{1}}});
    b.output(b.linear("head.fc", x, vit_classes, 1, "logits"));
    return b.finish();
}

} // namespace

graph build_convbert(const std::string &preset, std::int64_t seq, std::int64_t head_ratio,
                     std::int64_t kernel, std::int64_t ffn_groups, std::int64_t layers,
                     bool embeddings, std::int64_t heads) {
    return convbert_graph({{"preset", preset},
                           {"heads", static_cast<double>(heads)},
                           {"seq", static_cast<double>(seq)},
                           {"head_ratio", static_cast<double>(head_ratio)},
                           {"kernel", static_cast<double>(kernel)},
                           {"ffn_groups", static_cast<double>(ffn_groups)},
                           {"layers", static_cast<double>(layers)},
                           {"embeddings", embeddings ? 1.0 : 0.0}},
                          "<built-in>");
}

graph build_bert(const std::string &preset, std::int64_t seq, std::int64_t layers, bool embeddings,
                 std::int64_t heads) {
    return bert_graph({{"preset", preset},
                       {"heads", static_cast<double>(heads)},
                       {"seq", static_cast<double>(seq)},
                       {"layers", static_cast<double>(layers)},
                       {"embeddings", embeddings ? 1.0 : 0.0}},
                      "<built-in>");
}

graph build_vit(const std::string &preset, std::int64_t resolution, std::int64_t layers) {
    return vit_graph({{"preset", preset},
                      {"resolution", static_cast<double>(resolution)},
                      {"layers", static_cast<double>(layers)}},
                     "<built-in>");
}

namespace {

graph make_mobilenext(const gen_values &v) {
    return build_mobilenext(number(v, "width"), integer(v, "resolution"),
                            integer(v, "identity_div"));
}
graph make_mobilenetv2(const gen_values &v) {
    return build_mobilenetv2(number(v, "width"), integer(v, "resolution"));
}
graph make_convbert(const gen_values &v) {
    return convbert_graph(v, "--workload");
}
graph make_resnet50(const gen_values &v) {
    return resnet50_graph(v, "--workload");
}
graph make_reid(const gen_values &v) {
    return reid_graph(v, "--workload");
}
graph make_mobilefacenet(const gen_values &v) {
    return mobilefacenet_graph(v, "--workload");
}
graph make_ssdlite(const gen_values &v) {
    return ssdlite_graph(v, "--workload");
}
graph make_bert(const gen_values &v) {
    return bert_graph(v, "--workload");
}
graph make_vit(const gen_values &v) {
    return vit_graph(v, "--workload");
}

const generator &find_generator(const std::string &name) {
    for (const auto &g : generators())
        if (g.name == name)
            return g;
    std::vector<std::string> names;
    for (const auto &g : generators())
        names.push_back(g.name);
    std::string near = sim::nearest(name, names), all;
    for (const auto &n : names)
        all += (all.empty() ? "" : ", ") + n;
    throw sim::input_error(
        "--workload", name,
        "unknown workload generator" +
            (near.empty() ? std::string() : " (did you mean \"" + near + "\"?)") +
            "; available: " + all + ", a trace file path or scalesim:FILE.csv");
}

} // namespace

const std::vector<generator> &generators() {
    using k = gen_param::kind;
    static const std::vector<generator> all = {
        {"mobilenext",
         "MobileNeXt (sandglass blocks, ECCV 2020), official mnext.py, ImageNet classifier",
         {number_param("width", k::real, 1.0, 0.1, 4.0,
                       "width multiplier: channels make_divisible(c·width, 8); stem 32·width; "
                       "final 1280 kept when width < 1"),
          number_param("resolution", k::integer, 224, 32, 2048, "input height and width, pixels"),
          number_param("identity_div", k::integer, 1, 1, 1024,
                       "partial shortcut: identity blocks add only the first max(1, C / "
                       "identity_div) channels")},
         make_mobilenext},
        {"mobilenetv2",
         "MobileNetV2 (inverted residual blocks), torchvision, ImageNet classifier",
         {number_param("width", k::real, 1.0, 0.1, 4.0,
                       "width multiplier: channels make_divisible(c·width, 8); head 1280 kept "
                       "when width < 1"),
          number_param("resolution", k::integer, 224, 32, 2048, "input height and width, pixels")},
         make_mobilenetv2},
        {"resnet50",
         "ResNet-50 (v1.5: stride on the 3x3 conv), torchvision, ImageNet classifier",
         {number_param("resolution", k::integer, 224, 32, 2048,
                       "input height and width, pixels; a multiple of 32")},
         make_resnet50},
        {"reid",
         "Person Re-ID: ResNet-50 strong baseline (BoT) with BNNeck, "
         "michuanhaohao/reid-strong-baseline; output the 2048-d embedding",
         {number_param("height", k::integer, 256, 32, 2048,
                       "input height, pixels; a multiple of the total stride (16 at last_stride "
                       "1, else 32)"),
          number_param("width", k::integer, 128, 32, 2048,
                       "input width, pixels; a multiple of the total stride"),
          number_param("last_stride", k::integer, 1, 1, 2,
                       "stride of the last stage (layer4): 1 (the baseline's LAST_STRIDE) or 2")},
         make_reid},
        {"mobilefacenet",
         "MobileFaceNet (Chen et al. 2018) at 112x112; scale 2 = InsightFace's MBF, "
         "deepinsight/insightface arcface_torch; output the face embedding",
         {number_param("scale", k::integer, 1, 1, 2,
                       "1: the paper's net; 2: InsightFace's MBF (stem and block widths doubled, "
                       "expansions not)"),
          number_param("embedding", k::integer, 0, 0, 4096,
                       "embedding size; 0 = the variant's (128 at scale 1, 512 at scale 2)")},
         make_mobilefacenet},
        {"ssdlite",
         "SSDLite-320 detector (separable heads on six maps), houqb/ssdlite-pytorch-mobilenext; "
         "outputs the scores and box offsets of every anchor",
         {choice_param("backbone", {"mobilenext", "mobilenetv2"}, "mobilenext",
                       "backbone network (without its classifier)"),
          choice_param("config", {"voc", "coco"}, "voc",
                       "voc: 6 anchors on every map (3,234 at 320); coco: 4 on the 1x1 map "
                       "(3,232)"),
          number_param("classes", k::integer, 0, 0, 1000,
                       "score channels per anchor (background included); 0 = the config's (21 "
                       "VOC, 81 COCO); at least 2"),
          number_param("width", k::real, 1.0, 0.1, 4.0, "the backbone's width multiplier"),
          number_param("identity_div", k::integer, 1, 1, 1024,
                       "MobileNeXt backbone: partial shortcut on the first max(1, C / "
                       "identity_div) channels"),
          number_param("resolution", k::integer, 320, 64, 2048,
                       "input height and width, pixels; a multiple of 32")},
         make_ssdlite},
        {"convbert",
         "ConvBERT encoder (mixed attention: self-attention + span-based dynamic convolution, "
         "NeurIPS 2020), official modeling.py",
         {choice_param("preset", preset_names(convbert_presets), "base",
                       "released configuration (hidden size, heads, FFN size, embedding size, "
                       "FFN groups)"),
          number_param("seq", k::integer, 128, 1, max_positions,
                       "sequence length T, tokens (at most the 512 position embeddings)"),
          number_param("head_ratio", k::integer, 2, 1, 64,
                       "γ: N/γ self-attention heads and N/γ convolution heads; must divide the "
                       "preset's N heads"),
          number_param("kernel", k::integer, 9, 1, 127,
                       "span-based dynamic convolution kernel k, tokens; odd"),
          number_param("ffn_groups", k::integer, 0, 0, 64,
                       "groups g of the FFN linears (no channel shuffle); 0 = the preset's "
                       "(medium-small 2, else 1); must divide d and the FFN size"),
          number_param("layers", k::integer, 0, 0, 48, "encoder layers; 0 = the preset's (12)"),
          number_param("embeddings", k::integer, 1, 0, 1,
                       "1: token ids in, word/position/token-type embeddings (and the E->d "
                       "projection when E != d); 0: hidden states [T, d] in"),
          number_param("heads", k::integer, 0, 0, 256,
                       "nominal attention heads N (half self-attention, half convolution at "
                       "γ = 2); 0 = the preset's (4, 8, 12); must divide d")},
         make_convbert},
        {"bert",
         "BERT encoder with pooler (self-attention), google-research/bert",
         {choice_param("preset", preset_names(bert_presets), "base",
                       "base: L12/H768/A12; small: L4/H512/A8 (google-research/bert BERT-Small)"),
          number_param("seq", k::integer, 128, 1, max_positions,
                       "sequence length T, tokens (at most the 512 position embeddings)"),
          number_param("layers", k::integer, 0, 0, 48, "encoder layers; 0 = the preset's"),
          number_param("embeddings", k::integer, 1, 0, 1,
                       "1: token ids in, word/position/token-type embeddings; 0: hidden states "
                       "[T, d] in"),
          number_param("heads", k::integer, 0, 0, 256,
                       "attention heads; 0 = the preset's (small 8, base 12); must divide d")},
         make_bert},
        {"vit",
         "Vision Transformer / DeiT (16x16 patches, class token, pre-norm), timm, ImageNet "
         "classifier",
         {choice_param("preset", preset_names(vit_presets), "vit-b16",
                       "vit-b16: ViT-B/16; deit-tiny, deit-small: DeiT-Ti, DeiT-S"),
          number_param("resolution", k::integer, 224, 16, 1024,
                       "input height and width, pixels; a multiple of 16"),
          number_param("layers", k::integer, 0, 0, 48, "encoder layers; 0 = the preset's (12)")},
         make_vit},
    };
    return all;
}

graph build_workload(const std::string &spec) {
    const std::string scalesim = "scalesim";
    if (spec.compare(0, scalesim.size() + 1, scalesim + ":") == 0) {
        const std::string path = spec.substr(scalesim.size() + 1);
        if (path.empty())
            throw sim::input_error("--workload", scalesim,
                                   "expected scalesim:FILE, the path of a SCALE-Sim topology CSV, "
                                   "got no path");
        return read_scalesim_topology(path);
    }
    if (spec == scalesim)
        throw sim::input_error("--workload", scalesim,
                               "expected scalesim:FILE, the path of a SCALE-Sim topology CSV");
    if (spec.size() >= 4 && spec.compare(spec.size() - 4, 4, ".csv") == 0)
        throw sim::input_error("--workload", spec,
                               "a SCALE-Sim topology CSV is given as scalesim:" + spec +
                                   " (a trace file ends in .json)");
    if (is_onnx_spec(spec))
        return build_onnx_workload(spec);
    if (spec.size() >= 5 && spec.compare(spec.size() - 5, 5, ".json") == 0)
        return read_trace(spec);
    if (spec.find('/') != std::string::npos)
        return read_trace(spec);

    const auto colon = spec.find(':');
    const std::string name = spec.substr(0, colon);
    const generator &gen = find_generator(name);
    gen_values values;
    for (const auto &p : gen.params)
        if (p.type == gen_param::kind::choice)
            values[p.name] = p.default_choice;
        else
            values[p.name] = p.default_value;
    if (colon == std::string::npos)
        return gen.build(values);

    std::vector<std::string> known;
    for (const auto &p : gen.params)
        known.push_back(p.name);
    std::vector<std::string> seen;
    const std::string rest = spec.substr(colon + 1);
    std::size_t start = 0;
    while (true) {
        const auto comma = rest.find(',', start);
        const std::string item =
            rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
            throw sim::input_error("--workload", name,
                                   "expected name:key=value,key=value, got \"" + sim::brief(item) +
                                       "\"");
        const std::string key = item.substr(0, eq), text = item.substr(eq + 1);
        const std::string path = name + "." + key;
        const gen_param *param = nullptr;
        for (const auto &p : gen.params)
            if (p.name == key)
                param = &p;
        if (!param) {
            std::string near = sim::nearest(key, known), all;
            for (const auto &n : known)
                all += (all.empty() ? "" : ", ") + n;
            throw sim::input_error("--workload", path,
                                   "unknown parameter" +
                                       (near.empty() ? ", expected one of: " + all
                                                     : " (did you mean \"" + near + "\"?)"));
        }
        if (std::find(seen.begin(), seen.end(), key) != seen.end())
            throw sim::input_error("--workload", path, "parameter given twice");
        seen.push_back(key);
        if (param->type == gen_param::kind::choice) {
            check_choice(gen, *param, text, "--workload");
            values[key] = text;
            if (comma == std::string::npos)
                break;
            start = comma + 1;
            continue;
        }
        char *end = nullptr;
        const double v = text.empty() ? 0.0 : std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0')
            throw sim::input_error("--workload", path,
                                   std::string(param->type == gen_param::kind::integer
                                                   ? "expected an integer"
                                                   : "expected a number") +
                                       ", got \"" + sim::brief(text) + "\"");
        check_value(gen, *param, v, "--workload", text);
        values[key] = v;
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return gen.build(values);
}

} // namespace workloads

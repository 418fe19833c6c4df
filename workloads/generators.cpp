#include "workloads/generators.h"

#include "sim/errors.h"
#include "sim/params.h"
#include "workloads/trace.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

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

    int input(const std::string &name, shape_t shape) {
        int t = m_g.add_tensor({name, std::move(shape), dtype::int8, false});
        m_g.inputs.push_back(t);
        return t;
    }
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

std::string canonical(const generator &gen, const gen_values &values) {
    std::string s = gen.name;
    char sep = ':';
    for (const auto &p : gen.params) {
        s += sep + p.name + "=" + number_text(values.at(p.name));
        sep = ',';
    }
    return s;
}

const generator &find_generator(const std::string &name);

/// Range and integrality of one parameter value; errors name "<generator>.<param>".
void check_value(const generator &gen, const gen_param &p, double v, const std::string &file,
                 const std::string &text) {
    const bool is_int = p.type == gen_param::kind::integer;
    const std::string range = "[" + number_text(p.min) + ", " + number_text(p.max) + "]";
    if (!std::isfinite(v) || (is_int && v != std::floor(v)))
        throw sim::input_error(file, gen.name + "." + p.name,
                               std::string(is_int ? "expected an integer" : "expected a number") +
                                   " in " + range + ", got \"" + text + "\"");
    if (v < p.min || v > p.max)
        throw sim::input_error(file, gen.name + "." + p.name,
                               "expected a value in " + range + ", got " + text);
}

/// The canonical name of a direct build_* call, after checking every value.
std::string checked_name(const std::string &name, const gen_values &values) {
    const generator &gen = find_generator(name);
    for (const auto &p : gen.params)
        check_value(gen, p, values.at(p.name), "<built-in>", number_text(values.at(p.name)));
    return canonical(gen, values);
}

} // namespace

graph build_mobilenext(double width, std::int64_t resolution, std::int64_t identity_div) {
    gen_values v{{"width", width},
                 {"resolution", static_cast<double>(resolution)},
                 {"identity_div", static_cast<double>(identity_div)}};
    builder b(checked_name("mobilenext", v));
    // Sandglass rows (t = reduction ratio, c, n, s), mnext.py.
    struct row {
        std::int64_t t, c, n, s;
    };
    const row rows[] = {{2, 96, 1, 2},  {6, 144, 1, 1}, {6, 192, 3, 2}, {6, 288, 3, 2},
                        {6, 384, 4, 1}, {6, 576, 4, 2}, {6, 960, 3, 1}, {6, 1280, 1, 1}};
    int x = b.input("input", {3, resolution, resolution});
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
            if (dw2)
                x = b.conv(p + ".dw2", x, cout, 3, s, true, "none");
            const bool identity =
                !variant_a && !variant_b && !variant_c && !keep_3x3 && cin == cout && s == 1;
            if (identity)
                x = b.shortcut(p, x, in, std::max<std::int64_t>(1, cout / identity_div));
            cin = cout;
        }
    }
    b.classifier(x, 1000);
    return b.finish();
}

graph build_mobilenetv2(double width, std::int64_t resolution) {
    gen_values v{{"width", width}, {"resolution", static_cast<double>(resolution)}};
    builder b(checked_name("mobilenetv2", v));
    struct row {
        std::int64_t t, c, n, s;
    };
    const row rows[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                        {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    int x = b.input("input", {3, resolution, resolution});
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
            x = b.conv(p + ".dw", x, cin * r.t, 3, s, true, "relu6");
            x = b.conv(p + ".proj", x, cout, 1, 1, false, "none");
            if (s == 1 && cin == cout)
                x = b.shortcut(p, x, in, cout);
            cin = cout;
        }
    }
    x = b.conv("head.conv", x, make_divisible(1280 * std::max(1.0, width), 8), 1, 1, false,
               "relu6");
    b.classifier(x, 1000);
    return b.finish();
}

namespace {

graph make_mobilenext(const gen_values &v) {
    return build_mobilenext(v.at("width"), static_cast<std::int64_t>(v.at("resolution")),
                            static_cast<std::int64_t>(v.at("identity_div")));
}
graph make_mobilenetv2(const gen_values &v) {
    return build_mobilenetv2(v.at("width"), static_cast<std::int64_t>(v.at("resolution")));
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
            "; available: " + all + ", or a trace file path");
}

} // namespace

const std::vector<generator> &generators() {
    using k = gen_param::kind;
    static const std::vector<generator> all = {
        {"mobilenext",
         "MobileNeXt (sandglass blocks, ECCV 2020), official mnext.py, ImageNet classifier",
         {{"width", k::real, 1.0, 0.1, 4.0,
           "width multiplier: channels make_divisible(c·width, 8); stem 32·width; final 1280 "
           "kept when width < 1"},
          {"resolution", k::integer, 224, 32, 2048, "input height and width, pixels"},
          {"identity_div", k::integer, 1, 1, 1024,
           "partial shortcut: identity blocks add only the first max(1, C / identity_div) "
           "channels"}},
         make_mobilenext},
        {"mobilenetv2",
         "MobileNetV2 (inverted residual blocks), torchvision, ImageNet classifier",
         {{"width", k::real, 1.0, 0.1, 4.0,
           "width multiplier: channels make_divisible(c·width, 8); head 1280 kept when width < 1"},
          {"resolution", k::integer, 224, 32, 2048, "input height and width, pixels"}},
         make_mobilenetv2},
    };
    return all;
}

graph build_workload(const std::string &spec) {
    if (spec.size() >= 5 && spec.compare(spec.size() - 5, 5, ".json") == 0)
        return read_trace(spec);
    if (spec.find('/') != std::string::npos)
        return read_trace(spec);

    const auto colon = spec.find(':');
    const std::string name = spec.substr(0, colon);
    const generator &gen = find_generator(name);
    gen_values values;
    for (const auto &p : gen.params)
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
                                   "expected name:key=value,key=value, got \"" + item + "\"");
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
        char *end = nullptr;
        const double v = text.empty() ? 0.0 : std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0')
            throw sim::input_error("--workload", path,
                                   std::string(param->type == gen_param::kind::integer
                                                   ? "expected an integer"
                                                   : "expected a number") +
                                       ", got \"" + text + "\"");
        check_value(gen, *param, v, "--workload", text);
        values[key] = v;
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return gen.build(values);
}

} // namespace workloads

#include "workloads/scalesim_topology.h"

#include "sim/errors.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <stdexcept>
#include <unordered_set>
#include <vector>

namespace workloads {

namespace {

using shape_t = std::vector<std::int64_t>;

/// The value columns of a conv row and of a GEMM row, as error paths name them.
const char *const conv_columns[] = {"ifmap_h",  "ifmap_w",    "filter_h", "filter_w",
                                    "channels", "num_filter", "stride_h", "stride_w"};
const char *const gemm_columns[] = {"M", "N", "K"};

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string trim(const std::string &s) {
    std::size_t b = 0, e = s.size();
    while (b < e && is_space(s[b]))
        ++b;
    while (e > b && is_space(s[e - 1]))
        --e;
    return s.substr(b, e - b);
}

bool iequals(const std::string &a, const char *b) {
    const std::size_t n = std::strlen(b);
    if (a.size() != n)
        return false;
    for (std::size_t i = 0; i < n; ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

/// A field as a message quotes it: at most 32 characters, control characters shown as '?'.
std::string quoted(const std::string &s) {
    std::string t = s.size() > 32 ? s.substr(0, 32) + "..." : s;
    for (auto &c : t)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    return "\"" + t + "\"";
}

/// `s` with every byte that is not part of a well-formed UTF-8 sequence replaced by '_' (names
/// end up in JSON, which must be UTF-8; a Latin-1 file still imports).
std::string utf8_or_underscore(const std::string &s) {
    std::string out;
    const std::size_t n = s.size();
    auto cont = [&](std::size_t i, unsigned lo = 0x80, unsigned hi = 0xbf) {
        if (i >= n)
            return false;
        const auto c = static_cast<unsigned char>(s[i]);
        return c >= lo && c <= hi;
    };
    for (std::size_t i = 0; i < n;) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        if (c < 0x80)
            len = 1;
        else if (c >= 0xc2 && c <= 0xdf)
            len = cont(i + 1) ? 2 : 0;
        else if (c >= 0xe0 && c <= 0xef)
            len = cont(i + 1, c == 0xe0 ? 0xa0 : 0x80, c == 0xed ? 0x9f : 0xbf) && cont(i + 2) ? 3
                                                                                               : 0;
        else if (c >= 0xf0 && c <= 0xf4)
            len = cont(i + 1, c == 0xf0 ? 0x90 : 0x80, c == 0xf4 ? 0x8f : 0xbf) && cont(i + 2) &&
                          cont(i + 3)
                      ? 4
                      : 0;
        if (len == 0) {
            out += '_';
            ++i;
        } else {
            out.append(s, i, len);
            i += len;
        }
    }
    return out;
}

/// The fields of one line: the text from '#' on is a comment, the rest is split on ',' and
/// each field trimmed; the empty field after a trailing comma is dropped (SCALE-Sim drops the
/// last field whatever it holds; we drop it only when it is empty, so a row without the
/// trailing comma keeps its last value). A blank or comment-only line has no fields.
std::vector<std::string> split_fields(const std::string &line) {
    const std::string s = trim(line.substr(0, line.find('#')));
    std::vector<std::string> fields;
    if (s.empty())
        return fields;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = s.find(',', start);
        fields.push_back(
            trim(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    if (fields.size() > 1 && fields.back().empty())
        fields.pop_back();
    return fields;
}

std::string at_line(int line) {
    return "line " + std::to_string(line);
}

std::string at_column(int line, const char *column) {
    return at_line(line) + ", " + column;
}

/// One value of a row: a positive decimal integer (an optional '+' sign) of at most
/// scalesim_max_value.
std::int64_t parse_value(const std::string &text, const std::string &file, int line,
                         const char *column) {
    const std::string where = at_column(line, column);
    std::size_t i = text.empty() || (text[0] != '+' && text[0] != '-') ? 0 : 1;
    const bool negative = i == 1 && text[0] == '-';
    bool digits = i < text.size();
    for (std::size_t j = i; j < text.size(); ++j)
        digits = digits && text[j] >= '0' && text[j] <= '9';
    if (!digits)
        throw sim::input_error(file, where, "expected a positive integer, got " + quoted(text));
    std::int64_t v = 0;
    bool too_large = false;
    for (; i < text.size() && !too_large; ++i) {
        v = v * 10 + (text[i] - '0');
        too_large = v > scalesim_max_value;
    }
    if (negative || v == 0)
        throw sim::input_error(file, where,
                               "expected a positive integer, got " +
                                   (text.size() > 32 ? quoted(text) : text));
    if (too_large)
        throw sim::input_error(file, where,
                               "expected at most " + std::to_string(scalesim_max_value) +
                                   " (2^20), got " + quoted(text));
    return v;
}

/// a·b, or the largest int64 when that overflows.
std::int64_t mul_sat(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r))
        return std::numeric_limits<std::int64_t>::max();
    return r;
}

std::int64_t elements_sat(const shape_t &shape) {
    std::int64_t n = 1;
    for (auto d : shape)
        n = mul_sat(n, d);
    return n;
}

/// SCALE-Sim's output extent: ceil((n - f + s) / s), i.e. (n - f) / s + 1 plus one more output
/// when the stride does not divide n - f (no padding, but a last, partial window counts).
std::int64_t scalesim_out(std::int64_t n, std::int64_t f, std::int64_t s) {
    return (n - f) / s + 1 + ((n - f) % s != 0 ? 1 : 0);
}

/// The bottom (right) padding that makes our floor rule (n + pad - f) / s + 1 give SCALE-Sim's
/// count: the rows missing up to the next multiple of the stride.
std::int64_t scalesim_pad(std::int64_t n, std::int64_t f, std::int64_t s) {
    const std::int64_t r = (n - f) % s;
    return r == 0 ? 0 : s - r;
}

/// A layer row: its line, its name as written and its values.
struct row {
    int line = 0;
    std::string name;
    std::vector<std::string> values;
};

class importer {
public:
    importer(std::string file, bool gemm, std::string form)
        : m_file(std::move(file)), m_gemm(gemm), m_form(std::move(form)) {
        const auto slash = m_file.find_last_of('/');
        m_g.name =
            "scalesim:" +
            utf8_or_underscore(slash == std::string::npos ? m_file : m_file.substr(slash + 1));
    }

    void add(const row &r) {
        const std::size_t want_min = m_gemm ? 3 : 7, want_max = m_gemm ? 3 : 8;
        if (r.values.size() < want_min || r.values.size() > want_max)
            throw sim::input_error(
                m_file, at_line(r.line),
                std::string(m_gemm ? "expected 4 fields: name, M, N, K"
                                   : "expected 8 or 9 fields: name, ifmap_h, ifmap_w, filter_h, "
                                     "filter_w, channels, num_filter, stride_h[, stride_w]") +
                    " (" + m_form + "), got " + std::to_string(r.values.size() + 1));
        std::vector<std::int64_t> v;
        for (std::size_t i = 0; i < r.values.size(); ++i)
            v.push_back(parse_value(r.values[i], m_file, r.line,
                                    m_gemm ? gemm_columns[i] : conv_columns[i]));
        const std::string name = unique_name(r.name);
        if (m_gemm)
            add_gemm(r.line, name, v[0], v[1], v[2]);
        else
            add_conv(r, name, v);
        ++m_layers;
    }

    graph finish() {
        validate(m_g, m_file);
        return std::move(m_g);
    }

private:
    /// conv2d on its own input [C,H,W]; a "DP" layer is one depthwise conv (groups = C, a depth
    /// multiplier of num_filter), which has the MACs of SCALE-Sim's C per-channel layers.
    void add_conv(const row &r, const std::string &name, const std::vector<std::int64_t> &v) {
        const std::int64_t ih = v[0], iw = v[1], fh = v[2], fw = v[3], c = v[4], nf = v[5];
        const std::int64_t sh = v[6], sw = v.size() > 7 ? v[7] : v[6];
        // SCALE-Sim has no padding: the filter must fit the ifmap on both axes.
        const auto fits = [&](std::int64_t f, std::int64_t i, const char *axis, const char *fcol,
                              const char *icol) {
            if (f > i)
                throw sim::input_error(m_file, at_column(r.line, fcol),
                                       std::string("filter ") + axis + " " + std::to_string(f) +
                                           " is larger than " + icol + " " + std::to_string(i) +
                                           " (SCALE-Sim requires " + fcol + " <= " + icol +
                                           "; there is no padding)");
        };
        fits(fh, ih, "height", "filter_h", "ifmap_h");
        fits(fw, iw, "width", "filter_w", "ifmap_w");
        const bool depthwise = r.name.find("DP") != std::string::npos;
        const std::int64_t groups = depthwise ? c : 1;
        const std::int64_t cout = mul_sat(nf, groups);
        const std::int64_t oh = scalesim_out(ih, fh, sh), ow = scalesim_out(iw, fw, sw);
        const shape_t x_shape{c, ih, iw}, w_shape{cout, c / groups, fh, fw}, y_shape{cout, oh, ow};
        check_size(r.line, "ifmap", x_shape);
        check_size(r.line, "weight", w_shape);
        check_size(r.line, "ofmap", y_shape);
        // SCALE-Sim: ofmap_h·ofmap_w·filter_h·filter_w·channels·num_filter (per channel for DP).
        count_macs(r.line, mul_sat(elements_sat(y_shape), (c / groups) * fh * fw));

        const int x = tensor(name + ".ifmap", x_shape, false);
        const int w = tensor(name + ".w", w_shape, true);
        op o;
        o.name = name;
        o.type = "conv2d";
        o.inputs = {x, w};
        o.attrs = {{"kernel", shape_t{fh, fw}},
                   {"stride", shape_t{sh, sw}},
                   {"pad", shape_t{0, 0, scalesim_pad(ih, fh, sh), scalesim_pad(iw, fw, sw)}},
                   {"groups", groups},
                   {"activation", std::string("none")}};
        emit(std::move(o), y_shape);
    }

    /// linear x [M,K] · w [N,K]ᵀ: the MAC array's GEMM m = M, k = K, n = N.
    void add_gemm(int line, const std::string &name, std::int64_t m, std::int64_t n,
                  std::int64_t k) {
        const shape_t x_shape{m, k}, w_shape{n, k}, y_shape{m, n};
        check_size(line, "input", x_shape);
        check_size(line, "weight", w_shape);
        check_size(line, "output", y_shape);
        count_macs(line, mul_sat(m * n, k));
        const int x = tensor(name + ".ifmap", x_shape, false);
        const int w = tensor(name + ".w", w_shape, true);
        op o;
        o.name = name;
        o.type = "linear";
        o.inputs = {x, w};
        o.attrs = {{"groups", std::int64_t{1}}, {"activation", std::string("none")}};
        emit(std::move(o), y_shape);
    }

    void check_size(int line, const char *what, const shape_t &shape) {
        const std::int64_t n = elements_sat(shape);
        if (n > scalesim_max_elements)
            throw sim::input_error(
                m_file, at_line(line),
                std::string("the ") + what + " tensor " + shape_str(shape) +
                    " has more than 2^32 = " + std::to_string(scalesim_max_elements) +
                    " elements; expected a smaller layer");
    }

    void count_macs(int line, std::int64_t macs) {
        m_macs = macs > scalesim_max_macs ? macs : m_macs + macs;
        if (m_macs > scalesim_max_macs)
            throw sim::input_error(m_file, at_line(line),
                                   "the layers up to this one have more than 2^53 = " +
                                       std::to_string(scalesim_max_macs) +
                                       " MACs; expected a smaller topology");
    }

    int tensor(const std::string &name, shape_t shape, bool constant) {
        m_tensor_names.insert(name);
        return m_g.add_tensor({name, std::move(shape), dtype::int8, constant});
    }

    /// Appends `o` with its output tensor (named as the operator); the shape SCALE-Sim gives must
    /// be the one the operator rules infer from the attributes.
    void emit(op o, const shape_t &shape) {
        if (infer_output_shape(m_g, o) != shape)
            throw std::logic_error("scalesim import: " + o.name + ": inferred shape differs");
        const int y = tensor(o.name, shape, false);
        o.outputs = {y};
        m_g.inputs.push_back(o.inputs[0]);
        m_g.outputs.push_back(y);
        m_g.ops.push_back(std::move(o));
    }

    /// The operator name of a layer: its name with whitespace, control characters and bytes that
    /// are not UTF-8 replaced by '_' ("layer<i>" when empty), plus "_2", "_3", ... when it or one
    /// of its tensor names
    /// (<name>, <name>.ifmap, <name>.w) is already taken.
    std::string unique_name(const std::string &written) {
        std::string base = utf8_or_underscore(written);
        for (auto &c : base)
            if (is_space(c) || static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                c = '_';
        if (base.empty())
            base = "layer" + std::to_string(m_layers);
        auto taken = [&](const std::string &n) {
            return m_tensor_names.count(n) || m_tensor_names.count(n + ".ifmap") ||
                   m_tensor_names.count(n + ".w");
        };
        if (!taken(base))
            return base;
        int &k = m_next_suffix.emplace(base, 2).first->second;
        std::string name;
        do
            name = base + "_" + std::to_string(k++);
        while (taken(name));
        return name;
    }

    std::string m_file;
    bool m_gemm;
    std::string m_form; ///< why this form was chosen, for field-count errors
    graph m_g;
    std::unordered_set<std::string> m_tensor_names;
    std::map<std::string, int> m_next_suffix;
    std::int64_t m_macs = 0;
    int m_layers = 0;
};

std::string read_capped(const std::string &path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw sim::input_error(path, "$", "is a directory; expected a SCALE-Sim topology CSV file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw sim::input_error(path, "$", std::string("cannot read file: ") + std::strerror(errno));
    std::string text;
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(in.gcount()));
        if (static_cast<std::int64_t>(text.size()) > scalesim_max_file_bytes)
            throw sim::input_error(path, "$",
                                   "larger than " + std::to_string(scalesim_max_file_bytes >> 20) +
                                       " MiB; expected a SCALE-Sim topology CSV");
    }
    if (in.bad())
        throw sim::input_error(path, "$", "cannot read file: read error");
    return text;
}

} // namespace

graph parse_scalesim_topology(const std::string &text, const std::string &file) {
    std::vector<std::string> lines;
    for (std::size_t start = 0; start <= text.size();) {
        const std::size_t nl = text.find('\n', start);
        lines.push_back(
            text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
        if (nl == std::string::npos)
            break;
        start = nl + 1;
    }
    if (trim(text).empty())
        throw sim::input_error(file, at_line(1),
                               "empty file; expected a header line, then one row per layer "
                               "(name, ifmap_h, ifmap_w, filter_h, filter_w, channels, "
                               "num_filter, stride_h[, stride_w], or name, M, N, K)");

    // Line 1 is the header, skipped whatever it says (as SCALE-Sim does).
    std::vector<row> rows;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        auto fields = split_fields(lines[i]);
        if (fields.empty())
            continue;
        row r;
        r.line = static_cast<int>(i) + 1;
        r.name = fields[0];
        r.values.assign(fields.begin() + 1, fields.end());
        rows.push_back(std::move(r));
    }
    if (rows.empty())
        throw sim::input_error(file, at_line(2),
                               "no layer rows after the header on line 1; expected one row per "
                               "layer");

    // The GEMM form: a header naming M, N, K, or a first row of 3 values.
    const auto header = split_fields(lines[0]);
    bool gemm = false;
    std::string form = "conv form";
    if (header.size() == 4 && iequals(header[1], "M") && iequals(header[2], "N") &&
        iequals(header[3], "K")) {
        gemm = true;
        form = "GEMM form: the header on line 1 names M, N, K";
    } else if (rows[0].values.size() == 3) {
        gemm = true;
        form = "GEMM form: " + at_line(rows[0].line) + ", the first row, has 3 values";
    }

    importer imp(file, gemm, form);
    for (const auto &r : rows)
        imp.add(r);
    return imp.finish();
}

graph read_scalesim_topology(const std::string &path) {
    return parse_scalesim_topology(read_capped(path), path);
}

} // namespace workloads

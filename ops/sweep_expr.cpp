#include "ops/sweep_expr.h"

#include <muParser.h>

#include <stdexcept>

namespace ops {

namespace {

double logical_not(double x) {
    return x == 0 ? 1.0 : 0.0;
}

void configure(mu::Parser &p) {
    p.DefineNameChars("0123456789_.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    p.DefineInfixOprt("!", logical_not);
}

/// The position (from 1) of a lone `=` (muParser's assignment), or 0.
std::size_t lone_equals(const std::string &t) {
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] != '=')
            continue;
        const char before = i ? t[i - 1] : ' ';
        const char after = i + 1 < t.size() ? t[i + 1] : ' ';
        if (after == '=') {
            ++i; // "=="
            continue;
        }
        if (before == '<' || before == '>' || before == '!')
            continue;
        return i + 1;
    }
    return 0;
}

} // namespace

struct sweep_expr::impl {
    std::string text;
    std::vector<std::string> names;
    mutable std::vector<double> values; // one per name, bound to the parser
    mutable mu::Parser parser;
};

sweep_expr::sweep_expr(const std::string &text) : m(std::make_unique<impl>()) {
    m->text = text;
    if (text.find_first_not_of(" \t") == std::string::npos)
        throw std::invalid_argument("empty expression");
    if (const std::size_t at = lone_equals(text))
        throw std::invalid_argument("\"=\" at character " + std::to_string(at) +
                                    " assigns; compare with \"==\"");
    try {
        configure(m->parser);
        m->parser.SetExpr(text);
        // GetUsedVar parses with undefined names allowed and lists them.
        for (const auto &v : m->parser.GetUsedVar())
            m->names.push_back(v.first);
        m->values.assign(m->names.size(), 0.0);
        for (std::size_t i = 0; i < m->names.size(); ++i)
            m->parser.DefineVar(m->names[i], &m->values[i]);
        m->parser.SetExpr(text);
        m->parser.Eval(); // the full check (argument counts, a missing operand)
    } catch (const mu::Parser::exception_type &e) {
        std::string msg = e.GetMsg();
        // muParser's messages end in " at position N" (from 0); say it once, from 1.
        const auto at = msg.rfind(" at position ");
        if (at != std::string::npos)
            msg = msg.substr(0, at);
        throw std::invalid_argument(msg + " at character " + std::to_string(e.GetPos() + 1));
    }
}

sweep_expr::~sweep_expr() = default;
sweep_expr::sweep_expr(sweep_expr &&) noexcept = default;
sweep_expr &sweep_expr::operator=(sweep_expr &&) noexcept = default;

const std::string &sweep_expr::text() const {
    return m->text;
}

std::vector<std::string> sweep_expr::names() const {
    return m->names;
}

double sweep_expr::eval(const std::function<double(const std::string &)> &value_of) const {
    for (std::size_t i = 0; i < m->names.size(); ++i)
        m->values[i] = value_of(m->names[i]);
    try {
        return m->parser.Eval();
    } catch (const mu::Parser::exception_type &e) {
        throw std::invalid_argument(e.GetMsg());
    }
}

} // namespace ops

#pragma once
// A sweep constraint (issue 13): an arithmetic and logical expression over named numbers,
// `cores * mac_array.rows * mac_array.cols <= 65536`, `area_mm2 <= 40 && lanes >= 64`, true when
// it evaluates to a non-zero number. Parsed by muParser (Debian's libmuparser-dev) with two
// changes to its defaults: names may hold dots (chip config keys), and `!` is logical not; a
// single `=` (muParser's assignment) is refused, so that `a = 3` cannot silently assign.
// Operators: + - * / ^ (no %), unary -, < <= > >= == !=, && ||, !, ?: and muParser's functions
// (min, max, abs, sqrt, log2, ...). docs/sweep.md "Constraints" lists them. No SystemC.

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ops {

class sweep_expr {
public:
    /// Parses `text`; throws std::invalid_argument with a message saying what is wrong and
    /// where (character position, from 1).
    explicit sweep_expr(const std::string &text);
    ~sweep_expr();
    sweep_expr(sweep_expr &&) noexcept;
    sweep_expr &operator=(sweep_expr &&) noexcept;

    const std::string &text() const;
    /// The names the expression uses, sorted, each once.
    std::vector<std::string> names() const;
    /// The value with every name looked up through `value_of` (called once per name).
    double eval(const std::function<double(const std::string &)> &value_of) const;

private:
    struct impl;
    std::unique_ptr<impl> m;
};

} // namespace ops

// The accepted range and the default of an engine parameter, and the one check that enforces a
// range. Each engine keeps its table (snn/limits.hpp, soup/limits.hpp) as the only home of those
// rules and defaults: the engine checks every value against it (it must be safe on its own), and
// the bindings hand the table to Python (`_core.snn.limits()`), where config.py takes its
// defaults and checks the keys that feed an engine against the same rules. Python's own ranges
// are checked by this same code too (`_core.check_range`), so the check and its message exist
// once. A value outside its range throws std::invalid_argument naming the parameter (or the
// label the caller knows it by) and the range; the bindings turn it into ParameterError.
#pragma once
#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

namespace neurosys {

struct Limit {
  const char* name;
  double lo = -std::numeric_limits<double>::infinity();  // infinite: no bound on that side
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false, hi_open = false;
  double multiple_of = 0;  // 2: even numbers only (integers)
  const char* unit = "";   // after the range in messages
  const char* note = "";   // after the range in messages, e.g. "(0 = all)"
  double fallback = std::numeric_limits<double>::quiet_NaN();  // the default; NaN: none

  constexpr explicit Limit(const char* name_) : name(name_) {}
  constexpr Limit at_least(double v) const { return with_lo(v, false); }
  constexpr Limit above(double v) const { return with_lo(v, true); }
  constexpr Limit at_most(double v) const { return with_hi(v, false); }
  constexpr Limit below(double v) const { return with_hi(v, true); }
  constexpr Limit even() const { Limit l = *this; l.multiple_of = 2; return l; }
  constexpr Limit in_unit(const char* u) const { Limit l = *this; l.unit = u; return l; }
  constexpr Limit noted(const char* n) const { Limit l = *this; l.note = n; return l; }
  constexpr Limit by_default(double v) const { Limit l = *this; l.fallback = v; return l; }

 private:
  constexpr Limit with_lo(double v, bool open) const { Limit l = *this; l.lo = v; l.lo_open = open; return l; }
  constexpr Limit with_hi(double v, bool open) const { Limit l = *this; l.hi = v; l.hi_open = open; return l; }
};

// Shortest text that reads back as the same double ("0.01", "2147483648").
inline std::string number_text(double x) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, res.ptr);
}

// "in (0, 0.01] s", "finite and >= 0", "an even number in [2, 2147483648]", "finite".
inline std::string range_text(const Limit& l, bool integer) {
  const bool has_lo = std::isfinite(l.lo), has_hi = std::isfinite(l.hi);
  std::string s = l.multiple_of == 2 ? "an even number " : "";
  if (has_lo && has_hi) {
    s += std::string("in ") + (l.lo_open ? "(" : "[") + number_text(l.lo) + ", " + number_text(l.hi) +
         (l.hi_open ? ")" : "]");
  } else if (has_lo || has_hi) {
    if (!integer) s += "finite and ";
    s += has_lo ? std::string(l.lo_open ? "> " : ">= ") + number_text(l.lo)
                : std::string(l.hi_open ? "< " : "<= ") + number_text(l.hi);
  } else {
    s += "finite";
  }
  if (*l.unit) s += std::string(" ") + l.unit;
  if (*l.note) s += std::string(" ") + l.note;
  return s;
}

inline bool within(const Limit& l, double x) {
  if (!std::isfinite(x)) return false;
  if (l.lo_open ? !(x > l.lo) : !(x >= l.lo)) return false;
  if (l.hi_open ? !(x < l.hi) : !(x <= l.hi)) return false;
  return l.multiple_of == 0 || std::fmod(x, l.multiple_of) == 0;
}

// Throws std::invalid_argument "<label> must be <range>, got <value_text>".
[[noreturn]] inline void out_of_range(const Limit& l, bool integer, const std::string& value_text,
                                      const char* label = nullptr) {
  throw std::invalid_argument(std::string(label ? label : l.name) + " must be " + range_text(l, integer) +
                              ", got " + value_text);
}

// Returns x, or throws naming the parameter (or `label`, the name the caller's user wrote).
inline double check(const Limit& l, double x, const char* label = nullptr) {
  if (!within(l, x)) out_of_range(l, false, number_text(x), label);
  return x;
}
inline std::int64_t check(const Limit& l, std::int64_t x, const char* label = nullptr) {
  if (!within(l, static_cast<double>(x))) out_of_range(l, true, std::to_string(x), label);
  return x;
}

// x as the narrower integer type T, which holds every value of the limit's range: a value T
// cannot hold is outside the range, and is reported as the caller gave it.
template <class T>
T narrow(const Limit& l, std::int64_t x) {
  bool fits = x >= std::int64_t(std::numeric_limits<T>::min());
  if constexpr (sizeof(T) < sizeof(std::int64_t)) fits = fits && x <= std::int64_t(std::numeric_limits<T>::max());
  if (!fits) out_of_range(l, true, std::to_string(x));
  return T(x);
}

// Checks several values against their limits, in order (the first bad one is named).
inline void check_all(std::initializer_list<std::pair<const Limit&, double>> values) {
  for (const auto& [limit, x] : values) check(limit, x);
}

// A table as plain data for the bindings:
// name -> (lo, hi, lo_open, hi_open, multiple_of, default, unit, note).
using LimitRow = std::tuple<double, double, bool, bool, double, double, std::string, std::string>;
using LimitTable = std::map<std::string, LimitRow>;
template <std::size_t N>
LimitTable as_table(const Limit (&limits)[N]) {
  LimitTable t;
  for (const Limit& l : limits)
    t[l.name] = {l.lo, l.hi, l.lo_open, l.hi_open, l.multiple_of, l.fallback, l.unit, l.note};
  return t;
}

}  // namespace neurosys

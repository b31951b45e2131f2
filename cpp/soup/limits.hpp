// The accepted range of every numeric parameter of the soup engine. validate(SoupConfig) checks
// each value against this table, and `_core.soup.limits()` hands it to Python, so the rule for a
// parameter is written here only.
#pragma once
#include "common/limits.hpp"
#include "soup/interpreter.hpp"

namespace neurosys::soup::limits {

// programs interact in pairs, and the permutation holds 32-bit indices
inline constexpr Limit size = Limit("size").at_least(2).at_most(2147483648.0).even();
// a pair's tape (two programs) must fit the interpreter's tape
inline constexpr Limit program_length = Limit("program_length").at_least(1).at_most(kMaxTape / 2);
inline constexpr Limit mutation_rate = Limit("mutation_rate").at_least(0).at_most(1);
inline constexpr Limit max_steps = Limit("max_steps").at_least(1);
inline constexpr Limit threads = Limit("threads").at_least(0).noted("(0 = all)");

inline constexpr Limit kAll[] = {size, program_length, mutation_rate, max_steps, threads};

}  // namespace neurosys::soup::limits

// The accepted range and the default of every numeric parameter of the soup engine.
// validate(SoupConfig) checks each value against this table, SoupConfig and the bindings take
// their defaults from it, and `_core.soup.limits()` hands it to Python (the Soup class and the
// configuration), so the rule and the default of a parameter are written here only.
#pragma once
#include "common/limits.hpp"
#include "soup/interpreter.hpp"

namespace neurosys::soup::limits {

// programs interact in pairs, and the permutation holds 32-bit indices
inline constexpr Limit size = Limit("size").at_least(2).at_most(2147483648.0).even().by_default(1 << 17);
// a pair's tape (two programs) must fit the interpreter's tape
inline constexpr Limit program_length = Limit("program_length").at_least(1).at_most(kMaxTape / 2).by_default(64);
inline constexpr Limit mutation_rate = Limit("mutation_rate").at_least(0).at_most(1).by_default(1.0 / 4096.0);
inline constexpr Limit max_steps = Limit("max_steps").at_least(1).by_default(8192);
inline constexpr Limit threads = Limit("threads").at_least(0).noted("(0 = all)").by_default(0);

inline constexpr Limit kAll[] = {size, program_length, mutation_rate, max_steps, threads};

}  // namespace neurosys::soup::limits

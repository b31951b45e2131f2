// The accepted range (and, where one exists, the default) of every numeric parameter of the
// spiking network engine and of its preset network (snn.NeuromorphicNetwork), in the engine's
// own units (seconds, ohms, volts; delays, durations and sampling intervals in steps). The
// network checks each value against this table, and `_core.snn.limits()` hands it to Python
// (the Network class, the preset and the configuration), so the rule and the default of a
// parameter are written here only.
#pragma once
#include "common/limits.hpp"

namespace neurosys::snn::limits {

inline constexpr Limit dt = Limit("dt").above(0).at_most(0.01).in_unit("s").by_default(1e-4);
inline constexpr Limit threads = Limit("threads").at_least(1).at_most(1024);
inline constexpr Limit n = Limit("n").at_least(0).at_most(2147483648.0);
// the preset network: at least one excitatory and one inhibitory neuron
inline constexpr Limit n_neurons = Limit("n_neurons").at_least(2).at_most(2147483648.0).by_default(1000);
// neuron parameters
inline constexpr Limit tau_m = Limit("tau_m").above(0).in_unit("s");
inline constexpr Limit R_m = Limit("R_m").above(0).in_unit("ohm");
inline constexpr Limit v_rest = Limit("v_rest").in_unit("V");
inline constexpr Limit v_thresh = Limit("v_thresh").in_unit("V");
inline constexpr Limit v_reset = Limit("v_reset").in_unit("V");
inline constexpr Limit t_ref = Limit("t_ref").at_least(0).in_unit("s");
inline constexpr Limit tau_syn = Limit("tau_syn").above(0).in_unit("s").noted("(0 only for a delta current channel)");
inline constexpr Limit E_syn = Limit("E_syn").in_unit("V");
inline constexpr Limit rate = Limit("rate").at_least(0).in_unit("Hz");
// connections and plasticity
inline constexpr Limit p = Limit("p").at_least(0).at_most(1);
inline constexpr Limit weight = Limit("weight");
inline constexpr Limit delay = Limit("delay").at_least(1).at_most(100000).in_unit("steps").noted("(at least dt)");
inline constexpr Limit n_synapses = Limit("n_synapses").at_least(0).at_most(4294967295.0);
inline constexpr Limit weight_std = Limit("weight_std").at_least(0);
inline constexpr Limit delay_mean = Limit("delay_mean").at_least(0).at_most(0.025).in_unit("s").noted("(delays are stored as 1-255 steps)");
inline constexpr Limit delay_std = Limit("delay_std").at_least(0).in_unit("s");
inline constexpr Limit delay_min = Limit("delay_min").at_least(0).in_unit("s");
inline constexpr Limit tau_pre = Limit("tau_pre").above(0).in_unit("s");
inline constexpr Limit tau_post = Limit("tau_post").above(0).in_unit("s");
inline constexpr Limit A_plus = Limit("A_plus").at_least(0);
inline constexpr Limit A_minus = Limit("A_minus").at_least(0);
inline constexpr Limit w_min = Limit("w_min");
inline constexpr Limit w_max = Limit("w_max");
// monitors and runs
inline constexpr Limit every = Limit("every").at_least(1).in_unit("steps").noted("(at least dt)");
inline constexpr Limit duration = Limit("duration").at_least(0).in_unit("steps");

inline constexpr Limit kAll[] = {dt,      threads, n,       tau_m,    R_m,      v_rest, v_thresh,
                                 v_reset, t_ref,   tau_syn, E_syn,    rate,     p,      weight,
                                 delay,   n_synapses, weight_std, delay_mean, delay_std, delay_min,
                                 tau_pre, tau_post, A_plus,  A_minus,  w_min,  w_max,
                                 every,   duration, n_neurons};

}  // namespace neurosys::snn::limits

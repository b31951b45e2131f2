"""SI unit constants: every quantity in neurosys is a plain SI float; multiply by these to write
values readably (``20 * ms`` is 0.02 seconds). Each unit is an SI prefix times its base unit."""

# SI prefixes
kilo, mega = 1e3, 1e6
milli, micro, nano, pico = 1e-3, 1e-6, 1e-9, 1e-12

# base and derived SI units (the library's units: 1.0)
second = volt = ohm = siemens = amp = farad = Hz = 1.0

ms, us = milli * second, micro * second
mV = milli * volt
Mohm = mega * ohm
nS, uS = nano * siemens, micro * siemens
nA, pA = nano * amp, pico * amp
pF = pico * farad
kHz = kilo * Hz

__all__ = ["second", "ms", "us", "volt", "mV", "ohm", "Mohm", "siemens", "nS", "uS", "amp", "nA",
           "pA", "farad", "pF", "Hz", "kHz"]

"""SI unit constants: every quantity in neurosys is a plain SI float; multiply by these to write
values readably (``20 * ms`` is 0.02 seconds)."""

second = 1.0
ms = 1e-3
us = 1e-6
volt = 1.0
mV = 1e-3
ohm = 1.0
Mohm = 1e6
siemens = 1.0
nS = 1e-9
uS = 1e-6
amp = 1.0
nA = 1e-9
pA = 1e-12
farad = 1.0
pF = 1e-12
Hz = 1.0
kHz = 1e3

__all__ = ["second", "ms", "us", "volt", "mV", "ohm", "Mohm", "siemens", "nS", "uS", "amp", "nA",
           "pA", "farad", "pF", "Hz", "kHz"]

"""Settings shared by every test folder."""

import os

# llama.cpp, torch and the engines share two cores here: OpenMP threads that spin while idle
# (the GNU default) starve the others and turn a 0.5 s LLM decision into 10 s or more. Must be
# set before the first OpenMP runtime loads, hence here at collection start.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

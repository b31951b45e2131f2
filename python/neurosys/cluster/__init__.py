"""Scale-out on Ray: the Ray session helper, the component actors and the Ray runner.
Nothing here imports Ray at import time: ``import neurosys`` must stay free of it."""

# Type stubs for the private native module; each engine adds its submodule below.
from types import ModuleType

__version__: str
has_cuda: bool
has_openmp: bool

def cuda_device_count() -> int: ...
def resolve_device(device: str) -> str: ...

workspace: ModuleType
soup: ModuleType
snn: ModuleType

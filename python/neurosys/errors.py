"""The exceptions the native core raises: one base, ``CoreError``, and a subclass per condition.
``ParameterError`` is also the project's answer to bad input at every public entry point
(Python API, configuration, CLI, sweep file, NIR file): it names the argument and what is accepted.

Defined here once; ``neurosys._core`` imports this module when it loads and raises these classes
(cpp/bindings/errors.cpp). Each subclass also derives from the built-in exception that the core
raised before it had its own types, so existing ``except ValueError`` / ``except RuntimeError``
clauses keep working.
"""

from __future__ import annotations

__all__ = ["CoreError", "ParameterError", "WorkspaceFullError", "WorkspaceClosedError",
           "CorruptWorkspaceError"]


class CoreError(Exception):
    """Base class of the errors raised by the native core (``neurosys._core``)."""


class ParameterError(CoreError, ValueError):
    """An argument or parameter that was refused (out of range, wrong type or shape, unknown
    name), by the native core or by the Python layer in front of it."""


class WorkspaceFullError(CoreError, RuntimeError):
    """The workspace table has no room for another key."""


class WorkspaceClosedError(CoreError, ValueError):
    """The workspace handle was closed."""


class CorruptWorkspaceError(CoreError, ValueError):
    """A workspace segment, slot or stored value that does not decode: another layout, or bytes
    that some process wrote wrongly. The core refuses it rather than crash."""

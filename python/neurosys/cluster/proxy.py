"""One generic proxy for every component that runs in another Ray actor: ``ActorProxy`` forwards
exactly the methods of a component Protocol to the actor, and ``serve`` is the actor's side,
which answers exactly those methods on its local component. A call outside the Protocol fails
on either side, so what crosses the process boundary is what the Protocol declares."""

from __future__ import annotations

from typing import Any

from neurosys.run.components import EconomyComponent, RemoteSoup
from neurosys.errors import ParameterError
from neurosys.soup.islands import IslandSoup

__all__ = ["protocol_methods", "ActorProxy", "serve", "SOUP_CALLS", "ECONOMY_CALLS", "soup_proxy",
           "island_proxy", "economy_proxy"]


def protocol_methods(*protocols: type) -> frozenset[str]:
    """The public methods the Protocols declare (their own and their bases')."""
    names: set[str] = set()
    for protocol in protocols:
        for cls in protocol.__mro__:
            if cls is object or cls.__name__ in ("Protocol", "Generic"):
                continue
            names |= {n for n, v in vars(cls).items() if not n.startswith("_") and callable(v)}
    return frozenset(names)


class ActorProxy:
    """``protocol``'s methods, each a blocking call of ``actor.<endpoint>.remote(method, *args)``."""

    def __init__(self, protocol: type, actor: Any, endpoint: str) -> None:
        self._protocol, self._methods = protocol.__name__, protocol_methods(protocol)
        self._actor, self._endpoint = actor, endpoint

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_") or method not in self._methods:
            raise AttributeError(f"{self._protocol} has no method {method!r}")
        remote = getattr(self._actor, self._endpoint).remote

        def call(*args: Any, **kwargs: Any) -> Any:
            import ray

            return ray.get(remote(method, *args, **kwargs))

        call.__name__ = method
        return call


def serve(component: Any, methods: frozenset[str], method: str, *args: Any, **kwargs: Any) -> Any:
    """The actor's side of a proxy: ``component.<method>(*args)`` when ``method`` is one of
    ``methods`` (a ``protocol_methods`` set)."""
    if component is None:
        raise RuntimeError(f"this actor has no component to answer {method!r}")
    if method not in methods:
        raise ParameterError(f"method: expected one of {', '.join(sorted(methods))}, got {method!r}")
    return getattr(component, method)(*args, **kwargs)


# What other actors may call on this one's components, by Protocol (cluster.proxy).
SOUP_CALLS = protocol_methods(RemoteSoup, IslandSoup)
ECONOMY_CALLS = protocol_methods(EconomyComponent)


def soup_proxy(host: Any) -> RemoteSoup:
    """The soup of actor ``host`` as the agents steer it."""
    return ActorProxy(RemoteSoup, host, "soup_call")  # type: ignore[return-value]


def island_proxy(host: Any) -> IslandSoup:
    """The soup of actor ``host`` as the island model migrates it."""
    return ActorProxy(IslandSoup, host, "soup_call")  # type: ignore[return-value]


def economy_proxy(host: Any) -> EconomyComponent:
    """The economy of actor ``host`` (the ledger's one writer) as the pooled agents pay through it."""
    return ActorProxy(EconomyComponent, host, "economy_call")  # type: ignore[return-value]

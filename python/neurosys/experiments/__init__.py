"""Controlled experiments on the running parts (issue #15): the abiogenesis experiment (do
agents speed up the soup's transition?), lineage-based credit and survival statistics."""

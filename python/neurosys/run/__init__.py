"""The run itself: the orchestrator and what it is made of.

    system.py      ``System``: builds the components, runs each on its thread, stops them in order
    wiring.py      the composition root (``build_components``, ``Factories``)
    components.py  the Protocols each component satisfies (what the system and the agents call)
    commands.py    the command table and its one check;  control.py  commands through the workspace
    runner.py      one component's thread;  rundir.py  run directories and logging
    storage.py     ``RunStore``, the run's SQLite store;  report.py  the summary and progress line

This package imports nothing on its own, so a component that needs only a contract
(``components``, ``commands``, ``storage``) does not load the orchestrator.
"""

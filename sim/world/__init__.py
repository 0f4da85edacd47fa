"""The simulated world: the model (``model/``), a fast engine and a readable reference engine, the firm.

Read ``model/`` first (every equation, named and doctested), then ``reference/`` (the same model
as one SimPy process per customer). The fast engine (``engine.py`` wiring ``state``, ``logs``,
``lifecycle``, ``complaints``, ``surveys``, ``actions``, ``market`` and ``desk``) is what ``sim.run``
uses; ``firm.py`` carries out a policy through the ``FirmPort`` interface of ``observed.py``.
"""

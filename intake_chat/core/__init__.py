"""The pure core: flow files, the engine, answers, wording, the wire protocol, the linter and the
other rules that need no IO. Imports nothing from Flask, SQLAlchemy, ``safety``, ``app``, ``web``
or ``storage``.
"""

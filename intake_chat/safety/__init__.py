"""The safety layer: normalising what a visitor typed, the pattern language, the built-in floor and
the practice's rules, detection, the responses and their evaluation. Pure: imports nothing from
Flask, SQLAlchemy, ``app``, ``web`` or ``storage``.
"""

"""Flask blueprints, one module per surface (visitor chat, demo pages, staff console, live desk,
flow editor, notifications, integration API). Thin: they parse, authorise and hand over to ``app``.
"""

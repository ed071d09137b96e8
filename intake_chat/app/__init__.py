"""The running application without the web framework: the conversation service, the live desk,
flow publishing, retention, the notification worker and the runtime that holds them together.
Uses ``storage`` and ``core``; imports nothing from Flask.
"""

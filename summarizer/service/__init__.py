"""The HTTP service: API v1 and web pages over the same extractor, batch runner, store and merger.

Only the CLI imports this package (``summarizer serve``); the core never does (an
import-linter contract says so). ``app`` builds the ASGI app, ``api`` and ``pages`` are its
routes, ``core`` holds the service's state, ``jobs`` runs batch jobs, ``timeline_index`` keeps
the merged timeline in the store, ``auth``, ``limits`` and ``metrics`` guard and count.
"""

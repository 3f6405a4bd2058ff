"""The ASGI entry point for uvicorn workers: the one module that reads the environment."""

import gc

from forum.app import create_app
from forum.settings import Settings

app = create_app(Settings.from_environ())

# What the worker built to serve (modules, templates, routes) lives as long as it does: kept
# out of the collector's sight, a full collection walks only what requests leave behind.
gc.freeze()

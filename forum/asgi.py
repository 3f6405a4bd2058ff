"""The ASGI entry point for uvicorn workers: the one module that reads the environment."""

from forum.app import create_app
from forum.settings import Settings

app = create_app(Settings.from_environ())

"""Porchlight: a neighbourhood forum and mutual-aid board (the web app and its command line)."""

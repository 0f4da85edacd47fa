"""Browser tests: pages rendered in headless Chromium (a package, so its conftest has a name of its own)."""

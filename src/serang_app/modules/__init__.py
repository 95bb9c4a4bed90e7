"""The built-in modules (complaints, permits, appointments).

Each registers through the `serang_app.modules` entry point in pyproject.toml, exactly as a
third-party package would; the core never imports them by name.
"""

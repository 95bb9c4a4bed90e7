"""The home-screen catalogue: every public service the app offers, whichever module serves it."""

"""Typed form fields (Open311-style attributes) shared by modules: their schema and checks."""

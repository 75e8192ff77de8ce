"""Cadre's matching engine: pure Python with NumPy, SciPy and OR-Tools, never Django.

The engine takes plain arrays and dataclasses and returns assignments with explanations.
The ``cadre.matching`` app converts database rows to its inputs and back.
"""

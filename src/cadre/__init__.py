"""Cadre: a platform for running a leaders-coaching-leaders programme."""

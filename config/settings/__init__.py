"""Settings: base.py is what runs (from the environment); test.py adds test-only secrets."""

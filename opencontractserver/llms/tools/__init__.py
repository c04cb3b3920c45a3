"""The tools agents call. Each one enforces the asking user's permissions in the database and
takes document/corpus ids only from the turn's scope (or checks any id the model passes)."""

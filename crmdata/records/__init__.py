"""Text to checked records: the models, strict YAML reading, the parse cache, loading, the rules across
records (validate), problems and their text forms, JSON Schema."""

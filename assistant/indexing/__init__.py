"""Indexing: chunking, embedding, storing, lexical index, glossary and the build that joins them."""

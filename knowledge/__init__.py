"""The ISP's FAQ and rules for retrieval."""

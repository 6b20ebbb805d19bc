"""The LangGraph collector agent."""

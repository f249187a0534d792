"""The web pages for policy planners: server-rendered HTML over the same store and queries as the API."""

"""The explorer: server-rendered pages for reading the evidence in a browser, from the same services as the API."""

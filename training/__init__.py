"""Training pipelines for the project's own models (issue 20); run by `make models`, never by `make test`."""

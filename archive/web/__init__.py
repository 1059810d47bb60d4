"""The Datasette side of the archive: plugin hooks, pages, routes, templates."""

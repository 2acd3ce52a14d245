"""The published site: Markdown pages from the records, built by mkdocs-material through the `crm` plugin."""

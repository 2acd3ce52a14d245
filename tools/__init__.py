"""Developer tools that are not part of the installed crm: the demo-data generator."""

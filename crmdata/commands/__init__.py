"""`crm` subcommands beyond validate and schema, one module per area; registered in crmdata.cli."""

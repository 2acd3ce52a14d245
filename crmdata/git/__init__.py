"""What git knows: revisions and their scratch copies, change history, crm diff."""

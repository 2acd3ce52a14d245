"""What every room may use: file writes that never follow a link, worker processes that die with crm,
error classes carrying their exit code, text made visible for terminals and logs."""

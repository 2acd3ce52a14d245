"""crm-as-code: customer records as YAML files in git, checked, planned and reported by `crm`."""

__version__ = "0.1.0"

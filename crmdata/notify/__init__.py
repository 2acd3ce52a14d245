"""Messages out: each owner's digest worded for a chat robot, a JSON webhook or e-mail, and sent.

The only room that talks to the network; secrets come from environment variables named in crm.yaml."""

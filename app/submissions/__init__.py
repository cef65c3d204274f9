"""The submission core: states, models, the one workflow, deadlines, tracking codes, lookups,
attachments and the messages a step produces. It imports no feature area; feedback, tracking,
the desk and the API stand on it."""

# The plugin template is copied by authors, not installed or tested here.
collect_ignore = ["contrib/template"]

"""arshif, the application: the command line, demo, schedule, onboarding and reindex.

The only package that imports crawler, pipelines, samples and archive together.
"""

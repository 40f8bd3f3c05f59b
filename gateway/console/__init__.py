"""The agents' console: Django templates with htmx, in the one catalog's languages.

Views call `gateway.publishing` for every workflow step, as the API does.
"""

"""Provider webhooks: plain Django views, each request authenticated by the provider's signature."""

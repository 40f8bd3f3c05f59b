from django.apps import AppConfig


class GatewayConfig(AppConfig):
    name = "gateway"
    verbose_name = "Crieur"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from channels.email import use_esp_transport
        from gateway import checks  # noqa: F401  (registers the system checks)
        from gateway.audience import suppression  # noqa: F401  (registers its system check)
        from gateway.messaging.esp import AnymailTransport
        from gateway.routing import audience_version

        audience_version.connect()
        use_esp_transport(AnymailTransport)

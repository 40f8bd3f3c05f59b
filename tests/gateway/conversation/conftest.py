import pytest

from tests.gateway.conversation.factories import PUBLIC, SENDER, TOKEN


@pytest.fixture(autouse=True)
def _twilio_settings(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_URL = PUBLIC


@pytest.fixture
def org(transactional_db):
    from tests.factories import create_organisation

    return create_organisation(
        sms_sender=SENDER, voice_sender="+33757000001", sms_signature="Mairie St-Crieur"
    )

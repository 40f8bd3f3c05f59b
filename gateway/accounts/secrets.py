"""Secrets of provider accounts, encrypted at rest with Fernet (`cryptography`).

The keys are `settings.SECRETS_KEYS` (`CRIEUR_SECRETS_KEY`, a comma-separated list): the first
encrypts, every one decrypts (`MultiFernet`). To rotate: put a new key first and keep the old
ones after it, run `crieur accounts rotate-keys` (every secret encrypted again with the new
key), then drop the old keys. Without any key (the newcomer default, never with
`CRIEUR_ENV=production`) one is generated once in the data folder, readable by its owner only.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretsKeyError(Exception):
    """The encryption keys are missing or malformed: nothing can be encrypted nor read."""


class UndecryptableError(Exception):
    """A stored secret cannot be read with the current keys (an old key was dropped too soon)."""


def new_key() -> str:
    return Fernet.generate_key().decode()


def _file_key(path: Path) -> str:
    """The generated key of the data folder; made at first use (the first process wins)."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it meanwhile
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(new_key() + "\n")
    return path.read_text().strip()


def keys() -> tuple[str, ...]:
    if settings.SECRETS_KEYS:
        return tuple(settings.SECRETS_KEYS)
    if settings.SECRETS_KEY_FILE is None:
        raise SecretsKeyError(
            "CRIEUR_SECRETS_KEY is not set (required with CRIEUR_ENV=production); "
            "make one with `crieur accounts new-key`"
        )
    return (_file_key(Path(settings.SECRETS_KEY_FILE)),)


@lru_cache(maxsize=4)
def _cipher(current: tuple[str, ...]) -> MultiFernet:
    fernets = []
    for number, key in enumerate(current, 1):
        try:
            fernets.append(Fernet(key.encode()))
        except ValueError:
            raise SecretsKeyError(
                f"CRIEUR_SECRETS_KEY: key {number} is not a Fernet key (32 url-safe base64 "
                "bytes); make one with `crieur accounts new-key`"
            ) from None
    return MultiFernet(fernets)


def cipher() -> MultiFernet:
    return _cipher(keys())


def seal(values: dict[str, str]) -> str:
    """The secret values as one token (empty when there are none)."""
    if not values:
        return ""
    return cipher().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def unseal(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        return json.loads(cipher().decrypt(token.encode()))
    except InvalidToken:
        raise UndecryptableError(
            "its secrets cannot be decrypted with CRIEUR_SECRETS_KEY (was the key that "
            "encrypted them removed?); give them again"
        ) from None


def rotate(token: str) -> str:
    """The same secrets encrypted with the first key (raises UndecryptableError)."""
    if not token:
        return token
    try:
        return cipher().rotate(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableError("cannot be decrypted with any key of CRIEUR_SECRETS_KEY") from None

"""The hub's Ed25519 key pair: signs offline packs; clients pin the public key.

The private key lives in the hub's data dir, created with mode 0600 on first use and never
served.  Replicas that should sign alike must share the data dir's key file.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent_assist.core.knowledge.signing import fingerprint
from agent_assist.hub.db import HubStoreError

KEY_FILE = "hub-signing-key.pem"


def load_or_create_key(data_dir: Path) -> Ed25519PrivateKey:
    path = data_dir / KEY_FILE
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another replica or command created it first
            else:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(pem)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise HubStoreError(f"cannot read or create the hub key {path}: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise HubStoreError(f"the hub key {path} is not an Ed25519 key")
    return key


def public_key_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def key_info(key: Ed25519PrivateKey) -> dict[str, str]:
    public = public_key_b64(key)
    return {"algorithm": "ed25519", "public_key": public, "fingerprint": fingerprint(public)}

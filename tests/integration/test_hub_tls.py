"""``agent-assist-hub serve --tls-cert/--tls-key``: HTTPS without a proxy, trusted by the
client through the ``ca_bundle`` setting (a certificate made here by ``cryptography``)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from agent_assist.sync.client import HubClient, make_http
from agent_assist.sync.errors import HubUnreachableError
from tests.integration.hubserver import START_TIMEOUT, RunningHub


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate for 127.0.0.1 it signed: (ca, cert, key) PEM files."""
    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("agent-assist test CA"))
        .issuer_name(_name("agent-assist test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .add_extension(x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "hub.pem", folder / "hub.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@dataclass
class TlsHub(RunningHub):
    ca: Path | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def _wait_healthy(self) -> None:
        context = ssl.create_default_context(cafile=str(self.ca))
        gave_up = time.monotonic() + START_TIMEOUT
        while True:
            try:
                httpx.get(f"{self.url}/healthz", verify=context, timeout=10).raise_for_status()
                return
            except httpx.ConnectError:
                if time.monotonic() > gave_up or (self.process and self.process.poll()):
                    raise
                threading.Event().wait(0.05)


@pytest.fixture
def tls_hub(tmp_path: Path) -> TlsHub:
    ca, cert, key = make_certificates(tmp_path)
    tls = ["--tls-cert", str(cert), "--tls-key", str(key)]
    return TlsHub(tmp_path / "hub", None, "sqlite", extra_args=tls, ca=ca)


def test_the_hub_serves_https_that_the_client_trusts_through_ca_bundle(
    tls_hub: TlsHub,
) -> None:
    token = tls_hub.create_token("agent-tls", "agent")
    tls_hub.start()
    try:
        assert tls_hub.ca is not None
        with HubClient(make_http(tls_hub.url, str(tls_hub.ca)), token) as client:
            assert client.whoami().name == "agent-tls"
            assert client.trusted_transport
        with pytest.raises(HubUnreachableError, match="ca_bundle"):  # the system CAs only
            HubClient(make_http(tls_hub.url), token).whoami()
        with pytest.raises(httpx.HTTPError):  # no plain HTTP on the TLS port
            httpx.get(f"http://127.0.0.1:{tls_hub.port}/healthz", timeout=10)
    finally:
        tls_hub.stop()


def test_tls_needs_both_files(tmp_path: Path) -> None:
    import subprocess
    import sys

    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent_assist.hub.cli",
            "serve",
            "--data-dir",
            str(tmp_path),
            "--tls-cert",
            str(tmp_path / "hub.pem"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1 and "--tls-cert and --tls-key go together" in run.stderr

"""The certificates the TLS peer serves: one trusted CA and the leaves the checks need.

They are made with trustme (a library for exactly this: throwaway CAs and leaves for tests),
once per grading run, in a private temporary folder that is removed with the set; the learner's
program gets only the path of the trusted CA's PEM file, its ``cafile``. Every leaf conforms to
RFC 5280 (key identifiers, basic constraints, subject alternative names), so every common
client style verifies them alike: what a client accepts depends on its settings, not on
quirks of the certificates.

The names in them are fixed (trustme would add a random unit name), so a message that shows
a certificate's subject and issuer reads the same in every run.
"""

import datetime
import ipaddress
import tempfile
from dataclasses import dataclass
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from grader.peers import run_state

ORGANIZATION = "netkata"
GOOD_NAMES = ("localhost", "127.0.0.1")


@dataclass(frozen=True)
class Case:
    """One certificate the server can present, and what a correct client makes of it."""

    name: str  # the word for it on the command line: good, wrong-name, ...
    what: str  # in the learner's words
    verdict: str | None  # the reason in a correct client's SSLCertVerificationError (None: it verifies)


CASES = {case.name: case for case in (
    Case("good", "a certificate for localhost and 127.0.0.1, issued by the CA in cafile", None),
    Case("localhost-only", "a certificate for localhost only (no IP address in it), issued by the CA in cafile",
         "IP address mismatch, certificate is not valid for '127.0.0.1'"),
    Case("wrong-name", "a certificate for www.example.org only, issued by the CA in cafile",
         "Hostname mismatch, certificate is not valid for 'localhost'"),
    Case("expired", "a certificate for localhost and 127.0.0.1 that expired yesterday",
         "certificate has expired"),
    Case("not-yet-valid", "a certificate for localhost and 127.0.0.1 valid from tomorrow on",
         "certificate is not yet valid"),
    Case("untrusted", "a certificate for localhost and 127.0.0.1 issued by a CA that is not in cafile",
         "unable to get local issuer certificate"),
    Case("self-signed", "a self-signed certificate for localhost and 127.0.0.1 (its own issuer, in no CA file)",
         "self-signed certificate"),
)}


class CertificateSet:
    """Every case's certificate chain and key as PEM files in one private folder, and the CA file.

    Made once per grading run (``for_this_run``); the folder goes with ``close()``, which the
    kata calls after its last check (or when the set is collected, in a process that ends normally). ECDSA keys, as trustme makes by default: milliseconds to make, so the whole set
    costs a few milliseconds of a run.
    """

    def __init__(self, folder=None):
        self._temporary = None if folder else tempfile.TemporaryDirectory(prefix="netkata-tls-")
        self.folder = Path(folder or self._temporary.name)
        self.folder.mkdir(parents=True, exist_ok=True)
        now = datetime.datetime.now(datetime.timezone.utc)
        day = datetime.timedelta(days=1)
        ca = trustme.CA(organization_name=ORGANIZATION, organization_unit_name="netkata test CA")
        other = trustme.CA(organization_name="somebody else", organization_unit_name="a CA not in cafile")
        ca.cert_pem.write_to_path(str(self.folder / "ca.pem"))
        # The learner's program reads cafile: a copy where the sandbox lets it (grader/peers/run_state.py).
        self.cafile = run_state.current().owned(run_state.HandedOver).place(self.folder / "ca.pem", "ca.pem")

        def leaf(issuer, *names, **validity):
            return issuer.issue_cert(*names, common_name=names[0], organization_name=ORGANIZATION,
                                     organization_unit_name="netkata test server", **validity)

        leaves = {
            "good": leaf(ca, *GOOD_NAMES),
            "localhost-only": leaf(ca, "localhost"),
            "wrong-name": leaf(ca, "www.example.org"),
            "expired": leaf(ca, *GOOD_NAMES, not_before=now - 30 * day, not_after=now - day),
            "not-yet-valid": leaf(ca, *GOOD_NAMES, not_before=now + day, not_after=now + 30 * day),
            "untrusted": leaf(other, *GOOD_NAMES),
        }
        self._files = {}
        for name, cert in leaves.items():
            chain, key = self.folder / f"{name}.pem", self.folder / f"{name}.key"
            chain.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
            key.write_bytes(cert.private_key_pem.bytes())
            self._files[name] = (chain, key)
        self._files["self-signed"] = _self_signed(self.folder, now)

    def files(self, case):
        """(chain file, key file) of a case, for SSLContext.load_cert_chain."""
        return self._files[case]

    def describe(self, case):
        """Subject, issuer and validity of a case's leaf, in one line."""
        chain, _ = self._files[case]
        cert = x509.load_pem_x509_certificates(chain.read_bytes())[0]
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        shown = ", ".join(str(n.value) for n in names)
        return (f"subject {cert.subject.rfc4514_string()}, names {shown}; issuer {cert.issuer.rfc4514_string()}; "
                f"valid {_day(cert.not_valid_before_utc)} to {_day(cert.not_valid_after_utc)}")

    def close(self):
        if self._temporary is not None:
            self._temporary.cleanup()


def for_this_run():
    """The grading run's one set, made at first use (grader/peers/run_state.py)."""
    return run_state.current().owned(CertificateSet)


def _day(moment):
    """A validity date, relative to today when near it (so the message is the same every day)."""
    today = datetime.datetime.now(datetime.timezone.utc).date()
    delta = (moment.date() - today).days
    if abs(delta) > 60:
        return f"{moment:%Y-%m-%d}"
    return {-1: "yesterday", 0: "today", 1: "tomorrow"}.get(delta, f"{-delta} days ago" if delta < 0 else f"in {delta} days")


def _self_signed(folder, now):
    """A leaf that is its own issuer: trustme issues only from a CA, so it is made here, with the
    same extensions as trustme's leaves (RFC 5280: key identifiers, not a CA, server auth)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "self-signed"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    identifier = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc))
            .not_valid_after(datetime.datetime(3000, 1, 1, tzinfo=datetime.timezone.utc))
            .add_extension(identifier, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(identifier), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(key, hashes.SHA256()))
    chain, key_file = folder / "self-signed.pem", folder / "self-signed.key"
    chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return chain, key_file

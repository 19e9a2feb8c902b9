"""ANS-104 data items: parse, verify, derive the id and owner address, and (for tests) sign.

Layout (all integers little-endian): signature type (u16), signature, owner (public key),
target flag + 32 bytes, anchor flag + 32 bytes, tag count (u64), tag byte length (u64), the tags
as an Avro array of ``{name, value}`` records, then the data.  The signature covers the SHA-384
"deep hash" of ``["dataitem", "1", <type>, owner, target, anchor, tag bytes, data]``.

Supported signature types: 1 (Arweave RSA-PSS 4096, SHA-256), 2 (Ed25519), 3 (Ethereum
secp256k1 over the EIP-191 hash of the deep hash).  Others are refused with a clear reason.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from Crypto.Hash import keccak
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature

from harness.errors import DataItemError  # defined in harness.errors; importable from here too

MIN_ITEM_SIZE = 80
MAX_TAG_BYTES = 4096

ARWEAVE, ED25519, ETHEREUM = 1, 2, 3

#: signature type -> (name, signature length, owner length)
SIGNATURE_TYPES: dict[int, tuple[str, int, int]] = {
    1: ("Arweave (RSA-PSS 4096)", 512, 512),
    2: ("Ed25519", 64, 32),
    3: ("Ethereum (secp256k1)", 65, 65),
    4: ("Solana", 64, 32),
    5: ("InjectedAptos", 64, 32),
    6: ("MultiAptos", 2052, 1025),
    7: ("TypedEthereum", 65, 42),
}
VERIFIED_TYPES = frozenset({ARWEAVE, ED25519, ETHEREUM})


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum uses it (the original padding, not NIST SHA3-256)."""
    return keccak.new(digest_bits=256, data=data).digest()


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class DataItem:
    """A parsed (not necessarily verified) data item."""

    signature_type: int
    signature: bytes
    owner_key: bytes
    target: bytes
    anchor: bytes
    tag_bytes: bytes
    tags: tuple[tuple[str, str], ...]
    data: bytes
    raw: bytes

    @property
    def id(self) -> str:
        """base64url(sha256(signature)): 43 characters."""
        return b64url(hashlib.sha256(self.signature).digest())

    @property
    def owner(self) -> str:
        """The owner's address: ``0x`` + EIP-55 for Ethereum keys, else base64url(sha256(key))."""
        if self.signature_type == ETHEREUM:
            return eth_address(self.owner_key)
        return b64url(hashlib.sha256(self.owner_key).digest())

    @property
    def target_id(self) -> str | None:
        return b64url(self.target) if self.target else None

    @property
    def anchor_text(self) -> str | None:
        if not self.anchor:
            return None
        try:
            return self.anchor.decode("utf-8")
        except UnicodeDecodeError:
            return b64url(self.anchor)

    def tag(self, name: str) -> str | None:
        return next((v for k, v in self.tags if k == name), None)

    def data_text(self) -> str:
        """The data as text (items whose data is not UTF-8 are refused by ``parse(text_data=True)``)."""
        return self.data.decode("utf-8")

    def signed_message(self) -> bytes:
        return deep_hash(
            [
                b"dataitem",
                b"1",
                str(self.signature_type).encode(),
                self.owner_key,
                self.target,
                self.anchor,
                self.tag_bytes,
                self.data,
            ]
        )


# -- deep hash --------------------------------------------------------------------------------


def _sha384(b: bytes) -> bytes:
    return hashlib.sha384(b).digest()


def deep_hash(item: bytes | list) -> bytes:  # type: ignore[type-arg]
    """ANS-104 deep hash (SHA-384) of a blob or a (nested) list of blobs."""
    if isinstance(item, list):
        acc = _sha384(b"list" + str(len(item)).encode())
        for child in item:
            acc = _sha384(acc + deep_hash(child))
        return acc
    return _sha384(_sha384(b"blob" + str(len(item)).encode()) + _sha384(item))


# -- Avro tags --------------------------------------------------------------------------------


def _zigzag(n: int) -> bytes:
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        byte = z & 0x7F
        z >>= 7
        if z:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode_tags(tags: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> bytes:
    if not tags:
        return b""
    out = bytearray(_zigzag(len(tags)))
    for name, value in tags:
        for s in (name, value):
            raw = s.encode("utf-8")
            out += _zigzag(len(raw)) + raw
    out.append(0)
    return bytes(out)


class _Reader:
    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.pos = 0

    def long(self) -> int:
        shift = 0
        z = 0
        while True:
            if self.pos >= len(self.raw):
                raise DataItemError("tags: truncated Avro number")
            b = self.raw[self.pos]
            self.pos += 1
            z |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
            if shift > 63:
                raise DataItemError("tags: Avro number too long")
        return (z >> 1) ^ -(z & 1)

    def string(self) -> str:
        n = self.long()
        if n < 0 or self.pos + n > len(self.raw):
            raise DataItemError("tags: a tag string runs past the tag bytes")
        chunk = self.raw[self.pos : self.pos + n]
        self.pos += n
        try:
            return chunk.decode("utf-8")
        except UnicodeDecodeError:
            raise DataItemError("tags: a tag name or value is not UTF-8") from None


def decode_tags(raw: bytes) -> tuple[tuple[str, str], ...]:
    if not raw:
        return ()
    r = _Reader(raw)
    tags: list[tuple[str, str]] = []
    while True:
        count = r.long()
        if count == 0:
            break
        if count < 0:
            count = -count
            r.long()  # block size in bytes
        if count > len(raw):  # every tag takes at least two bytes: a lying count
            raise DataItemError(f"tags: a block claims {count} tags in {len(raw)} bytes")
        for _ in range(count):
            tags.append((r.string(), r.string()))
    if r.pos != len(raw):
        raise DataItemError(f"tags: {len(raw) - r.pos} bytes left after the Avro array")
    return tuple(tags)


# -- parsing ----------------------------------------------------------------------------------


def parse(raw: bytes) -> DataItem:
    """Parse *raw* as a data item; ``DataItemError`` says what is wrong.  Does not verify."""
    if len(raw) < MIN_ITEM_SIZE:
        raise DataItemError(f"a data item is at least {MIN_ITEM_SIZE} bytes; got {len(raw)}")
    sig_type = int.from_bytes(raw[0:2], "little")
    if sig_type not in SIGNATURE_TYPES:
        raise DataItemError(f"unknown signature type {sig_type}")
    _, sig_len, owner_len = SIGNATURE_TYPES[sig_type]
    pos = 2
    need = pos + sig_len + owner_len + 2
    if len(raw) < need:
        raise DataItemError(f"item too short for a signature type {sig_type} header")
    signature = raw[pos : pos + sig_len]
    pos += sig_len
    owner_key = raw[pos : pos + owner_len]
    pos += owner_len
    fields: list[bytes] = []
    for what in ("target", "anchor"):
        if pos >= len(raw):
            raise DataItemError(f"item ends before the {what} flag")
        flag = raw[pos]
        pos += 1
        if flag == 0:
            fields.append(b"")
        elif flag == 1:
            if pos + 32 > len(raw):
                raise DataItemError(f"item ends inside the {what}")
            fields.append(raw[pos : pos + 32])
            pos += 32
        else:
            raise DataItemError(f"{what} flag is {flag}; it must be 0 or 1")
    if pos + 16 > len(raw):
        raise DataItemError("item ends before the tag header")
    n_tags = int.from_bytes(raw[pos : pos + 8], "little")
    n_bytes = int.from_bytes(raw[pos + 8 : pos + 16], "little")
    pos += 16
    if n_bytes > MAX_TAG_BYTES:
        raise DataItemError(f"tags take {n_bytes} bytes; at most {MAX_TAG_BYTES} are allowed")
    if pos + n_bytes > len(raw):
        raise DataItemError("item ends inside the tags")
    tag_bytes = raw[pos : pos + n_bytes]
    pos += n_bytes
    tags = decode_tags(tag_bytes)
    if len(tags) != n_tags:
        raise DataItemError(f"the header says {n_tags} tags but the tag bytes hold {len(tags)}")
    return DataItem(
        signature_type=sig_type,
        signature=signature,
        owner_key=owner_key,
        target=fields[0],
        anchor=fields[1],
        tag_bytes=tag_bytes,
        tags=tags,
        data=raw[pos:],
        raw=raw,
    )


# -- verification -----------------------------------------------------------------------------


def _eip191(message: bytes) -> bytes:
    return keccak256(b"\x19Ethereum Signed Message:\n" + str(len(message)).encode() + message)


def eth_address(key: bytes) -> str:
    """EIP-55 checksummed address of an uncompressed secp256k1 public key (65 bytes, 0x04...)."""
    body = key[1:] if len(key) == 65 else key
    addr = keccak256(body)[-20:].hex()
    check = keccak256(addr.encode()).hex()
    return "0x" + "".join(c.upper() if int(check[i], 16) >= 8 else c for i, c in enumerate(addr))


def verify(item: DataItem) -> None:
    """Raise ``DataItemError`` unless *item*'s signature is valid for its owner key."""
    if item.signature_type not in VERIFIED_TYPES:
        name = SIGNATURE_TYPES[item.signature_type][0]
        raise DataItemError(
            f"signature type {item.signature_type} ({name}) is not supported here; use an Arweave, "
            "Ed25519 or Ethereum key"
        )
    if not any(item.signature):
        raise DataItemError("the data item is not signed (its signature is all zero bytes)")
    message = item.signed_message()
    try:
        if item.signature_type == ARWEAVE:
            n = int.from_bytes(item.owner_key, "big")
            if n.bit_length() < 1024:
                raise DataItemError("the owner is not an RSA public key")
            pub = rsa.RSAPublicNumbers(65537, n).public_key()
            pub.verify(
                item.signature,
                message,
                padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO),
                hashes.SHA256(),
            )
        elif item.signature_type == ED25519:
            ed25519.Ed25519PublicKey.from_public_bytes(item.owner_key).verify(item.signature, message)
        else:
            if item.owner_key[0] != 4:
                raise DataItemError("the Ethereum owner key must be an uncompressed key (0x04...)")
            pub_ec = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), item.owner_key)
            r = int.from_bytes(item.signature[:32], "big")
            s = int.from_bytes(item.signature[32:64], "big")
            pub_ec.verify(encode_dss_signature(r, s), _eip191(message), ec.ECDSA(Prehashed(hashes.SHA256())))
    except InvalidSignature:
        raise DataItemError("the signature does not match the item's owner and content") from None
    except ValueError as exc:
        if isinstance(exc, DataItemError):
            raise
        raise DataItemError(f"the owner key is not a valid public key ({exc})") from None


def parse_verified(raw: bytes) -> DataItem:
    item = parse(raw)
    verify(item)
    return item


# -- building and signing (tests, tools) ------------------------------------------------------


@dataclass
class Signer:
    """A private key that signs data items (type 1, 2 or 3)."""

    signature_type: int
    key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey

    @classmethod
    def arweave(cls, bits: int = 4096) -> Signer:
        return cls(ARWEAVE, rsa.generate_private_key(public_exponent=65537, key_size=bits))

    @classmethod
    def ed25519(cls) -> Signer:
        return cls(ED25519, ed25519.Ed25519PrivateKey.generate())

    @classmethod
    def ethereum(cls) -> Signer:
        return cls(ETHEREUM, ec.generate_private_key(ec.SECP256K1()))

    @property
    def owner_key(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.public_key().public_numbers().n.to_bytes(512, "big")
        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            return self.key.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
        return self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    def sign(self, message: bytes) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(
                message,
                padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH),
                hashes.SHA256(),
            )
        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            return self.key.sign(message)
        der = self.key.sign(_eip191(message), ec.ECDSA(Prehashed(hashes.SHA256())))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big") + b"\x1b"


def build(
    signer: Signer | None,
    *,
    tags: list[tuple[str, str]] | tuple[tuple[str, str], ...] = (),
    data: bytes | str = b"",
    target: str | None = None,
    anchor: str | bytes | None = None,
    signature_type: int = ARWEAVE,
    owner_key: bytes | None = None,
) -> bytes:
    """The bytes of a data item, signed by *signer* (``None``: an all-zero signature)."""
    sig_type = signer.signature_type if signer else signature_type
    _, sig_len, owner_len = SIGNATURE_TYPES[sig_type]
    owner = signer.owner_key if signer else (owner_key or b"\x01" * owner_len)
    data_b = data.encode() if isinstance(data, str) else data
    target_b = b64url_decode(target) if target else b""
    anchor_b = anchor.encode() if isinstance(anchor, str) else (anchor or b"")
    if (target_b and len(target_b) != 32) or (anchor_b and len(anchor_b) != 32):
        raise ValueError("target and anchor must be 32 bytes")
    tag_bytes = encode_tags(list(tags))
    unsigned = DataItem(sig_type, b"", owner, target_b, anchor_b, tag_bytes, tuple(tags), data_b, b"")
    signature = signer.sign(unsigned.signed_message()) if signer else b"\x00" * sig_len
    return b"".join(
        [
            sig_type.to_bytes(2, "little"),
            signature,
            owner,
            (b"\x01" + target_b) if target_b else b"\x00",
            (b"\x01" + anchor_b) if anchor_b else b"\x00",
            len(tags).to_bytes(8, "little"),
            len(tag_bytes).to_bytes(8, "little"),
            tag_bytes,
            data_b,
        ]
    )

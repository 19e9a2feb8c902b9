"""ANS-104 data items: parsing, ids, owners and signature checks for every supported key type."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.devnet import dataitem
from harness.devnet.dataitem import DataItemError, keccak256

TARGET = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFE"
TAGS = [("Action", "Ping"), ("Data-Protocol", "ao"), ("Ünïcode", "välue ✓")]


@pytest.fixture(scope="module", params=["arweave", "ed25519", "ethereum"])
def signer(request: pytest.FixtureRequest, arweave_signer: dataitem.Signer) -> dataitem.Signer:
    if request.param == "arweave":
        return arweave_signer
    return dataitem.Signer.ed25519() if request.param == "ed25519" else dataitem.Signer.ethereum()


def test_keccak256_known_vectors() -> None:
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"abc").hex() == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    # longer than one 136-byte block: the permutation runs more than once
    assert keccak256(b"a" * 200) != keccak256(b"a" * 199)


def test_eip55_address_of_a_known_key() -> None:
    # private key 1: its public key is the secp256k1 generator G
    g = bytes.fromhex(
        "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
        "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"
    )
    assert dataitem.eth_address(g) == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"


def test_round_trip_with_target_anchor_tags_and_data(signer: dataitem.Signer) -> None:
    raw = dataitem.build(signer, tags=TAGS, data="hello", target=TARGET, anchor="a" * 32)
    item = dataitem.parse_verified(raw)
    assert item.signature_type == signer.signature_type
    assert item.tags == tuple(TAGS)
    assert item.data == b"hello"
    assert item.target_id == TARGET
    assert item.anchor_text == "a" * 32
    assert item.id == dataitem.b64url(hashlib.sha256(item.signature).digest())
    assert len(item.id) == 43
    if signer.signature_type == dataitem.ETHEREUM:
        assert item.owner.startswith("0x") and len(item.owner) == 42
    else:
        assert item.owner == dataitem.b64url(hashlib.sha256(signer.owner_key).digest())


def test_empty_tags_and_no_target(signer: dataitem.Signer) -> None:
    item = dataitem.parse_verified(dataitem.build(signer, data=b"\x00\x01binary"))
    assert item.tags == () and item.target_id is None and item.anchor_text is None
    assert item.data == b"\x00\x01binary"


def test_tampered_data_fails_verification(signer: dataitem.Signer) -> None:
    raw = dataitem.build(signer, tags=TAGS, data="hello")
    bad = raw[:-1] + b"j"
    with pytest.raises(DataItemError, match="signature does not match"):
        dataitem.parse_verified(bad)


def test_tampered_tag_fails_verification(signer: dataitem.Signer) -> None:
    raw = dataitem.build(signer, tags=[("Action", "Ping")], data="x")
    bad = raw.replace(b"Ping", b"Pong")
    with pytest.raises(DataItemError, match="signature does not match"):
        dataitem.parse_verified(bad)


def test_another_owner_key_fails_verification(arweave_signer: dataitem.Signer) -> None:
    other = dataitem.Signer.ed25519()
    raw = bytearray(dataitem.build(other, data="x"))
    raw[2 + 64 : 2 + 64 + 32] = dataitem.Signer.ed25519().owner_key
    with pytest.raises(DataItemError, match="signature does not match"):
        dataitem.parse_verified(bytes(raw))


@pytest.mark.parametrize("sig_type", [1, 2, 3])
def test_unsigned_item_is_refused(sig_type: int) -> None:
    raw = dataitem.build(None, signature_type=sig_type, tags=TAGS, data="x")
    assert dataitem.parse(raw).tags == tuple(TAGS)  # well formed...
    with pytest.raises(DataItemError, match="not signed"):
        dataitem.parse_verified(raw)  # ...but not signed


def test_unsupported_signature_type_is_named() -> None:
    raw = dataitem.build(None, signature_type=4, data="x")
    with pytest.raises(DataItemError, match=r"signature type 4 \(Solana\) is not supported"):
        dataitem.parse_verified(raw)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda raw: raw[:50], "at least 80 bytes"),
        (lambda raw: b"\x63\x00" + raw[2:], "unknown signature type 99"),
        (lambda raw: raw[:600], "item too short|ends"),
        (lambda raw: raw[: 2 + 512 + 512] + b"\x07" + raw[2 + 512 + 512 + 1 :], "target flag is 7"),
    ],
    ids=["too-short", "unknown-type", "truncated", "bad-flag"],
)
def test_malformed_items(arweave_signer: dataitem.Signer, mutate, reason: str) -> None:  # type: ignore[no-untyped-def]
    raw = dataitem.build(arweave_signer, tags=TAGS, data="hello")
    with pytest.raises(DataItemError, match=reason):
        dataitem.parse(mutate(raw))


def test_tag_count_must_match_the_header(arweave_signer: dataitem.Signer) -> None:
    raw = bytearray(dataitem.build(arweave_signer, tags=TAGS, data="x"))
    at = 2 + 512 + 512 + 1 + 1  # no target, no anchor: the tag count follows
    raw[at : at + 8] = (5).to_bytes(8, "little")
    with pytest.raises(DataItemError, match="header says 5 tags but the tag bytes hold 3"):
        dataitem.parse(bytes(raw))


def test_oversized_tag_section_is_refused(arweave_signer: dataitem.Signer) -> None:
    raw = bytearray(dataitem.build(arweave_signer, tags=TAGS, data="x"))
    at = 2 + 512 + 512 + 1 + 1 + 8
    raw[at : at + 8] = (5000).to_bytes(8, "little")
    with pytest.raises(DataItemError, match="at most 4096"):
        dataitem.parse(bytes(raw))


def test_avro_negative_block_count_is_read() -> None:
    # one block of -1 records followed by its byte size, then the terminator
    body = dataitem.encode_tags([("a", "b")])[1:-1]
    raw = bytes([0x01]) + bytes([len(body) * 2]) + body + b"\x00"
    assert dataitem.decode_tags(raw) == (("a", "b"),)


def test_trailing_bytes_after_tags_are_refused() -> None:
    with pytest.raises(DataItemError, match="left after"):
        dataitem.decode_tags(dataitem.encode_tags([("a", "b")]) + b"\x00")


HERE = Path(__file__).resolve().parent


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.skipif(
    not (HERE / "node_modules" / "@dha-team" / "arbundles").is_dir(),
    reason="tests/devnet/node_modules is missing: run `npm ci` in tests/devnet",
)
def test_items_signed_by_the_reference_library_verify() -> None:
    out = subprocess.run(["node", "make_items.cjs"], cwd=HERE, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    cases = [json.loads(line) for line in out.stdout.splitlines()]
    assert [c["kind"] for c in cases] == ["arweave", "ethereum"]
    for case in cases:
        item = dataitem.parse_verified(base64.b64decode(case["raw"]))
        assert item.id == case["id"], case["kind"]
        assert item.owner == case["owner"], case["kind"]
        assert item.tags == (("Action", "Interop"), ("Ünïcode", "välue ✓"))
        assert item.anchor_text == "x" * 32 and item.data == b"interop data"
        tampered = bytearray(item.raw)
        tampered[-1] ^= 1
        with pytest.raises(DataItemError):
            dataitem.parse_verified(bytes(tampered))


def test_a_lying_avro_block_count_is_refused() -> None:
    with pytest.raises(DataItemError, match="claims 1000000 tags"):
        dataitem.decode_tags(bytes([0x80, 0x89, 0x7A]) + b"\x02ab")  # zig-zag 2_000_000 -> 1_000_000


def test_many_tags_within_4096_bytes_are_accepted(arweave_signer: dataitem.Signer) -> None:
    tags = [(f"T{i}", "v") for i in range(300)]
    assert dataitem.parse_verified(dataitem.build(arweave_signer, tags=tags, data="x")).tags == tuple(tags)

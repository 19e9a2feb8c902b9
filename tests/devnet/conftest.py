"""Fixtures of the devnet tests: a session Arweave signer, a running in-process devnet, a client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from devnet_helpers import REPO, Client, client_for, free_base_port

from harness.devnet import dataitem
from harness.devnet.server import Devnet, start


@pytest.fixture(scope="session")
def arweave_signer() -> dataitem.Signer:
    return dataitem.Signer.arweave()


@pytest.fixture
def devnet(tmp_path: Path) -> Iterator[Devnet]:
    running = start(data=tmp_path / "data", port=free_base_port(), clock="manual", root=REPO)
    yield running
    running.shutdown()


@pytest.fixture
def client(devnet: Devnet, arweave_signer: dataitem.Signer) -> Client:
    return client_for(devnet, arweave_signer)

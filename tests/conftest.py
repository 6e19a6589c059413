"""Shared fixtures: every test gets throwaway data, config and cache dirs.

Qt is forced onto the offscreen platform before anything imports it, and the user's XDG folders
are replaced by temporary ones, so no test ever touches the real user's files or display.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_USER_DIRS = Path(tempfile.mkdtemp(prefix="agent-assist-tests-"))
for _name in (
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
    "XDG_RUNTIME_DIR",
):
    (_USER_DIRS / _name).mkdir(mode=0o700)
    os.environ[_name] = str(_USER_DIRS / _name)
os.environ["AGENT_ASSIST_DATA_DIR"] = str(_USER_DIRS / "data")
atexit.register(shutil.rmtree, _USER_DIRS, ignore_errors=True)

from agent_assist.core.cache.store import Store  # noqa: E402
from agent_assist.core.knowledge.packs import import_pack_dir  # noqa: E402
from agent_assist.core.search.suggester import Suggester  # noqa: E402
from agent_assist.resources import demo_pack  # noqa: E402

TINY_PACK = {
    "pack.yaml": "name: tiny\nversion: '1'\nlocale: en\n",
    "sops/coin-refund.md": """---
id: coin-refund
title: Refund request for in-app coin purchase
summary: Customer wants money back for coins bought in the app.
tags: [payments, coins]
phrasings:
  - I want my money back for the coins I bought
  - charged for coins I never received
macros: [refund-approved]
deadline: {business_days: 15, label: PSD2 reply due}
steps:
  - {id: check, text: Find the purchase in the billing console}
  - id: decide
    text: Is the purchase eligible?
    choices:
      - {label: Eligible, next: approve}
      - {label: Not eligible, next: end}
  - {id: approve, text: Issue the refund, macro: refund-approved}
---
Refunds follow the [coin policy](https://example.com/coins).

![tracker](https://example.com/pixel.png)
""",
    "sops/hacked-account.md": """---
id: hacked-account
title: Hacked or compromised account
summary: Someone else took over the customer's account.
tags: [account, security]
phrasings: [someone hacked my account, my email was changed without me]
steps:
  - {id: freeze, text: Put the account on hold}
---
Never ask for the customer's password.
""",
    "macros/refund-approved.md": """---
id: refund-approved
title: Coin refund approved
tags: [coins]
fields:
  amount: {label: Refund amount}
---
Hi {{agent_name}} here. We refunded {{amount}}.
""",
    "macros/account-secured.md": """---
id: account-secured
title: Account secured again
---
Your account is safe again.
""",
}


def write_pack(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def tiny_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A four-item pack (2 SOPs, 2 macros) whose content tests may rely on."""
    return write_pack(tmp_path_factory.mktemp("tiny-pack"), TINY_PACK)


def _built_cache(tmp_path_factory: pytest.TempPathFactory, pack: Path) -> Path:
    """A data dir holding the pack's cache and its suggestion index, as the app leaves it."""
    path = tmp_path_factory.mktemp("cache")
    with Store.in_dir(path) as store:
        import_pack_dir(store, pack)
        Suggester(store).refresh()
    return path


@pytest.fixture(scope="session")
def _tiny_cache(tmp_path_factory: pytest.TempPathFactory, tiny_pack: Path) -> Path:
    return _built_cache(tmp_path_factory, tiny_pack)


@pytest.fixture(scope="session")
def _demo_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _built_cache(tmp_path_factory, demo_pack())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty throwaway data dir (what ``--data-dir`` would point at)."""
    path = tmp_path / "data"
    path.mkdir()
    return path


def _open_copy(cache: Path, data_dir: Path) -> Iterator[Store]:
    shutil.copytree(cache, data_dir, dirs_exist_ok=True)
    with Store.in_dir(data_dir) as store:
        yield store


@pytest.fixture
def tiny_store(_tiny_cache: Path, data_dir: Path) -> Iterator[Store]:
    """A private copy of a cache holding the tiny pack."""
    yield from _open_copy(_tiny_cache, data_dir)


@pytest.fixture
def demo_store(_demo_cache: Path, data_dir: Path) -> Iterator[Store]:
    """A private copy of a cache holding the bundled demo pack (built once per session)."""
    yield from _open_copy(_demo_cache, data_dir)

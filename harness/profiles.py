"""The aos profiles the runtime can imitate: which module's behaviour a process gets
(docs/aos-semantics.md §0)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from harness.errors import InputError
from harness.ids import DEFAULT_MODULE, LEGACY_MODULE


@dataclass(frozen=True)
class Profile:
    """Behaviour switches of one aos module generation."""

    name: str
    module: str
    version: str
    #: Title-Case tag names and root keys (2025-05+).
    normalize: bool
    #: Table-pattern values compared case-insensitively (2025-06+).
    case_insensitive: bool
    #: Table patterns also look in ``msg.Tags`` (only the 2025-06 default module).
    tags_fallback: bool
    #: ``json`` and ``base64`` are globals (HEAD source: apm is loaded at boot).
    globals_json: bool
    #: Four ``APM.*`` handlers pre-exist (HEAD).
    apm_handlers: bool
    #: Untrusted senders get "Message is not trusted by this process!" (2.0.1-era).
    untrusted_reply: bool
    #: ``Owner`` is set by the first message of any kind (2.0.1), not only the spawn message.
    owner_from_any_message: bool
    description: str

    def lua_config(self) -> dict[str, object]:
        """The switches as the Lua runtime reads them."""
        data = asdict(self)
        data.pop("description")
        return data


PROFILES: dict[str, Profile] = {
    "default": Profile(
        name="default",
        module=DEFAULT_MODULE,
        version="2.0.4",
        normalize=True,
        case_insensitive=True,
        tags_fallback=True,
        globals_json=False,
        apm_handlers=False,
        untrusted_reply=False,
        owner_from_any_message=False,
        description="the live default aos module (ISShJH1ij, 2025-06)",
    ),
    "legacy": Profile(
        name="legacy",
        module=LEGACY_MODULE,
        version="2.0.1",
        normalize=False,
        case_insensitive=False,
        tags_fallback=False,
        globals_json=False,
        apm_handlers=False,
        untrusted_reply=True,
        owner_from_any_message=True,
        description="aos 2.0.1 (Do_Uc2Sju, 2024-11)",
    ),
    "head": Profile(
        name="head",
        module=DEFAULT_MODULE,
        version="2.0.4",
        normalize=True,
        case_insensitive=True,
        tags_fallback=False,
        globals_json=True,
        apm_handlers=True,
        untrusted_reply=False,
        owner_from_any_message=False,
        description="current aos source (HEAD: json and base64 are globals, APM handlers)",
    ),
}

DEFAULT_PROFILE = "default"


def get_profile(name: str | None) -> Profile:
    """The profile called *name* (``None`` means the default); a clear error for unknown names."""
    if name is not None and not isinstance(name, str):
        raise InputError(f"aos profile {name!r} is not a name; choose one of {', '.join(PROFILES)}")
    key = (name or DEFAULT_PROFILE).strip().lower()
    aliases = {"legacy_2_0_1": "legacy", "default_2025_06": "default", "2.0.1": "legacy"}
    key = aliases.get(key, key)
    if key not in PROFILES:
        raise InputError(f"unknown aos profile {name!r}; choose one of {', '.join(PROFILES)}")
    return PROFILES[key]

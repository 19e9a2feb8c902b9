"""``ao_network()`` for spec code: the harness ``Network`` driven from Lua."""

from __future__ import annotations

from typing import Any

from harness.busted.runtime import Settings


def _message(lua: Any, msg: Any) -> Any:
    tags = {str(k): v for k, v in msg.tags.items()}
    return lua.table_from(
        {
            "Target": msg.target,
            "From": msg.sender,
            "Data": msg.data,
            "Tags": lua.table_from(tags),
            **{k: v for k, v in tags.items() if k not in {"Target", "From", "Data", "Tags"}},
        }
    )


def _result(lua: Any, res: Any) -> Any:
    return lua.table_from(
        {
            "ok": res.ok,
            "error": res.error,
            "output": res.output,
            "messages": lua.table_from([_message(lua, m) for m in res.messages]),
        }
    )


def _tags(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    return {str(k): value[k] for k in value}


def install(lua: Any, runner: Any, settings: Settings) -> None:
    """Define the global-free ``ao_network`` builder in the spec runner's environment."""

    def new_network() -> Any:
        from harness.network import Network

        net = Network(lua=settings.lua, root=settings.project_dir)

        def spawn(name_or_path: Any = None, opts: Any = None) -> Any:
            o = opts or {}
            proc = net.spawn(
                name_or_path,
                source=o["source"] if opts is not None else None,
                name=o["name"] if opts is not None else None,
            )

            def send(tags: Any = None, data: Any = "") -> Any:
                t = _tags(tags)
                d = t.pop("Data", data)
                return _result(lua, proc.send(t, data=d if d is not None else ""))

            def eval_(code: str) -> Any:
                return _result(lua, proc.eval(code))

            return lua.table_from({"id": proc.id, "name": proc.name, "send": send, "eval": eval_})

        def run() -> int:
            return len(net.run())

        def mailbox(p: Any) -> Any:
            return lua.table_from([_message(lua, m) for m in net.mailbox(p["id"])])

        return lua.table_from({"spawn": spawn, "run": run, "mailbox": mailbox, "now": lambda: net.now})

    env = lua.eval("function(R, f) R.env.ao_network = f end")
    env(runner, new_network)

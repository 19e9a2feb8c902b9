"""A process uses .bint the way the aos token blueprint does (the library itself is tested in
test_lua_bint.py)."""

from __future__ import annotations

from harness import Network


def test_processes_use_it_like_the_token_blueprint(ao: Network) -> None:
    p = ao.spawn(
        source="""
        local bint = require('.bint')(256)
        Balance = Balance or '10000000000000000'
        Handlers.add('add', 'Add', function(msg)
          Balance = tostring(bint(Balance) + bint(msg.Tags.Quantity))
        end)
        """
    )
    p.send({"Action": "Add", "Quantity": "99999999999999999999"})
    assert p.globals["Balance"] == str(10000000000000000 + 99999999999999999999)
    r = p.send({"Action": "Add", "Quantity": "1.5"})
    assert r.error is not None and "cannot be represented by a bint" in r.error
    assert p.globals["Balance"] == str(10000000000000000 + 99999999999999999999)

"""Strict by default: an errored delivery the test never looked at fails it (the ``ao`` fixture at
teardown, ``Network.check_errors`` for a network built by hand), and failure texts that read well:
names instead of addresses, the Lua error first, a hint when no handler matched, no trace twice."""

from __future__ import annotations

import re

import pytest

from harness import (
    HarnessError,
    Network,
    UnexpectedDeliveryErrors,
    assert_error,
    assert_no_errors,
    assert_not_sent,
    assert_sent,
)
from harness.errors import ResultAssertionError
from harness.process import Process

#: a token-like process: Transfer needs a Recipient tag; Ping replies; Relay makes it send a
#: Transfer (without Recipient) to the process named in To
TOKEN = """Handlers.add('transfer', 'Transfer', function(m)
  assert(m.Tags.Recipient, 'Recipient is required')
  ao.send({ Target = m.Tags.Recipient, Action = 'Credit-Notice' })
end)
Handlers.add('ping', 'Ping', function(m) m.reply({ Action = 'Pong' }) end)
Handlers.add('relay', 'Relay', function(m) ao.send({ Target = m.Tags.To, Action = 'Transfer' }) end)
"""


def _token(net: Network) -> Process:
    return net.spawn(source=TOKEN, name="token")


# -- Network: recording and checking -------------------------------------------------------------


def test_run_errors_are_recorded_and_unexpected() -> None:
    net = Network()
    token = net.spawn(source=TOKEN, name="token")
    alice = net.wallet("alice")
    token.send({"Action": "Relay", "To": token.id}, sender=alice)  # token sends itself a bad Transfer
    net.run()
    assert [d.message.action for d in net.errors] == ["Transfer"]
    assert net.unexpected_errors() == net.errors
    with pytest.raises(UnexpectedDeliveryErrors) as info:
        net.check_errors()
    text = str(info.value)
    lines = text.splitlines()
    assert lines[0].startswith("1 delivery errored and the test never read its error.")
    assert "allow_errors=True" in lines[0]
    assert lines[1] == "  - token: Action=Transfer from token (#4): Recipient is required (at token:2)"
    assert token.id not in text and alice not in text  # names, never raw addresses
    assert isinstance(info.value, AssertionError) and isinstance(info.value, HarnessError)


def test_reading_the_error_makes_it_expected() -> None:
    net = Network()
    token = net.spawn(source=TOKEN, name="token")
    r = token.send({"Action": "Transfer"})
    assert net.unexpected_errors() and net.errors[0].result is r
    assert "Recipient is required" in (r.error or "")
    assert net.unexpected_errors() == []
    net.check_errors()
    # ok reads it too; so does assert_error on the result, a Delivery or the network
    assert not token.send({"Action": "Transfer"}).ok
    assert_error(token.send({"Action": "Transfer"}), "Recipient is required")
    token.send({"Action": "Relay", "To": token.id})
    [delivery] = net.run()
    assert_error(delivery, "Recipient")
    token.send({"Action": "Relay", "To": token.id})
    net.run()
    assert net.unexpected_errors() != []
    assert assert_error(net, "Recipient is required").endswith("Recipient is required")
    assert net.unexpected_errors() == []
    assert len(net.errors) == 5


def test_describing_a_result_does_not_count_as_reading_it() -> None:
    net = Network()
    token = net.spawn(source=TOKEN, name="token")
    r = token.send({"Action": "Transfer"})
    assert "Recipient is required" in r.describe() and "Recipient" in net.format_trace()
    assert repr(r) == "<Result error: 0 messages>"
    assert len(net.unexpected_errors()) == 1


def test_allow_errors_and_the_context_manager() -> None:
    with Network(allow_errors=True) as net:
        _token(net).send({"Action": "Transfer"})
    assert len(net.errors) == 1 and net.unexpected_errors() == []
    with pytest.raises(UnexpectedDeliveryErrors, match="Recipient is required"), Network() as strict:
        _token(strict).send({"Action": "Transfer"})
    # an exception inside the block is not buried under the strictness report
    with pytest.raises(KeyError), Network() as other:
        _token(other).send({"Action": "Transfer"})
        raise KeyError("the test's own failure")


def test_dry_runs_and_failed_loads_are_not_counted() -> None:
    net = Network()
    token = net.spawn(source=TOKEN, name="token")
    token.dryrun({"Action": "Transfer"})
    with pytest.raises(HarnessError, match="failed to load"):
        net.spawn(source="error('broken at load')", name="broken")
    assert net.errors == [] or all(d.result is not None and d.result._error_seen for d in net.errors)
    assert net.unexpected_errors() == []


def test_cron_ticks_of_advance_count() -> None:
    net = Network()
    net.spawn(
        source="Handlers.add('tick', function(m) return m.Cron end, function() error('cron broke') end)",
        name="ticker",
        tags={"Cron-Interval": "1-minute"},
    )
    ticks = net.advance(60_000)
    assert len(ticks) == 1
    [failed] = net.unexpected_errors()
    assert failed is ticks[0]
    expected = r"  - ticker: cron tick from owner \(#3\): cron broke"
    with pytest.raises(UnexpectedDeliveryErrors, match=expected):
        net.check_errors()


# -- the ao fixture ------------------------------------------------------------------------------

FIXTURE_TESTS = """
import pytest
from harness import assert_error

TOKEN = '''Handlers.add('transfer', 'Transfer', function(m)
  assert(m.Tags.Recipient, 'Recipient is required')
end)
Handlers.add('relay', 'Relay', function(m) ao.send({ Target = m.Tags.To, Action = 'Transfer' }) end)'''

def test_run_error_unread(ao):
    token = ao.spawn(source=TOKEN, name="token")
    token.send({"Action": "Relay", "To": token.id})
    ao.run()
    assert token.globals["Handlers"]  # the test passes on its own

def test_send_error_unread(ao):
    token = ao.spawn(source=TOKEN, name="token")
    r = token.send({"Action": "Transfer"})
    assert r.messages == []

def test_send_error_read(ao):
    token = ao.spawn(source=TOKEN, name="token")
    assert "Recipient is required" in token.send({"Action": "Transfer"}).error

def test_run_error_asserted(ao):
    token = ao.spawn(source=TOKEN, name="token")
    token.send({"Action": "Relay", "To": token.id})
    ao.run()
    assert_error(ao, "Recipient is required")

@pytest.mark.ao(allow_errors=True)
def test_allowed(ao):
    token = ao.spawn(source=TOKEN, name="token")
    token.send({"Action": "Relay", "To": token.id})
    ao.run()

def test_factory_networks_are_strict(ao_factory):
    net = ao_factory(profile="legacy")
    token = net.spawn(source=TOKEN, name="legacy-token")
    token.send({"Action": "Transfer"})

def test_failing_test_gets_no_second_report(ao):
    token = ao.spawn(source=TOKEN, name="token")
    token.send({"Action": "Transfer"})
    assert False, "the test's own failure"
"""


def test_the_fixture_fails_unread_errors_at_teardown(
    pytester: pytest.Pytester, plugin_args: list[str]
) -> None:
    pytester.makepyfile(FIXTURE_TESTS)
    result = pytester.runpytest(*plugin_args, "-p", "no:randomly")
    result.assert_outcomes(passed=6, failed=1, errors=3)
    out = result.stdout.str()
    errored = sorted(re.findall(r"ERROR at teardown of (\w+)", out))
    assert errored == ["test_factory_networks_are_strict", "test_run_error_unread", "test_send_error_unread"]
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_run_error_unread*",
            "1 delivery errored and the test never read its error. The network is strict:*"
            "@pytest.mark.ao(allow_errors=True)*",
            "  - token: Action=Transfer from token (#4): Recipient is required (at token:2)",
            "delivery trace:",
        ]
    )
    result.stdout.fnmatch_lines(["  - legacy-token: Action=Transfer from owner (#3): Recipient is required*"])
    assert "the test's own failure" in out
    assert "ERROR at teardown of test_failing_test_gets_no_second_report" not in out
    assert "Traceback" not in out.split("ERROR at teardown of test_run_error_unread")[1].split("____")[0]


# -- failure texts -----------------------------------------------------------------------------


def test_reply_of_an_errored_message_leads_with_the_lua_error(ao: Network) -> None:
    token = ao.spawn(source=TOKEN, name="token")
    r = token.send({"Action": "Transfer"}, sender=ao.wallet("alice"))
    with pytest.raises(ResultAssertionError) as info:
        r.reply  # noqa: B018
    lines = str(info.value).splitlines()
    assert lines[0] == "token errored handling Action=Transfer: Recipient is required (at token:2)"
    assert lines[1] == "expected exactly one reply to alice, found no message."
    assert r.error is not None


def test_eval_errors_are_summed_up_by_their_lua_error(ao: Network) -> None:
    token = ao.spawn(source=TOKEN, name="token")
    r = token.eval("local limit = 3\nerror('over the limit: ' .. limit)")
    assert r.explain() == 'token errored handling Action=Eval: over the limit: 3 (at [string "aos"]:2)'
    assert r.describe(history=False).splitlines()[1:3] == [
        'error: over the limit: 3 (at [string "aos"]:2)',
        "outbox (0 messages, 0 spawns):",
    ]
    assert r.error is not None


def test_a_message_only_default_took_gets_the_handler_hint(ao: Network) -> None:
    token = ao.spawn(source=TOKEN, name="token")
    r = token.send({"Action": "Tranfser"})  # a typo
    with pytest.raises(ResultAssertionError) as info:
        r.reply  # noqa: B018
    first = str(info.value).splitlines()[0]
    assert first == "no handler of token matched Action=Tranfser; handlers: transfer, ping, relay"
    with pytest.raises(AssertionError) as sent:
        assert_sent(r, Action="Credit-Notice")
    assert str(sent.value).splitlines()[0].startswith("no handler of token matched Action=Tranfser")
    # a handled message gets no hint
    ok = token.send({"Action": "Ping"})
    assert ok.explain() is None


def test_a_delivery_only_default_took_gets_the_hint_too(ao: Network) -> None:
    token = ao.spawn(source=TOKEN, name="token")
    other = ao.spawn(source="Handlers.add('ping', 'Ping', function(m) end)", name="other")
    token.send({"Action": "Relay", "To": other.id})  # token sends other a Transfer it has no handler for
    (delivery,) = ao.run()
    assert delivery.result is not None
    assert delivery.result.explain() == "no handler of other matched Action=Transfer; handlers: ping"
    # an Eval is handled by _eval: no hint
    assert other.eval("X = 1").explain() is None


def test_assert_no_errors_prints_the_trace_once_with_names(ao: Network) -> None:
    token = ao.spawn(source=TOKEN, name="token")
    alice = ao.wallet("alice")
    token.send({"Action": "Relay", "To": token.id}, sender=alice)
    ao.run()
    with pytest.raises(AssertionError) as info:
        assert_no_errors(ao)
    text = str(info.value)
    assert text.splitlines()[0] == "1 of 4 deliveries errored:"
    assert "  - token errored handling Action=Transfer: Recipient is required (at token:2) (#4)" in text
    assert text.count("#3    alice -> token  Action=Relay") == 1  # the trace, once
    assert alice not in text and token.id not in text
    assert_error(ao)


def test_a_missing_message_leads_with_the_errors_on_the_way(ao: Network) -> None:
    token = ao.spawn(source=TOKEN, name="token")
    token.send({"Action": "Relay", "To": token.id})
    ao.run()
    with pytest.raises(AssertionError) as info:
        assert_sent(ao, Action="Credit-Notice")
    assert str(info.value).splitlines()[:3] == [
        "1 delivery errored:",
        "  - token errored handling Action=Transfer: Recipient is required (at token:2) (#4)",
        "no message matched Action='Credit-Notice'",
    ]
    assert_error(ao)


def test_result_failure_uses_names_for_every_address(ao: Network) -> None:
    token = ao.spawn(source=TOKEN, name="token")
    bob = ao.wallet("bob")
    r = token.send({"Action": "Transfer", "Recipient": bob}, sender=ao.wallet("alice"))
    with pytest.raises(AssertionError) as info:
        assert_sent(r, target=bob, Action="Debit-Notice", Recipient=bob)
    text = str(info.value)
    assert text.splitlines()[0] == "no message matched Target=bob, Action='Debit-Notice', Recipient=bob"
    assert "alice -> token  Action=Transfer Recipient=bob" in text
    assert "token -> bob  Action=Credit-Notice" in text
    with pytest.raises(AssertionError) as again:
        assert_not_sent(r, target=bob)
    assert str(again.value).splitlines()[:2] == [
        "1 unexpected message(s) matched Target=bob:",
        "  - token -> bob  Action=Credit-Notice",
    ]
    for failure in (text, str(again.value)):
        assert bob not in failure and token.id not in failure


def test_inline_processes_are_named_after_name_or_their_first_handler(ao: Network) -> None:
    first = ao.spawn(source="Handlers.add('counter', 'Add', function() error('named chunk') end)")
    second = ao.spawn(source="Handlers.prepend(\"pricer\", 'Price', function() end)")
    named = ao.spawn(source="Handlers.add('counter', 'Add', function() end)", name="mine")
    again = ao.spawn(source="Handlers.add('counter', 'Add', function() end)")
    bare = ao.spawn(source="X = 1")
    names = [p.name for p in (first, second, named, again, bare)]
    assert names == ["counter", "pricer", "mine", "counter", "aos"]
    assert [ao.name_of(p.id) for p in (first, again)] == ["counter", "counter#2"]
    r = first.send({"Action": "Add"})  # the loaded source's chunk carries the name too
    assert assert_error(r).endswith("counter:1: named chunk")

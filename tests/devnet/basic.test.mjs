// aoconnect 0.0.98 (legacy mode) against `ao-harness serve`: spawn, Eval, message/result, dry-run,
// results paging, assign, and a Receive round trip between two processes.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ao, skip, wallet, send, spawnWith, tag, tagOf } from './lib.mjs';

const PINGER = `
Handlers.add("ping", "Ping", function(msg)
  Pings = (Pings or 0) + 1
  msg.reply({ Action = "Pong", Data = "pong " .. Pings })
end)
return "loaded"
`;

let me;
before(async () => {
  if (!skip) me = await wallet();
});

test('spawn + Eval load, message + result', { skip }, async () => {
  const pid = await spawnWith(me, null, [tag('Name', 'pinger')]);
  assert.equal(pid.length, 43);
  const load = await send(me, pid, [tag('Action', 'Eval')], PINGER);
  assert.equal(load.Output.data, 'loaded');
  const res = await send(me, pid, [tag('Action', 'Ping')]);
  assert.equal(res.Messages.length, 1);
  assert.equal(res.Messages[0].Target, me.address);
  assert.equal(res.Messages[0].Data, 'pong 1');
  assert.equal(tagOf(res.Messages[0], 'Action'), 'Pong');
});

test('an error comes back as Error', { skip }, async () => {
  const pid = await spawnWith(me, PINGER);
  const id = await ao.message({ process: pid, signer: me.signer, tags: [tag('Action', 'Eval')], data: 'error("boom")' });
  const res = await ao.result({ process: pid, message: id });
  assert.match(res.Error, /boom/);
});

test('dry-run reads without changing state', { skip }, async () => {
  const pid = await spawnWith(me, PINGER);
  const first = await ao.dryrun({ process: pid, tags: [tag('Action', 'Ping')] });
  assert.equal(first.Messages[0].Data, 'pong 1');
  const second = await ao.dryrun({ process: pid, tags: [tag('Action', 'Ping')] });
  assert.equal(second.Messages[0].Data, 'pong 1');
  const real = await send(me, pid, [tag('Action', 'Ping')]);
  assert.equal(real.Messages[0].Data, 'pong 1');
});

test('results paging with cursors, ASC and DESC', { skip }, async () => {
  const pid = await spawnWith(me, PINGER);
  for (let i = 0; i < 5; i++) await send(me, pid, [tag('Action', 'Ping')]);
  const page1 = await ao.results({ process: pid, sort: 'ASC', limit: 4 });
  assert.equal(page1.edges.length, 4);
  const page2 = await ao.results({ process: pid, from: page1.edges.at(-1).cursor, sort: 'ASC', limit: 10 });
  const datas = [...page1.edges, ...page2.edges].flatMap((e) => e.node.Messages.map((m) => m.Data));
  assert.deepEqual(datas, ['pong 1', 'pong 2', 'pong 3', 'pong 4', 'pong 5']);
  const last = await ao.results({ process: pid, sort: 'DESC', limit: 1 });
  assert.equal(last.edges[0].node.Messages[0].Data, 'pong 5');
});

test('assign delivers a message to a second process', { skip }, async () => {
  const a = await spawnWith(me, PINGER);
  const b = await spawnWith(me, PINGER);
  const id = await ao.message({ process: a, signer: me.signer, tags: [tag('Action', 'Ping')] });
  const assignment = await ao.assign({ process: b, message: id });
  assert.equal(typeof assignment, 'string');
  const res = await ao.result({ process: b, message: id });
  assert.equal(res.Messages[0].Data, 'pong 1');
});

test('Receive round trip between two processes', { skip }, async () => {
  const responder = await spawnWith(me, `
Handlers.add("ask", "Ask", function(msg) msg.reply({ Action = "Answer", Data = "42 for " .. msg.From }) end)`);
  const asker = await spawnWith(me, `
Handlers.add("go", "Go", function(msg)
  local answer = Send({ Target = msg.Responder, Action = "Ask" }).receive()
  Answer = answer.Data
  msg.reply({ Action = "Done", Data = Answer })
end)
Handlers.add("get", "Get", function(msg) msg.reply({ Data = Answer or "none" }) end)`);
  await send(me, asker, [tag('Action', 'Go'), tag('Responder', responder)]);
  const got = await ao.dryrun({ process: asker, tags: [tag('Action', 'Get')] });
  assert.equal(got.Messages[0].Data, `42 for ${asker}`);
  // the Done reply went out when the answer arrived: it is in the asker's results
  const page = await ao.results({ process: asker, sort: 'DESC', limit: 1 });
  const done = page.edges[0].node.Messages.find((m) => m.Target === me.address);
  assert.equal(done.Data, `42 for ${asker}`);
});

test('an unsigned or unknown-process message is refused by the MU', { skip }, async () => {
  await assert.rejects(
    ao.message({ process: 'z'.repeat(43), signer: me.signer, tags: [tag('Action', 'Ping')] }),
    /404: .*unknown process/,
  );
});

test('monitor and unmonitor are accepted (cron runs on its own here)', { skip }, async () => {
  const pid = await spawnWith(me, PINGER);
  assert.equal((await ao.monitor({ process: pid, signer: me.signer })).length, 43);
  assert.equal((await ao.unmonitor({ process: pid, signer: me.signer })).length, 43);
});

test('spawn from an unknown module is refused with the reason', { skip }, async () => {
  // aoconnect checks the module on the gateway first: an unknown id has no transaction there
  await assert.rejects(
    ao.spawn({ module: 'm'.repeat(43), scheduler: 's'.repeat(43), signer: me.signer }),
    /404: .*no transaction m{43} on this devnet.*--module-profile/,
  );
});

// The recorded live session against mock-usda's bundle, and TIM3 mint -> transfer -> redeem
// end to end against `ao-harness serve aoform.yaml`, all through aoconnect.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ao, skip, wallet, send, spawnWith, tag, tagOf } from './lib.mjs';

const system = process.env.DEVNET_SYSTEM ? JSON.parse(process.env.DEVNET_SYSTEM) : null;
const bundle = process.env.DEVNET_MOCK_USDA_BUNDLE;
const skipSession = skip || (!bundle && 'DEVNET_MOCK_USDA_BUNDLE is not set');
const skipSystem = skip || (!system && 'DEVNET_SYSTEM is not set (serve aoform.yaml)');

let alice, bob;
before(async () => {
  if (!skip) [alice, bob] = await Promise.all([wallet(), wallet()]);
});

test('the recorded live session on mock-usda gives the live answers', { skip: skipSession }, async () => {
  const pid = await spawnWith(alice, readFileSync(bundle, 'utf8'), [tag('Name', 'mock-usda-test')]);
  const lastInbox = async () => (await send(alice, pid, [tag('Action', 'Eval')], 'return Inbox[#Inbox].Data')).Output.data;
  await send(alice, pid, [tag('Action', 'Eval')], 'Send({ Target = ao.id, Action = "Info" })');
  assert.equal(await lastInbox(), '{"ticker":"mUSDT","totalSupply":0,"denomination":6,"name":"mock-usda-test"}');
  await send(alice, pid, [tag('Action', 'Eval')], 'Send({ Target = ao.id, Action = "Balance" })');
  assert.equal(await lastInbox(), `{"locked":"0","balance":"0","available":"0","target":"${pid}"}`);
  await send(alice, pid, [tag('Action', 'Eval')], 'Send({ Target = ao.id, Action = "Mint", Amount = "1000" })');
  await send(alice, pid, [tag('Action', 'Eval')], 'Send({ Target = ao.id, Action = "Balance" })');
  assert.equal(await lastInbox(), `{"locked":"0","balance":"1000","available":"1000","target":"${pid}"}`);
});

async function balance(token, who) {
  const res = await ao.dryrun({ process: system[token], tags: [tag('Action', 'Balance'), tag('Target', who)] });
  return tagOf(res.Messages[0], 'Balance');
}

test('TIM3: faucet, mint, transfer, redeem through aoconnect', { skip: skipSystem }, async () => {
  const usda = system['mock-usda'];
  await send(alice, usda, [tag('Action', 'Mint'), tag('Quantity', '100000000')]);
  assert.equal(await balance('mock-usda', alice.address), '100000000');

  const mint = await send(alice, usda, [
    tag('Action', 'Transfer'), tag('Recipient', system['lock-manager']), tag('Quantity', '40000000'), tag('X-Action', 'Mint'),
  ]);
  assert.ok(mint.Messages.some((m) => tagOf(m, 'Action') === 'Debit-Notice'));
  assert.equal(await balance('token-manager', alice.address), '40000000');
  assert.equal(await balance('mock-usda', system['lock-manager']), '40000000');

  await send(alice, system['token-manager'], [
    tag('Action', 'Transfer'), tag('Recipient', bob.address), tag('Quantity', '10000000'),
  ]);
  assert.equal(await balance('token-manager', bob.address), '10000000');

  await send(bob, system['token-manager'], [
    tag('Action', 'Transfer'), tag('Recipient', system.coordinator), tag('Quantity', '10000000'), tag('X-Action', 'Redeem'),
  ]);
  assert.equal(await balance('token-manager', bob.address), '0');
  assert.equal(await balance('mock-usda', bob.address), '10000000');
  assert.equal(await balance('mock-usda', system['lock-manager']), '30000000');
  // bob got a Redeem-Response: it is among the coordinator's recent outputs
  const page = await ao.results({ process: system.coordinator, sort: 'DESC', limit: 10 });
  const toBob = page.edges.flatMap((e) => e.node.Messages).filter((m) => m.Target === bob.address);
  assert.ok(toBob.some((m) => tagOf(m, 'Action') === 'Redeem-Response'), JSON.stringify(toBob));
});

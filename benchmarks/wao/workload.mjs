// The aoconnect workload of benchmarks/bench_devnet.py (a benchmark, not a test): the same script
// is run against `ao-harness serve` and against the wao server.
//   node workload.mjs GATEWAY_URL MU_URL CU_URL N
// prints one JSON line: {"spawn": ms, "eval": ms, "message": [ms...], "dryrun": [ms...], "spaced": [ms...]}
// A reply that is missing or carries an Error stops the run with a one-line reason (so a broken
// server is never timed as a fast one).
import Arweave from 'arweave';
import { connect, createDataItemSigner } from '@permaweb/aoconnect';

const [gateway, mu, cu, nArg] = process.argv.slice(2);
if (!cu) {
  console.error('usage: node workload.mjs GATEWAY_URL MU_URL CU_URL [N]');
  process.exit(2);
}
const n = Number(nArg || 30);

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

const ao = connect({ MODE: 'legacy', MU_URL: mu, CU_URL: cu, GATEWAY_URL: gateway, noLog: true });
const arweave = Arweave.init({});
const jwk = await arweave.wallets.generate();
const signer = createDataItemSigner(jwk);
const tag = (name, value) => ({ name, value });
const ping = [tag('Action', 'Ping')];

function fail(what, res) {
  console.error(`workload: ${what}: ${res?.Error ?? JSON.stringify(res).slice(0, 300)}`);
  process.exit(1);
}
const pongOf = (res) => (res?.Messages ?? []).find((m) => m.Tags?.some((t) => t.name === 'Action' && t.value === 'Pong'));
const time = async (f) => {
  const t = performance.now();
  const out = await f();
  return [performance.now() - t, out];
};

const [spawnMs, pid] = await time(() =>
  ao.spawn({ module: MODULE, scheduler: SCHEDULER, signer, tags: AUTHORITIES.map((a) => tag('Authority', a)) }));
const [evalMs, evalRes] = await time(async () => {
  const id = await ao.message({ process: pid, signer, tags: [tag('Action', 'Eval')], data: SOURCE });
  return ao.result({ process: pid, message: id });
});
if (evalRes?.Error) fail('the Eval failed', evalRes);

const message = [];
for (let i = 0; i < n; i++) {
  const [ms, res] = await time(async () => {
    const id = await ao.message({ process: pid, signer, tags: ping });
    return ao.result({ process: pid, message: id });
  });
  const pong = pongOf(res);
  if (res?.Error || !pong || pong.Data !== String(i + 1)) fail(`message ${i + 1} got no Pong ${i + 1}`, res);
  message.push(ms);
}
const dryrun = [];
for (let i = 0; i < n; i++) {
  const [ms, res] = await time(() => ao.dryrun({ process: pid, tags: ping }));
  if (pongOf(res)?.Data !== String(n + 1)) fail(`dry-run ${i + 1} got no Pong ${n + 1}`, res);
  dryrun.push(ms);
}
// dry-runs 50 ms apart (a server may rebuild after a dry run; this one finds it idle)
const spaced = [];
for (let i = 0; i < n; i++) {
  await new Promise((r) => setTimeout(r, 50));
  const [ms, res] = await time(() => ao.dryrun({ process: pid, tags: ping }));
  if (pongOf(res)?.Data !== String(n + 1)) fail(`spaced dry-run ${i + 1} got no Pong ${n + 1}`, res);
  spaced.push(ms);
}
console.log(JSON.stringify({ spawn: spawnMs, eval: evalMs, message, dryrun, spaced }));

// Speed of `ao-harness serve` through aoconnect (a benchmark, not a test):
//   DEVNET_MU=... DEVNET_CU=... DEVNET_GATEWAY=... node bench.mjs [N]
// prints message -> result and dry-run timings (median, mean) over N rounds (default 50).
import { ao, wallet, spawnWith, tag } from './lib.mjs';

const n = Number(process.argv[2] || 50);
const me = await wallet();
const pid = await spawnWith(me, `
Handlers.add("ping", "Ping", function(msg)
  Pings = (Pings or 0) + 1
  msg.reply({ Action = "Pong", Data = tostring(Pings) })
end)`);

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(2)} ms, mean ${(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2)} ms`;
};
const time = async (f) => { const t = performance.now(); await f(); return performance.now() - t; };

for (let i = 0; i < 5; i++) await ao.dryrun({ process: pid, tags: [tag('Action', 'Ping')] }); // warm up
const msg = [];
for (let i = 0; i < n; i++) {
  msg.push(await time(async () => {
    const id = await ao.message({ process: pid, signer: me.signer, tags: [tag('Action', 'Ping')] });
    await ao.result({ process: pid, message: id });
  }));
}
const dry = [];
for (let i = 0; i < n; i++) dry.push(await time(() => ao.dryrun({ process: pid, tags: [tag('Action', 'Ping')] })));
// spaced dry-runs: the server rebuilds the state a dry run discards after answering, so a
// dry run that does not follow another one at once finds it ready
const spaced = [];
for (let i = 0; i < n; i++) {
  await new Promise((r) => setTimeout(r, 50));
  spaced.push(await time(() => ao.dryrun({ process: pid, tags: [tag('Action', 'Ping')] })));
}
console.log(`message -> result (sign + POST + GET), ${n} rounds: ${stats(msg)}`);
console.log(`dry-run back to back (POST /dry-run), ${n} rounds: ${stats(dry)}`);
console.log(`dry-run 50 ms apart, ${n} rounds: ${stats(spaced)}`);

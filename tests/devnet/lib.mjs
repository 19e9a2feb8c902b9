// Shared helpers of the aoconnect acceptance tests: the client pointed at a running
// `ao-harness serve` (URLs from the environment the pytest runner sets), and a test wallet.
import Arweave from 'arweave';
import { connect, createDataItemSigner } from '@permaweb/aoconnect';
import assert from 'node:assert/strict';

export const env = {
  gateway: process.env.DEVNET_GATEWAY,
  mu: process.env.DEVNET_MU,
  cu: process.env.DEVNET_CU,
  su: process.env.DEVNET_SU,
};
export const skip = env.mu ? false : 'DEVNET_MU is not set: run these through pytest tests/devnet';

// the live default aos module (spawns the harness's "default" profile) and a scheduler id
export const MODULE = 'ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s';
export const SCHEDULER = '_GQ33BkPtZrqxA84vM8Zk-N2aO0toNNu_C-l-rawrBA';
// the MU that pushes process-to-process messages: aos trusts them only from an Authority
// named at spawn (the aos CLI adds this tag; with aoconnect you add it yourself)
export const AUTHORITY = 'fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY';

export const ao = skip
  ? null
  : connect({ MODE: 'legacy', MU_URL: env.mu, CU_URL: env.cu, GATEWAY_URL: env.gateway, noLog: true });

const arweave = Arweave.init({});

export async function wallet() {
  const jwk = await arweave.wallets.generate();
  return { jwk, address: await arweave.wallets.jwkToAddress(jwk), signer: createDataItemSigner(jwk) };
}

export const tag = (name, value) => ({ name, value });
export const tagOf = (msg, name) => msg.Tags.find((t) => t.name === name)?.value;

// message -> result, failing on an Error
export async function send(w, process, tags, data) {
  const id = await ao.message({ process, signer: w.signer, tags, data });
  const res = await ao.result({ process, message: id });
  assert.equal(res.Error, undefined, `message ${JSON.stringify(tags)} failed: ${res.Error}`);
  return res;
}

export async function spawnWith(w, source, tags = []) {
  const all = [...tags, { name: 'Authority', value: AUTHORITY }];
  const process = await ao.spawn({ module: MODULE, scheduler: SCHEDULER, signer: w.signer, tags: all });
  if (source) await send(w, process, [tag('Action', 'Eval')], source);
  return process;
}

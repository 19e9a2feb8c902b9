// Writes data items signed by the reference library (arbundles, which aoconnect uses) as JSON
// lines on stdout, for tests/devnet/test_dataitem.py to parse and verify in Python:
//   {"kind", "raw" (base64), "id", "owner" (expected address)}
const ab = require('@dha-team/arbundles');
const Arweave = require('arweave');
const { computeAddress } = require('@ethersproject/transactions');
const { randomBytes } = require('node:crypto');

(async () => {
  const opts = {
    target: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFE',
    anchor: 'x'.repeat(32),
    tags: [{ name: 'Action', value: 'Interop' }, { name: 'Ünïcode', value: 'välue ✓' }],
  };
  const arweave = Arweave.init({});
  const jwk = await arweave.wallets.generate();
  const ar = new ab.ArweaveSigner(jwk);
  const eth = new ab.EthereumSigner(randomBytes(32).toString('hex'));
  const cases = [
    ['arweave', ar, await arweave.wallets.jwkToAddress(jwk)],
    ['ethereum', eth, computeAddress(eth.publicKey)],
  ];
  for (const [kind, signer, owner] of cases) {
    const item = ab.createData('interop data', signer, opts);
    await item.sign(signer);
    if (!(await item.isValid())) throw new Error(`${kind}: arbundles says its own item is invalid`);
    console.log(JSON.stringify({ kind, raw: item.getRaw().toString('base64'), id: item.id, owner }));
  }
})();

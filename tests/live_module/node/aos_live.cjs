'use strict';
// Runs the live aos module binary the way the legacynet CU does, for the differential tests in
// tests/live_module.  One long-lived process per test session; it speaks JSON lines:
//
//   stdin : {"seq": n, "op": "...", ...}
//   stdout: "@aos-live " + {"seq": n, "ok": true, ...} | {"seq": n, "ok": false, "error": "..."}
//
// Only lines with the "@aos-live " prefix are replies; anything else the runtime prints is noise.
//
// Ops:
//   hello                                  -> versions of node and the loader, the binary's sha256
//   open   {pid, owner, tags, module}      -> a process record (its instance is made on first use)
//   handle {pid, message, dry}             -> the loader's result without Memory (+ "thrown")
//   close  {pid}                           -> forget a process (frees its kept memory)
//
// Memory follows the CU (servers/cu evaluate.js): a result with an Error keeps the PREVIOUS
// memory and drops the instance (the next message runs on a new instance loaded with the kept
// memory); a dry run keeps nothing.  The loader copies the whole heap out on every call, so the
// heap is only copied IN when it is not already the kept memory (after an error or a dry run).

const fs = require('fs');
const crypto = require('crypto');
const readline = require('readline');

const PREFIX = '@aos-live ';
const FORMAT = 'wasm64-unknown-emscripten-draft_2024_02_15';
const OOM_TAIL = 'not enough memory for buffer allocation';

const reply = (obj) => process.stdout.write(PREFIX + JSON.stringify(obj) + '\n');
// the runtime and the loader may print: keep stdout for replies only
console.log = console.info = console.warn = console.debug = (...args) =>
  process.stderr.write(args.map(String).join(' ') + '\n');

const wasmPath = process.argv[2];
if (!wasmPath) {
  process.stderr.write('usage: node --experimental-wasm-memory64 aos_live.cjs <aos.wasm>\n');
  process.exit(2);
}

let AoLoader;
let loaderVersion;
let bytes;
let compiled;
try {
  AoLoader = require('@permaweb/ao-loader');
  loaderVersion = require('@permaweb/ao-loader/package.json').version;
  bytes = fs.readFileSync(wasmPath);
  // compiled once; every process instantiates it (the CU's loadWasmModule + bootstrapWasmInstance)
  compiled = new WebAssembly.Module(bytes);
} catch (e) {
  reply({ seq: 0, ok: false, fatal: true, error: `cannot start: ${e && e.message ? e.message : e}` });
  process.exit(1);
}
const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');

const instantiate = (imports, receiveInstance) => {
  WebAssembly.instantiate(compiled, imports).then((inst) => receiveInstance(inst));
  return {};
};

const describe = (e) => {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch (_) {
    return String(e);
  }
};

const outputText = (output) => {
  if (typeof output === 'string') return output;
  if (output && typeof output === 'object' && output.data && typeof output.data.output === 'string') {
    return output.data.output;
  }
  return '';
};

const processes = new Map();

class LiveProcess {
  constructor({ pid, owner, tags, module }) {
    this.pid = pid;
    this.env = {
      Process: { Id: pid, Owner: owner, Tags: tags },
      Module: { Id: module.id, Owner: module.owner, Tags: module.tags },
    };
    this.options = {
      format: FORMAT,
      inputEncoding: 'JSON-V1',
      outputEncoding: 'JSON-V1',
      memoryLimit: 1073741824,
      computeLimit: 9000000000000,
      extensions: {},
      spawn: { id: pid, owner, tags },
      module: { id: module.id, owner: module.owner, tags: module.tags },
      blockHeight: 100,
    };
    this.handle = null; // the loader's handle for the current instance
    this.kept = null; // the memory the CU keeps (null before the first message)
    this.current = true; // the instance's heap is exactly `kept`
    this.instances = 0;
  }

  async run(message, dry) {
    let memory = null;
    if (this.handle === null) {
      this.handle = await AoLoader(instantiate, { ...this.options });
      this.instances += 1;
      // a fresh process: the CU passes an empty buffer, which copies nothing
      memory = this.kept || new Uint8Array(0);
    } else if (!this.current) {
      memory = this.kept;
    }
    const started = process.hrtime.bigint();
    let result;
    let thrown = null;
    try {
      result = await this.handle(memory, message, this.env);
    } catch (e) {
      thrown = describe(e);
      result = { Error: thrown };
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (thrown !== null || (result.Error !== undefined && result.Error !== null)) {
      // the CU keeps the previous memory and drops the instance
      this.handle = null;
      this.current = false;
    } else if (dry) {
      this.current = false;
    } else if (outputText(result.Output).endsWith(OOM_TAIL)) {
      this.current = false;
    } else if (result.Memory) {
      this.kept = result.Memory;
      this.current = true;
    }
    const heap = result.Memory ? result.Memory.byteLength : null;
    delete result.Memory;
    return { result, thrown, heap, ms, instances: this.instances };
  }
}

const ops = {
  hello: async () => ({
    node: process.version,
    loader: loaderVersion,
    wasm: { path: wasmPath, bytes: bytes.length, sha256 },
  }),
  open: async (req) => {
    processes.set(req.pid, new LiveProcess(req));
    return {};
  },
  handle: async (req) => {
    const proc = processes.get(req.pid);
    if (!proc) throw new Error(`no open process ${req.pid}`);
    return proc.run(req.message, Boolean(req.dry));
  },
  close: async (req) => {
    processes.delete(req.pid);
    return {};
  },
};

// one request at a time, in order
let chain = Promise.resolve();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  chain = chain.then(async () => {
    let req;
    try {
      req = JSON.parse(line);
    } catch (e) {
      reply({ seq: null, ok: false, error: `bad request line: ${describe(e)}` });
      return;
    }
    const op = ops[req.op];
    if (!op) {
      reply({ seq: req.seq, ok: false, error: `unknown op ${JSON.stringify(req.op)}` });
      return;
    }
    try {
      reply({ seq: req.seq, ok: true, ...(await op(req)) });
    } catch (e) {
      reply({ seq: req.seq, ok: false, error: describe(e) });
    }
  });
}).on('close', () => {
  chain.then(() => process.exit(0));
});
